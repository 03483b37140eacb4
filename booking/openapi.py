"""OpenAPI 3.1 description of the citizen and operator JSON APIs, written as data."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_TIME = {"type": "string", "format": "date-time"}
_PAGED: list[dict[str, Any]] = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
    },
]


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


SCHEMAS: dict[str, Any] = {
    "Error": _obj(
        ["error", "message"],
        error={"type": "string"},
        message={"type": "string"},
        details={"type": "object"},
    ),
    "Page": _obj(
        ["items", "page", "per_page", "total", "pages"],
        items={"type": "array"},
        page={"type": "integer"},
        per_page={"type": "integer"},
        total={"type": "integer"},
        pages={"type": "integer"},
    ),
    "Vehicle": _obj(
        ["id", "kind", "soc_percent", "range_km"],
        id={"type": "integer"},
        code={"type": "string"},
        kind={"enum": ["ebike", "ecar"]},
        hub_id={"type": ["integer", "null"]},
        soc_percent={"type": "integer"},
        range_km={"type": "integer"},
        state={"type": "string"},
    ),
    "Quote": _obj(
        ["currency", "total_minor", "lines"],
        currency={"type": "string"},
        total_minor={"type": "integer"},
        excl_vat_minor={"type": "integer"},
        vat_minor={"type": "integer"},
        lines={"type": "array"},
    ),
    "Booking": _obj(
        ["id", "status", "start", "end"],
        id={"type": "integer"},
        vehicle_id={"type": "integer"},
        status={"type": "string"},
        start=_TIME,
        end=_TIME,
        quote_minor={"type": "integer"},
        company_id={"type": ["integer", "null"]},
        charged={
            "type": ["object", "null"],
            "description": "What was invoiced (trip or cancellation fee) and collected",
        },
    ),
    "Trip": _obj(
        ["id", "status"],
        id={"type": "integer"},
        status={"type": "string"},
        started_at=_TIME,
        ended_at={"type": ["string", "null"]},
        price_minor={"type": ["integer", "null"]},
    ),
    "Invoice": _obj(
        ["number", "total_minor", "lines"],
        number={"type": "string"},
        total_minor={"type": "integer"},
        lines={"type": "array"},
    ),
    "Licence": _obj(
        ["number", "country", "expires_on"],
        number={"type": "string", "description": "4-20 letters and digits"},
        country={"type": "string", "description": "ISO 3166-1 alpha-2 of the issuing country"},
        expires_on={"type": "string", "format": "date"},
    ),
    "EmailChange": _obj(
        ["email", "password"], email={"type": "string"}, password={"type": "string"}
    ),
    "PasswordChange": _obj(
        ["current_password", "new_password"],
        current_password={"type": "string"},
        new_password={"type": "string", "minLength": 10},
    ),
    "Password": _obj(["password"], password={"type": "string"}),
    "Reason": _obj(["reason"], reason={"type": "string"}),
    "BookingRequest": _obj(
        ["vehicle_id", "end"],
        vehicle_id={"type": "integer"},
        start={"oneOf": [_TIME, {"const": "now"}]},
        end=_TIME,
        company_id={"type": "integer"},
        min_soc={"type": "integer", "minimum": 0, "maximum": 100},
    ),
}

# (method, path, summary, request schema, success code, response schema, needs auth)
ROUTES: list[tuple[str, str, str, str | None, int, str | None, bool]] = [
    (
        "post",
        "/api/v1/accounts",
        "Register a citizen account (the same 202 for new and taken addresses; a mail follows)",
        None,
        202,
        None,
        False,
    ),
    (
        "post",
        "/api/v1/tokens",
        "Exchange email and password for a bearer token",
        None,
        201,
        None,
        False,
    ),
    (
        "delete",
        "/api/v1/tokens/current",
        "Revoke the bearer token of this request",
        None,
        204,
        None,
        True,
    ),
    ("get", "/api/v1/me", "Caller profile and company memberships", None, 200, None, True),
    (
        "post",
        "/api/v1/me/card",
        "Start saving a payment card (Stripe SetupIntent client secret)",
        None,
        201,
        None,
        True,
    ),
    (
        "post",
        "/api/v1/me/card/confirm",
        "Keep the card of a succeeded setup ({setup_intent})",
        None,
        200,
        None,
        True,
    ),
    (
        "get",
        "/api/v1/me/licence",
        "The caller's driving licence and whether an operator checked it",
        None,
        200,
        None,
        True,
    ),
    (
        "put",
        "/api/v1/me/licence",
        "Enter or change the driving licence; e-cars need it checked, new details are checked anew",
        "Licence",
        200,
        None,
        True,
    ),
    (
        "post",
        "/api/v1/me/email",
        "Move to another e-mail address: a link mailed there confirms it (202, same for taken)",
        "EmailChange",
        202,
        None,
        True,
    ),
    (
        "post",
        "/api/v1/me/password",
        "Change the password; every other session and token is revoked (this token stays)",
        "PasswordChange",
        200,
        None,
        True,
    ),
    (
        "get",
        "/api/v1/me/export",
        "Everything held about the caller: profile, bookings, trips, charging, invoices, cards",
        None,
        200,
        None,
        True,
    ),
    (
        "delete",
        "/api/v1/me",
        "Delete the account (GDPR erasure; invoices kept); 409 while a booking, trip or "
        "charging session is open or money is owed",
        "Password",
        204,
        None,
        True,
    ),
    ("get", "/api/v1/hubs", "Hubs with their vehicles", None, 200, "Page", False),
    (
        "get",
        "/api/v1/vehicles",
        "Search free vehicles (start, end, hub_id, kind, min_soc, min_range_km)",
        None,
        200,
        "Page",
        False,
    ),
    ("get", "/api/v1/vehicles/{vehicle_id}", "Vehicle detail", None, 200, "Vehicle", False),
    ("post", "/api/v1/quotes", "Price a planned booking", "BookingRequest", 200, "Quote", True),
    (
        "post",
        "/api/v1/bookings",
        "Book a vehicle (409 slot_taken)",
        "BookingRequest",
        201,
        "Booking",
        True,
    ),
    ("get", "/api/v1/bookings", "My bookings", None, 200, "Page", True),
    ("get", "/api/v1/bookings/{booking_id}", "One of my bookings", None, 200, "Booking", True),
    (
        "patch",
        "/api/v1/bookings/{booking_id}",
        "Move or resize a booking",
        "BookingRequest",
        200,
        "Booking",
        True,
    ),
    (
        "post",
        "/api/v1/bookings/{booking_id}/cancel",
        "Cancel a booking ({accept_fee_minor}: 409 fee_not_accepted when the fee is higher)",
        None,
        200,
        None,
        True,
    ),
    (
        "get",
        "/api/v1/bookings/{booking_id}/cancellation",
        "What cancelling now would cost (fee_minor, free)",
        None,
        200,
        None,
        True,
    ),
    (
        "post",
        "/api/v1/bookings/{booking_id}/extend",
        "End a booking later, a trip under way too ({end} or {minutes}; every booking check)",
        None,
        200,
        "Booking",
        True,
    ),
    (
        "get",
        "/api/v1/trips/{trip_id}/live",
        "A trip's running time and price so far (elapsed_s, price_minor, price_text)",
        None,
        200,
        None,
        True,
    ),
    (
        "post",
        "/api/v1/vehicles/{vehicle_id}/reports",
        "Report a problem (multipart: category, description, unsafe=yes, photo, trip_id)",
        None,
        201,
        None,
        True,
    ),
    (
        "get",
        "/api/v1/operator/problem-reports",
        "Problem reports, unsafe first (?status=open|resolved, ?vehicle_id=) (operator)",
        None,
        200,
        "Page",
        True,
    ),
    (
        "get",
        "/api/v1/operator/problem-reports/{report_id}/photo",
        "A problem report's photo (operator)",
        None,
        200,
        None,
        True,
    ),
    (
        "post",
        "/api/v1/bookings/{booking_id}/start",
        "Unlock and start the trip",
        None,
        201,
        "Trip",
        True,
    ),
    (
        "post",
        "/api/v1/trips/{trip_id}/end",
        "Lock at a hub, end the trip, get the receipt",
        None,
        200,
        None,
        True,
    ),
    ("get", "/api/v1/trips", "My trips", None, 200, "Page", True),
    ("get", "/api/v1/trips/{trip_id}/receipt", "Receipt of a trip", None, 200, "Invoice", True),
    (
        "get",
        "/api/v1/bookings/{booking_id}/receipt",
        "Invoice of a booking (its trip or its late cancellation fee)",
        None,
        200,
        "Invoice",
        True,
    ),
    (
        "get",
        "/api/v1/operator/chargers",
        "Chargers with live status (operator)",
        None,
        200,
        "Page",
        True,
    ),
    ("get", "/api/v1/operator/chargers/{cp_id}", "One charger (operator)", None, 200, None, True),
    (
        "get",
        "/api/v1/operator/transactions",
        "Charging sessions (operator)",
        None,
        200,
        "Page",
        True,
    ),
    (
        "get",
        "/api/v1/operator/chargers/{cp_id}/commands",
        "Command history (operator)",
        None,
        200,
        "Page",
        True,
    ),
    (
        "post",
        "/api/v1/operator/chargers/{cp_id}/commands/{action}",
        "Send an OCPP command of the charger's version; body is the camelCase payload (operator)",
        None,
        200,
        None,
        True,
    ),
    (
        "get",
        "/api/v1/operator/licences",
        "Citizens' driving licences; ?status=pending (default), verified or all (operator)",
        None,
        200,
        "Page",
        True,
    ),
    (
        "post",
        "/api/v1/operator/users/{user_id}/licence/verify",
        "Mark a citizen's driving licence checked (operator)",
        None,
        200,
        None,
        True,
    ),
    (
        "post",
        "/api/v1/operator/users/{user_id}/licence/reject",
        "Refuse a citizen's driving licence with a reason; they are mailed why (operator)",
        "Reason",
        200,
        None,
        True,
    ),
    (
        "get",
        "/api/v1/operator/security-events",
        "Chargers' security events; ?critical=true&open=true for unacknowledged critical ones",
        None,
        200,
        "Page",
        True,
    ),
    (
        "post",
        "/api/v1/operator/security-events/{event_id}/acknowledge",
        "Acknowledge a security event (operator)",
        None,
        200,
        None,
        True,
    ),
    (
        "get",
        "/api/v1/operator/chargers/{cp_id}/certificates",
        "A charger's certificates: signed, requested, installed (operator)",
        None,
        200,
        "Page",
        True,
    ),
    (
        "put",
        "/api/v1/operator/chargers/{cp_id}/security-profile",
        "Set the lowest OCPP security profile accepted from a charger (operator)",
        None,
        200,
        None,
        True,
    ),
]


def _operation(
    path: str,
    summary: str,
    req: str | None,
    code: int,
    resp: str | None,
    auth: bool,
    method: str,
) -> dict[str, Any]:
    params = [
        {
            "name": seg[1:-1],
            "in": "path",
            "required": True,
            "schema": {
                "type": "integer" if seg.endswith("_id}") and "cp_id" not in seg else "string"
            },
        }
        for seg in path.split("/")
        if seg.startswith("{")
    ]
    if method == "get" and resp == "Page":
        params += _PAGED
    body = {
        "description": "OK",
        "content": {
            "application/json": {
                "schema": {"$ref": f"#/components/schemas/{resp}"} if resp else {"type": "object"}
            }
        },
    }
    op: dict[str, Any] = {
        "summary": summary,
        "parameters": params,
        "responses": {
            str(code): body,
            "4XX": {"description": "Error", "content": {"application/json": {"schema": _ERROR}}},
        },
    }
    if req:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{req}"}}},
        }
    if auth:
        op["security"] = [{"bearer": []}, {"session": []}]
    return op


def document() -> dict[str, Any]:
    """The OpenAPI document served at /api/v1/openapi.json."""
    paths: dict[str, dict[str, Any]] = {}
    for method, path, summary, req, code, resp, auth in ROUTES:
        paths.setdefault(path, {})[method] = _operation(
            path, summary, req, code, resp, auth, method
        )
    return {
        "openapi": "3.1.0",
        "info": {"title": "Mobility hub platform API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
