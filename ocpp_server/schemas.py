"""OCPP payloads checked against the version's JSON schemas, compiled once per action.

The `ocpp` library walks its schemas with jsonschema for every message (most of a station's
cost per message); the same schema files compiled to Python code (fastjsonschema) check a
payload many times faster. A violation becomes the CallError the version's OCPP-J names, and
a payload whose only fault is vendor fields the strict schema forbids is handled without them
(pruned only then: most messages carry none).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fastjsonschema
from ocpp import exceptions as ocpp_errors
from ocpp.messages import MessageType, get_validator

from ocpp_server import rules

Check = Callable[[Any], Any]
_compiled: dict[tuple[int, str, str], Check] = {}

# OCPP-J 2.0.1 error codes by the schema rule a payload breaks.
_OCCURRENCE = frozenset({"required", "minItems", "maxItems", "minProperties", "maxProperties"})
_TYPE = frozenset({"type", "maxLength", "minLength"})  # a string[36] that is longer: its type
_PROPERTY = frozenset(
    {"enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
)


def schema(message_type: int, action: str, version: str) -> dict[str, Any]:
    """The library's schema of a message (OSError, ValueError: the version has none)."""
    return dict(get_validator(message_type, action, version).schema)


def _check(message_type: int, action: str, version: str) -> Check:
    key = (message_type, action, version)
    found = _compiled.get(key)
    if found is None:
        # Formats (date-time) are not checked, as the library does not: timestamps are read
        # leniently by the adapters. Defaults are not filled in: handlers see what was sent.
        found = fastjsonschema.compile(
            schema(message_type, action, version), use_default=False, use_formats=False
        )
        _compiled[key] = found
    return found


def violation(exc: fastjsonschema.JsonSchemaValueException, version: str) -> ocpp_errors.OCPPError:
    """The CallError of a schema violation, by the rule broken and the version's names."""
    text = str(exc.message)[:200]
    if version == "1.6":
        return _violation16(exc.rule, text)
    if exc.rule in _OCCURRENCE:
        return ocpp_errors.OccurrenceConstraintViolationError(description=text)
    if exc.rule in _TYPE:
        return ocpp_errors.TypeConstraintViolationError(description=text)
    if exc.rule in _PROPERTY:
        return ocpp_errors.PropertyConstraintViolationError(description=text)
    return ocpp_errors.FormatViolationError(description=text)


def _violation16(rule: str | None, text: str) -> ocpp_errors.OCPPError:
    """OCPP-J 1.6 names: a missing field makes the payload incomplete (ProtocolError), and
    the spec spells OccurenceConstraintViolation and FormationViolation so."""
    if rule == "required":
        return ocpp_errors.ProtocolError(description=text)
    if rule in _OCCURRENCE:
        return ocpp_errors.OccurenceConstraintViolationError(description=text)
    if rule in _TYPE:
        return ocpp_errors.TypeConstraintViolationError(description=text)
    if rule in _PROPERTY:
        return ocpp_errors.PropertyConstraintViolationError(description=text)
    return ocpp_errors.FormationViolationError(description=text)


def checked_call(action: str, payload: dict[str, Any], version: str) -> dict[str, Any]:
    """A Call's payload as the schema allows it (vendor fields dropped), or the CallError."""
    check = _check(MessageType.Call, action, version)
    try:
        check(payload)
        return payload
    except fastjsonschema.JsonSchemaValueException as exc:
        if exc.rule != "additionalProperties":
            raise violation(exc, version) from None
    pruned: dict[str, Any] = rules.prune(payload, schema(MessageType.Call, action, version))
    try:
        check(pruned)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise violation(exc, version) from None
    return pruned


def check_answer(action: str, payload: dict[str, Any], version: str) -> None:
    """Our own answer must keep to the schema: if not, the charger gets InternalError."""
    try:
        _check(MessageType.CallResult, action, version)(payload)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise ocpp_errors.InternalError(
            description=f"Our answer to {action} is invalid: {exc.message}"[:200]
        ) from None
