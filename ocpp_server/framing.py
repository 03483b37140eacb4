"""OCPP-J framing shared by the adapters: CallErrors for unroutable frames, command requests."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
from collections.abc import Awaitable, Callable
from decimal import InvalidOperation
from types import ModuleType
from typing import Any, TypeVar

from ocpp import exceptions as ocpp_errors
from ocpp.charge_point import (
    camel_to_snake_case,
    remove_nones,
    serialize_as_dict,
    snake_to_camel_case,
)
from ocpp.exceptions import OCPPError
from ocpp.messages import MessageType
from sqlalchemy import exc as db_errors

from mobility.errors import (
    ChargerRefused,
    DomainError,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)

log = logging.getLogger(__name__)

# CallErrors that mean "the payload we sent was wrong", not "the charger said no".
PAYLOAD_ERRORS = (
    "FormatViolationError",
    "TypeConstraintViolationError",
    "PropertyConstraintViolationError",
    "ValidationError",
    "FormationViolationError",
    "OccurrenceConstraintViolationError",
    "ProtocolError",
)


def frame_error(raw: str | bytes, code: str, description: str) -> str:
    """A CallError for a frame we could not route, echoing its unique id when readable."""
    unique_id = "-1"
    try:
        parsed = json.loads(raw)
        if isinstance(parsed, list) and len(parsed) > 1 and isinstance(parsed[1], str):
            unique_id = parsed[1]
    except (ValueError, TypeError):
        pass
    return json.dumps([MessageType.CallError, unique_id, code, description, {}])


def error_frame(unique_id: str, exc: OCPPError) -> str:
    """A CallError answering the call `unique_id` with the error's code and description."""
    return json.dumps([MessageType.CallError, unique_id, exc.code, exc.description, {}])


# camelCase -> snake_case key names met so far: the same few dozen come in every message, and
# the library's regular expressions per key were a tenth of a station's cost per message.
_SNAKE: dict[str, str] = {}
_SNAKE_LIMIT = 10_000  # vendor keys inside customData vary: do not grow without bound


def snake_keys(data: Any) -> Any:
    """The library's camel_to_snake_case (same names), each key converted once."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            name = _SNAKE.get(key)
            if name is None:
                name = next(iter(camel_to_snake_case({key: None})))
                if len(_SNAKE) < _SNAKE_LIMIT:
                    _SNAKE[key] = name
            out[name] = snake_keys(value)
        return out
    if isinstance(data, list):
        return [snake_keys(v) for v in data]
    return data


def answer_body(result: Any) -> dict[str, Any]:
    """A handler's call_result dataclass as the CallResult payload (camelCase, no nulls)."""
    if not any(getattr(result, f.name) is not None for f in dataclasses.fields(result)):
        return {}  # most answers to routine reports: nothing to convert
    body: dict[str, Any] = snake_to_camel_case(remove_nones(serialize_as_dict(result)))
    return body


def request(
    call: ModuleType, catalogue: tuple[str, ...], action: str, payload: dict[str, Any]
) -> Any:
    """The library's call object for a command (camelCase payload), or a clear ValidationFailed."""
    if action not in catalogue:
        raise ValidationFailed(f"Unsupported command {action!r}.", code="unknown_command")
    fields = camel_to_snake_case(payload)
    cls = getattr(call, action)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(fields) - known)
    if unknown:
        names = ", ".join(snake_to_camel_case(n) for n in unknown)
        raise ValidationFailed(f"{action} has no field {names}.", field=unknown[0])
    missing = sorted(
        snake_to_camel_case(f.name)
        for f in dataclasses.fields(cls)
        if f.name not in fields
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    )
    if missing:
        raise ValidationFailed(f"{action} needs {', '.join(missing)}.", field=missing[0])
    return cls(**fields)


def charger_error(cp_id: str, action: str, exc: OCPPError) -> DomainError:
    """A charger's CallError (or our own schema check's), as the operator should see it."""
    if type(exc).__name__ in PAYLOAD_ERRORS:
        return ValidationFailed(f"Invalid {action} payload: {exc.description}")
    return ChargerRefused(
        f"Charger {cp_id} answered {action} with {exc.code}: {exc.description}",
        charger_code=exc.code,
    )


def call_error(exc: BaseException) -> OCPPError:
    """The CallError a charger should get for what went wrong while handling its call.

    Domain errors and unreadable values are the charger's to fix (or nobody's), and say so;
    only our own failures are InternalError, with a hint to send again when storage is away.
    """
    if isinstance(exc, OCPPError):
        return exc
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if isinstance(exc, ValidationFailed):
        return ocpp_errors.PropertyConstraintViolationError(description=text[:200])
    if isinstance(exc, Unauthorized | Forbidden):
        return ocpp_errors.SecurityError(description=text[:200])
    if isinstance(exc, NotFound | DomainError):
        return ocpp_errors.GenericError(description=text[:200])
    if isinstance(exc, db_errors.DataError | OverflowError):
        return ocpp_errors.PropertyConstraintViolationError(
            description="A value is out of the range we can store"
        )
    if isinstance(exc, ValueError | TypeError | KeyError | InvalidOperation):
        return ocpp_errors.TypeConstraintViolationError(
            description=f"Unreadable value: {text[:160]}"
        )
    if isinstance(exc, db_errors.OperationalError | db_errors.InterfaceError):
        return ocpp_errors.InternalError(description="Storage unavailable; send again later")
    log.error("unexpected error handling a charger's call", exc_info=exc)
    return ocpp_errors.InternalError(description="Unexpected error; send again later")


Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


def translated_errors(handler: Handler) -> Handler:
    """Decorate a charger-call handler: its failures become the right CallError."""

    @functools.wraps(handler)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await handler(*args, **kwargs)
        except Exception as exc:
            raise call_error(exc) from exc

    return wrapper  # type: ignore[return-value]
