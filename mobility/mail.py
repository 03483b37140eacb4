"""Outgoing mail: SMTP when SMTP_URL is set, otherwise kept in memory and logged (demos, tests)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections import deque
from email.header import Header
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlparse

from mobility.config import Settings
from mobility.errors import ConfigError

log = logging.getLogger(__name__)

# Outbox intents of this kind are sent by the mailer after the use case commits.
MAIL_KIND = "mail"


def mail_intent(to: str, subject: str, body: str) -> dict[str, str]:
    """The payload of a mail intent."""
    return {"to": to, "subject": subject, "body": body}


class Mailer(Protocol):
    """Sends one plain-text message."""

    def send(self, to: str, subject: str, body: str) -> None:
        """Deliver (or queue) a message."""
        ...


class LogMailer:
    """Keeps the last messages in memory and logs them; nothing leaves the machine."""

    def __init__(self, keep: int = 200) -> None:
        self.sent: deque[tuple[str, str, str]] = deque(maxlen=keep)

    def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))
        log.info("mail to %s: %s", to, subject)


class SmtpMailer:
    """Plain SMTP, STARTTLS (smtp://...?starttls=true) or implicit TLS (smtps://)."""

    def __init__(self, url: str, sender: str, timeout: float = 10.0) -> None:
        parts = urlparse(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(f"SMTP_URL must look like smtp://user:pass@host:587, got {url!r}")
        self.tls = parts.scheme == "smtps"
        self.starttls = parse_qs(parts.query).get("starttls", ["false"])[0] == "true"
        self.host, self.port = parts.hostname, parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender, self.timeout = sender, timeout

    def send(self, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"] = self.sender, to
        if subject.isascii():
            msg["Subject"] = subject
        else:
            # Python's header folding leaves a space before an encoded word it wraps to the
            # next line ('hubs de  mobilité' once unfolded); encoded whole, a subject folds
            # between encoded words, where the reader's program adds nothing.
            msg.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())
        msg.set_content(body)
        context = ssl.create_default_context()
        smtp: smtplib.SMTP = (
            smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            if self.tls
            else smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        )
        with smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(msg)
        log.info("mail to %s: %s (via %s)", to, subject, self.host)


def mailer_for(settings: Settings) -> Mailer:
    """SMTP when configured, otherwise the in-memory log mailer."""
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url, settings.mail_from)
    return LogMailer()
