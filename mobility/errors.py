"""Domain errors raised by services and translated at the edges (HTTP, OCPP)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mobility.money import plain


class Message:
    """A user-facing sentence: an English template with %(name)s fields, and their values.

    Pages translate the template and format the values for the reader's locale at the edge;
    the JSON API and logs read the English text (str()).
    """

    __slots__ = ("params", "template")

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template = template
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.template
        return self.template % {k: _plain(v) for k, v in self.params.items()}

    def __repr__(self) -> str:
        return f"Message({self.template!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.template, self.params) == (
            other.template,
            other.params,
        )

    def __hash__(self) -> int:
        return hash(self.template)


def N_(template: str, /, **params: Any) -> Message:
    """Mark a user-facing message for the catalogues (pybabel extracts N_); pages translate it."""
    return Message(template, **params)


def _plain(value: Any) -> str:
    # A Decimal in English text never shows an exponent ("1E+1" reads as 10).
    return plain(value) if isinstance(value, Decimal) else str(value)


class DomainError(Exception):
    """Base of all expected, user-facing failures."""

    code = "error"
    http_status = 400

    def __init__(self, message: str | Message, *, code: str | None = None, **details: Any) -> None:
        self.text = message if isinstance(message, Message) else Message(message)
        self.message = str(self.text)
        super().__init__(self.message)
        if code is not None:
            self.code = code
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The JSON body used by the HTTP edge."""
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class ValidationFailed(DomainError):
    """Input is malformed or breaks a rule."""

    code = "validation_failed"
    http_status = 422


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the caller)."""

    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    """The request clashes with the current state (double booking, duplicate...)."""

    code = "conflict"
    http_status = 409


class Forbidden(DomainError):
    """The caller may not do this."""

    code = "forbidden"
    http_status = 403


class Unauthorized(DomainError):
    """The caller is not authenticated."""

    code = "unauthorized"
    http_status = 401


class LimitExceeded(DomainError):
    """A spending or rate limit stops the request."""

    code = "limit_exceeded"
    http_status = 402


class ChargerUnavailable(DomainError):
    """The charger is not connected to any OCPP node."""

    code = "charger_offline"
    http_status = 503


class ChargerRefused(DomainError):
    """The charger answered a command with an OCPP CallError (its code in details)."""

    code = "charger_error"
    http_status = 502


class CommandTimeout(DomainError):
    """The charger did not answer in time."""

    code = "command_timeout"
    http_status = 504


class PaymentFailed(DomainError):
    """The payment provider refused or failed."""

    code = "payment_failed"
    http_status = 402


class ServiceUnavailable(Exception):
    """A service the request needs (database, Redis) is down for now; try again shortly.

    Not a DomainError: nothing about the request or the charger is wrong, so code that handles
    domain outcomes (a refused command, an offline charger) must not take it for one.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(Exception):
    """Settings from the environment are invalid."""
