"""OpenAPI 3.1 description of the citizen and operator JSON APIs, written as data."""

from __future__ import annotations

from typing import Any, NamedTuple

from billing.tariffs import DAYS

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
_MONEY = {
    "type": "string",
    "pattern": r"^-?[0-9]+(\.[0-9]+)?$",
    "description": "Major units of `currency` ('0.18'), up to 4 decimals for a price per unit",
}
_DECIMAL = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


def _exact(**props: Any) -> dict[str, Any]:
    """An object with exactly these properties, every one present (null where stated)."""
    return {
        "type": "object",
        "required": list(props),
        "properties": props,
        "additionalProperties": False,
    }


def _null(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


class Route(NamedTuple):
    """One documented operation; `items` types a Page's items, `errors` its Error answers."""

    method: str
    path: str
    summary: str
    request: str | None
    code: int
    response: str | None
    auth: bool
    items: str | None = None
    query: tuple[dict[str, Any], ...] = ()
    errors: tuple[tuple[int, str], ...] = ()


_VEHICLE: dict[str, Any] = {
    "id": {"type": "integer"},
    "code": {"type": "string"},
    "kind": {"enum": ["ebike", "ecar"]},
    "model": {"type": "string"},
    "hub_id": {"type": ["integer", "null"]},
    "state": {"type": "string"},
    "soc_percent": {"type": "integer"},
    "range_km": {"type": "integer"},
    "seats": {"type": "integer"},
    "plate": {"type": ["string", "null"]},
}

# Where a 2.0.1 station reports something: its device model's component and variable.
_PLACE: dict[str, Any] = {
    "component": {"type": "string"},
    "component_instance": {"type": ["string", "null"]},
    "evse_id": {"type": ["integer", "null"], "description": "Null: the station as a whole"},
    "connector_id": {"type": ["integer", "null"]},
    "variable": {"type": "string"},
    "variable_instance": {"type": ["string", "null"]},
}

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
    "Vehicle": _obj(["id", "kind", "soc_percent", "range_km"], **_VEHICLE),
    "VehicleDetail": _exact(**_VEHICLE, prices=_ref("PriceList"), pickup=_ref("Pickup")),
    "PriceList": _exact(
        tariff={"type": "string"},
        currency={"type": "string", "description": "ISO 4217"},
        components={"type": "array", "items": _ref("PriceComponent")},
        caps={"type": "array", "items": _ref("PriceCap")},
        vat_percents={
            "type": "array",
            "items": _DECIMAL,
            "description": "The VAT rates of the prices, lowest first",
        },
    ),
    "PriceComponent": _exact(
        dimension={
            "enum": ["FLAT", "TIME", "PARKING_TIME", "ENERGY", "DISTANCE"],
            "description": "FLAT: unlock fee; TIME: use; PARKING_TIME: parked; DISTANCE: driven",
        },
        unit={"enum": ["trip", "minute", "km", "kWh"]},
        price_incl_vat={**_MONEY, "description": "Per `unit`, VAT included (what is paid)"},
        price_excl_vat={**_MONEY, "description": "Per `unit`, before VAT"},
        vat_percent=_DECIMAL,
        step=_null({"type": "integer", "minimum": 2}),
        step_unit=_null({"enum": ["second", "m", "Wh"]}),
        restrictions=_null(_ref("TariffRestrictions")),
    ),
    "TariffRestrictions": {
        "type": "object",
        "description": "When the price applies (OCPI 2.2.1 TariffRestrictions; only set fields)",
        "additionalProperties": False,
        "properties": {
            "start_time": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
            "end_time": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
            "start_date": {"type": "string", "format": "date"},
            "end_date": {"type": "string", "format": "date"},
            **{k: _DECIMAL for k in ("min_kwh", "max_kwh", "min_power", "max_power")},
            **{k: _DECIMAL for k in ("min_current", "max_current")},
            "min_duration": {"type": "integer", "description": "Seconds"},
            "max_duration": {"type": "integer", "description": "Seconds"},
            "day_of_week": {"type": "array", "items": {"enum": list(DAYS)}},
            "reservation": {"enum": ["RESERVATION", "RESERVATION_EXPIRES"]},
        },
    },
    "PriceCap": _exact(
        kind={
            "enum": ["daily_cap", "min_price", "max_price"],
            "description": "Daily maximum, minimum or maximum price of a trip",
        },
        amount_incl_vat=_null({**_MONEY, "description": "Null when prices have several rates"}),
        amount_excl_vat=_null(_MONEY),
    ),
    "Pickup": _exact(
        at=_TIME,
        soc_percent={"type": "integer", "minimum": 0, "maximum": 100},
        range_km={"type": "integer"},
        source={
            "enum": ["charging_plan", "last_reading"],
            "description": "The smart-charging plan's expected charge, else the last reading",
        },
        consumption_kwh_per_100km=_null(_DECIMAL),
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
    "ChargerVariable": _exact(
        **_PLACE,
        attribute_type={"enum": ["Actual", "Target", "MinSet", "MaxSet"]},
        value={"type": ["string", "null"]},
        mutability={"enum": ["ReadOnly", "WriteOnly", "ReadWrite", None]},
        data_type={"type": ["string", "null"], "description": "OCPP DataEnumType"},
        unit={"type": ["string", "null"]},
        reboot_required={"type": "boolean"},
        updated_at=_null(_TIME),
    ),
    "ChargerMonitor": _exact(
        id={"type": "integer", "description": "The station's monitor id"},
        **_PLACE,
        type={
            "enum": [
                "UpperThreshold",
                "LowerThreshold",
                "Delta",
                "Periodic",
                "PeriodicClockAligned",
            ]
        },
        value=_DECIMAL,
        severity={"type": "integer", "minimum": 0, "maximum": 9},
        transaction={"type": "boolean", "description": "Only monitored during a transaction"},
        updated_at=_null(_TIME),
    ),
    "DeviceEvent": _exact(
        event_id={"type": "integer"},
        timestamp=_TIME,
        trigger={"enum": ["Alerting", "Delta", "Periodic"]},
        notification_type={
            "enum": [
                "HardWiredNotification",
                "HardWiredMonitor",
                "PreconfiguredMonitor",
                "CustomMonitor",
            ]
        },
        **_PLACE,
        actual_value={"type": "string"},
        cause={"type": ["integer", "null"], "description": "The event_id that caused this one"},
        tech_code={"type": ["string", "null"]},
        tech_info={"type": ["string", "null"]},
        cleared={"type": ["boolean", "null"]},
        transaction_id={"type": ["string", "null"]},
        monitor_id={"type": ["integer", "null"]},
        severity={
            "type": ["integer", "null"],
            "description": "Of the monitor that fired, 0 (danger) to 9 (debug)",
        },
    ),
    "CustomerInformation": _exact(
        charger={"type": "string"},
        request_id={"type": "integer"},
        complete={"type": "boolean", "description": "The last part and every one before it came"},
        parts={"type": "integer", "description": "Parts received"},
        missing_parts={"type": "array", "items": {"type": "integer"}},
        data={"type": "string", "description": "The parts' text in order"},
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

_STATION_ERRORS = (
    (401, "Not signed in"),
    (403, "Operator role required"),
    (404, "No such charger"),
)

ROUTES: list[Route] = [
    Route(
        "post",
        "/api/v1/accounts",
        "Register a citizen account (the same 202 for new and taken addresses; a mail follows)",
        None,
        202,
        None,
        False,
    ),
    Route(
        "post",
        "/api/v1/tokens",
        "Exchange email and password for a bearer token",
        None,
        201,
        None,
        False,
    ),
    Route(
        "delete",
        "/api/v1/tokens/current",
        "Revoke the bearer token of this request",
        None,
        204,
        None,
        True,
    ),
    Route("get", "/api/v1/me", "Caller profile and company memberships", None, 200, None, True),
    Route(
        "post",
        "/api/v1/me/card",
        "Start saving a payment card (Stripe SetupIntent client secret)",
        None,
        201,
        None,
        True,
    ),
    Route(
        "post",
        "/api/v1/me/card/confirm",
        "Keep the card of a succeeded setup ({setup_intent})",
        None,
        200,
        None,
        True,
    ),
    Route(
        "get",
        "/api/v1/me/licence",
        "The caller's driving licence and whether an operator checked it",
        None,
        200,
        None,
        True,
    ),
    Route(
        "put",
        "/api/v1/me/licence",
        "Enter or change the driving licence; e-cars need it checked, new details are checked anew",
        "Licence",
        200,
        None,
        True,
    ),
    Route(
        "post",
        "/api/v1/me/email",
        "Move to another e-mail address: a link mailed there confirms it (202, same for taken)",
        "EmailChange",
        202,
        None,
        True,
    ),
    Route(
        "post",
        "/api/v1/me/password",
        "Change the password; every other session and token is revoked (this token stays)",
        "PasswordChange",
        200,
        None,
        True,
    ),
    Route(
        "get",
        "/api/v1/me/export",
        "Everything held about the caller: profile, bookings, trips, charging, invoices, cards",
        None,
        200,
        None,
        True,
    ),
    Route(
        "delete",
        "/api/v1/me",
        "Delete the account (GDPR erasure; invoices kept); 409 while a booking, trip or "
        "charging session is open or money is owed",
        "Password",
        204,
        None,
        True,
    ),
    Route("get", "/api/v1/hubs", "Hubs with their vehicles", None, 200, "Page", False),
    Route(
        "get",
        "/api/v1/vehicles",
        "Search free vehicles (start, end, hub_id, kind, min_soc, min_range_km)",
        None,
        200,
        "Page",
        False,
    ),
    Route(
        "get",
        "/api/v1/vehicles/{vehicle_id}",
        "A vehicle with its price list and its charge and range at pick-up",
        None,
        200,
        "VehicleDetail",
        False,
        query=(
            {
                "name": "start",
                "schema": _TIME,
                "description": "When it would be picked up (default and earliest: now)",
            },
        ),
        errors=((404, "No such vehicle"), (422, "start is not an ISO 8601 timestamp")),
    ),
    Route(
        "post", "/api/v1/quotes", "Price a planned booking", "BookingRequest", 200, "Quote", True
    ),
    Route(
        "post",
        "/api/v1/bookings",
        "Book a vehicle (409 slot_taken)",
        "BookingRequest",
        201,
        "Booking",
        True,
    ),
    Route("get", "/api/v1/bookings", "My bookings", None, 200, "Page", True),
    Route("get", "/api/v1/bookings/{booking_id}", "One of my bookings", None, 200, "Booking", True),
    Route(
        "patch",
        "/api/v1/bookings/{booking_id}",
        "Move or resize a booking",
        "BookingRequest",
        200,
        "Booking",
        True,
    ),
    Route(
        "post",
        "/api/v1/bookings/{booking_id}/cancel",
        "Cancel a booking ({accept_fee_minor}: 409 fee_not_accepted when the fee is higher)",
        None,
        200,
        None,
        True,
    ),
    Route(
        "get",
        "/api/v1/bookings/{booking_id}/cancellation",
        "What cancelling now would cost (fee_minor, free)",
        None,
        200,
        None,
        True,
    ),
    Route(
        "post",
        "/api/v1/bookings/{booking_id}/extend",
        "End a booking later, a trip under way too ({end} or {minutes}; every booking check)",
        None,
        200,
        "Booking",
        True,
    ),
    Route(
        "get",
        "/api/v1/trips/{trip_id}/live",
        "A trip's running time and price so far (elapsed_s, price_minor, price_text)",
        None,
        200,
        None,
        True,
    ),
    Route(
        "post",
        "/api/v1/vehicles/{vehicle_id}/reports",
        "Report a problem (multipart: category, description, unsafe=yes, photo, trip_id)",
        None,
        201,
        None,
        True,
    ),
    Route(
        "get",
        "/api/v1/operator/problem-reports",
        "Problem reports, unsafe first (?status=open|resolved, ?vehicle_id=) (operator)",
        None,
        200,
        "Page",
        True,
    ),
    Route(
        "get",
        "/api/v1/operator/problem-reports/{report_id}/photo",
        "A problem report's photo (operator)",
        None,
        200,
        None,
        True,
    ),
    Route(
        "post",
        "/api/v1/bookings/{booking_id}/start",
        "Unlock and start the trip",
        None,
        201,
        "Trip",
        True,
    ),
    Route(
        "post",
        "/api/v1/trips/{trip_id}/end",
        "Lock at a hub, end the trip, get the receipt",
        None,
        200,
        None,
        True,
    ),
    Route("get", "/api/v1/trips", "My trips", None, 200, "Page", True),
    Route(
        "get", "/api/v1/trips/{trip_id}/receipt", "Receipt of a trip", None, 200, "Invoice", True
    ),
    Route(
        "get",
        "/api/v1/bookings/{booking_id}/receipt",
        "Invoice of a booking (its trip or its late cancellation fee)",
        None,
        200,
        "Invoice",
        True,
    ),
    Route(
        "get",
        "/api/v1/operator/chargers",
        "Chargers with live status (operator)",
        None,
        200,
        "Page",
        True,
    ),
    Route(
        "get", "/api/v1/operator/chargers/{cp_id}", "One charger (operator)", None, 200, None, True
    ),
    Route(
        "get",
        "/api/v1/operator/transactions",
        "Charging sessions (operator)",
        None,
        200,
        "Page",
        True,
    ),
    Route(
        "get",
        "/api/v1/operator/chargers/{cp_id}/commands",
        "Command history (operator)",
        None,
        200,
        "Page",
        True,
    ),
    Route(
        "post",
        "/api/v1/operator/chargers/{cp_id}/commands/{action}",
        "Send an OCPP command of the charger's version; body is the camelCase payload (operator)",
        None,
        200,
        None,
        True,
    ),
    Route(
        "get",
        "/api/v1/operator/chargers/{cp_id}/variables",
        "A 2.0.1 station's device model as last reported (operator)",
        None,
        200,
        "Page",
        True,
        items="ChargerVariable",
        query=({"name": "component", "schema": {"type": "string"}},),
        errors=_STATION_ERRORS,
    ),
    Route(
        "get",
        "/api/v1/operator/chargers/{cp_id}/monitors",
        "A 2.0.1 station's variable monitors as it last answered or reported them (operator)",
        None,
        200,
        "Page",
        True,
        items="ChargerMonitor",
        errors=_STATION_ERRORS,
    ),
    Route(
        "get",
        "/api/v1/operator/chargers/{cp_id}/device-events",
        "A 2.0.1 station's NotifyEvent events, newest first (operator)",
        None,
        200,
        "Page",
        True,
        items="DeviceEvent",
        query=(
            {
                "name": "severity",
                "schema": {"type": "integer", "minimum": 0, "maximum": 9},
                "description": "Only events this severe or worse (0 danger .. 9 debug)",
            },
        ),
        errors=(*_STATION_ERRORS, (422, "severity is not 0 to 9")),
    ),
    Route(
        "get",
        "/api/v1/operator/chargers/{cp_id}/customer-information/{request_id}",
        "What a 2.0.1 station answered to CustomerInformation {requestId}, its parts put "
        "together (operator)",
        None,
        200,
        "CustomerInformation",
        True,
        errors=(
            *_STATION_ERRORS[:2],
            (404, "No such charger, or nothing received for this request yet"),
        ),
    ),
    Route(
        "get",
        "/api/v1/operator/licences",
        "Citizens' driving licences; ?status=pending (default), verified or all (operator)",
        None,
        200,
        "Page",
        True,
    ),
    Route(
        "post",
        "/api/v1/operator/users/{user_id}/licence/verify",
        "Mark a citizen's driving licence checked (operator)",
        None,
        200,
        None,
        True,
    ),
    Route(
        "post",
        "/api/v1/operator/users/{user_id}/licence/reject",
        "Refuse a citizen's driving licence with a reason; they are mailed why (operator)",
        "Reason",
        200,
        None,
        True,
    ),
    Route(
        "get",
        "/api/v1/operator/security-events",
        "Chargers' security events; ?critical=true&open=true for unacknowledged critical ones",
        None,
        200,
        "Page",
        True,
    ),
    Route(
        "post",
        "/api/v1/operator/security-events/{event_id}/acknowledge",
        "Acknowledge a security event (operator)",
        None,
        200,
        None,
        True,
    ),
    Route(
        "get",
        "/api/v1/operator/chargers/{cp_id}/certificates",
        "A charger's certificates: signed, requested, installed (operator)",
        None,
        200,
        "Page",
        True,
    ),
    Route(
        "put",
        "/api/v1/operator/chargers/{cp_id}/security-profile",
        "Set the lowest OCPP security profile accepted from a charger (operator)",
        None,
        200,
        None,
        True,
    ),
]


def _parameters(route: Route) -> list[dict[str, Any]]:
    """Path parameters (ids are integers, charger ids strings), paging and the route's own."""
    params = [
        {
            "name": seg[1:-1],
            "in": "path",
            "required": True,
            "schema": {
                "type": "integer" if seg.endswith("_id}") and "cp_id" not in seg else "string"
            },
        }
        for seg in route.path.split("/")
        if seg.startswith("{")
    ]
    if route.method == "get" and route.response == "Page":
        params += _PAGED
    return params + [{"in": "query", **q} for q in route.query]


def _response_schema(route: Route) -> dict[str, Any]:
    if route.response is None:
        return {"type": "object"}
    if route.items is None:
        return _ref(route.response)
    items = {"type": "array", "items": _ref(route.items)}
    return {"allOf": [_ref(route.response), {"properties": {"items": items}}]}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(route: Route) -> dict[str, Any]:
    responses = {str(route.code): _json("OK", _response_schema(route))}
    for status, why in route.errors:
        responses[str(status)] = _json(why, _ERROR)
    responses["4XX"] = _json("Error", _ERROR)
    op: dict[str, Any] = {
        "summary": route.summary,
        "parameters": _parameters(route),
        "responses": responses,
    }
    if route.request:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(route.request)}},
        }
    if route.auth:
        op["security"] = [{"bearer": []}, {"session": []}]
    return op


def document() -> dict[str, Any]:
    """The OpenAPI document served at /api/v1/openapi.json."""
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method] = _operation(route)
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
