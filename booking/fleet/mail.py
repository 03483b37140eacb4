"""Outgoing mail port: logged by default (no SMTP needed); tests read the outbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class Outbox:
    """Keeps sent messages in memory and logs them (swap for SMTP in production)."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, to: str, subject: str, body: str) -> None:
        """Deliver a message (here: record and log it)."""
        self.sent.append((to, subject, body))
        log.info("mail to %s: %s", to, subject)


OUTBOX = Outbox()
