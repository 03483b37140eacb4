"""Headless Debian Chromium for page tests (never a downloaded browser), and small page steps."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def page() -> Iterator[Any]:
    """A fresh page in headless Chromium, phone-sized."""
    from playwright.sync_api import sync_playwright

    if not shutil.which("chromium") and not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is required for browser tests (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
        yield context.new_page()
        browser.close()


def log_in(page: Any, base: str, email: str, password: str) -> None:
    """Log in through the login form."""
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@contextmanager
def served(app: Any, port: int = 0) -> Iterator[str]:
    """Serve a WSGI app on localhost in a thread (threaded werkzeug server); yields its URL."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
