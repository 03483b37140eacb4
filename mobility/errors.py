"""Domain errors raised by services and translated at the edges (HTTP, OCPP)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of all expected, user-facing failures."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
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
