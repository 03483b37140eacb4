"""A real SMTP server (aiosmtpd) on localhost for tests that send mail, and its inbox."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.support.stripe_server import free_port


class Inbox:
    """aiosmtpd handler keeping what the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self._arrived.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        """Messages received for `address`, oldest first."""
        return [m for m in self.messages if m["To"] == address]

    def wait(self, address: str, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until `count` messages for `address` arrived (mail is sent after commit)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.to(address)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{count} mail(s) to {address} expected, got {self.to(address)}"
                    )
                self._arrived.wait(left)
        return self.to(address)


def link_in(message: EmailMessage, path: str) -> str:
    """The first http(s) link of a mail whose path starts with `path`."""
    found = re.search(rf"https?://[^/\s]+{re.escape(path)}\S*", message.get_content())
    assert found, f"no {path} link in {message.get_content()!r}"
    return found.group(0)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    """A running SMTP server: its inbox and the SMTP_URL to reach it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, f"smtp://127.0.0.1:{controller.port}"
    controller.stop()
