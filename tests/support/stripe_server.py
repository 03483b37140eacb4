"""A local Stripe-compatible server (localstripe, extended) for tests of the real stripe library."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

LAUNCHER = Path(__file__).resolve().parent / "localstripe_plus.py"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server_process(args: list[str], port: int, name: str, wait_s: float) -> Iterator[str]:
    """Run a local server process until it listens on `port`; yields its base URL."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"{name} did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """Base URL of a fresh localstripe process (one per test session)."""
    port = free_port()
    args = [sys.executable, str(LAUNCHER), "--port", str(port), "--from-scratch"]
    with server_process(args, port, "localstripe", 20) as url:
        yield url
