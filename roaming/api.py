"""OCPI 2.2.1 endpoints, CPO role, under /ocpi: every answer in the OCPI envelope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from billing.facade import Billing
from mobility.config import Settings
from mobility.db import Database
from mobility.web.extensions import csrf
from roaming import locations, rules, sessions
from roaming.commands import Commands
from roaming.locations import Party
from roaming.partners import Caller, Partners
from roaming.tokens import Tokens
from roaming.wire import (
    CLIENT_ERROR,
    INVALID_PARAMETERS,
    SERVER_ERROR,
    UNKNOWN_LOCATION,
    VERSION,
    OcpiError,
    envelope,
    parse_time,
    presented_tokens,
)

bp = Blueprint("ocpi", __name__, url_prefix="/ocpi")
EXTENSION = "roaming.ocpi"
MAX_LIMIT = 100
CPO = f"/cpo/{VERSION}"
# Our interfaces: what the partner may pull (SENDER) or push to us (RECEIVER).
MODULES = (
    ("credentials", "SENDER", f"/{VERSION}/credentials"),
    ("credentials", "RECEIVER", f"/{VERSION}/credentials"),
    ("locations", "SENDER", f"{CPO}/locations"),
    ("tariffs", "SENDER", f"{CPO}/tariffs"),
    ("sessions", "SENDER", f"{CPO}/sessions"),
    ("cdrs", "SENDER", f"{CPO}/cdrs"),
    ("tokens", "RECEIVER", f"{CPO}/tokens"),
    ("commands", "RECEIVER", f"{CPO}/commands"),
)


@dataclass(frozen=True)
class RoamingContext:
    """What the OCPI endpoints need, built once by the composition root."""

    settings: Settings
    db: Database
    billing: Billing
    partners: Partners
    tokens: Tokens
    party: Party
    commands: Commands


def _ctx() -> RoamingContext:
    found: RoamingContext = current_app.extensions[EXTENSION]
    return found


def init_app(app: Flask, context: RoamingContext) -> None:
    """Register the OCPI endpoints (partners authenticate with credentials tokens: no CSRF)."""
    app.extensions[EXTENSION] = context
    csrf.exempt(bp)
    app.register_blueprint(bp)


def _base() -> str:
    """Where partners reach us (PUBLIC_URL, else the address this request came to)."""
    return (_ctx().settings.public_url or request.host_url).rstrip("/") + "/ocpi"


def _caller(registered: bool = True) -> Caller:
    """The partner calling; token A only opens versions and credentials (spec: 401)."""
    caller = _ctx().partners.caller(presented_tokens(request.headers.get("Authorization")))
    if caller is None or (registered and not caller.registered):
        raise OcpiError(CLIENT_ERROR, "unknown or unusable credentials token", http_status=401)
    return caller


def ok(data: Any = None, headers: dict[str, str] | None = None) -> Response:
    """A success envelope."""
    response = jsonify(envelope(data))
    response.headers.update(headers or {})
    return response


@bp.errorhandler(OcpiError)
def _refused(exc: OcpiError) -> Any:
    return jsonify(envelope(None, exc.status_code, exc.message)), exc.http_status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Any:
    code = exc.code or 500
    status = SERVER_ERROR if code >= 500 else CLIENT_ERROR
    return jsonify(envelope(None, status, exc.description or exc.name)), code


@bp.after_request
def _ids(response: Response) -> Response:
    # X-Request-ID and X-Correlation-ID come back as they were sent (transport and format).
    for header in ("X-Request-ID", "X-Correlation-ID"):
        if header in request.headers:
            response.headers[header] = request.headers[header]
    return response


def _body() -> Any:
    body = request.get_json(silent=True)
    if body is None:
        raise OcpiError(INVALID_PARAMETERS, "the body must be JSON")
    return body


# -- versions and credentials ----------------------------------------------------------------


@bp.get("/versions")
def versions() -> Response:
    """The OCPI versions we speak."""
    _caller(registered=False)
    return ok([{"version": VERSION, "url": f"{_base()}/{VERSION}"}])


@bp.get(f"/{VERSION}")
def version_details() -> Response:
    """Our 2.2.1 endpoints."""
    _caller(registered=False)
    base = _base()
    endpoints = [{"identifier": m, "role": r, "url": base + path} for m, r, path in MODULES]
    return ok({"version": VERSION, "endpoints": endpoints})


@bp.get(f"/{VERSION}/credentials")
def get_credentials() -> Response:
    """Our credentials object, with the token the caller uses to reach us."""
    _caller(registered=False)
    presented = presented_tokens(request.headers.get("Authorization"))
    return ok(_ctx().partners.credentials(presented[0], f"{_base()}/versions"))


@bp.post(f"/{VERSION}/credentials")
def post_credentials() -> Response:
    """Registration with token A: we read the partner's endpoints and answer token C."""
    caller = _caller(registered=False)
    return ok(_ctx().partners.register(caller, _body(), f"{_base()}/versions"))


@bp.put(f"/{VERSION}/credentials")
def put_credentials() -> Response:
    """Update: new token B and endpoints, a new token C."""
    caller = _caller(registered=False)
    return ok(_ctx().partners.update(caller, _body(), f"{_base()}/versions"))


@bp.delete(f"/{VERSION}/credentials")
def delete_credentials() -> Response:
    """Unregister: both tokens stop working."""
    _ctx().partners.unregister(_caller(registered=False))
    return ok()


# -- paginated lists --------------------------------------------------------------------------


def _window() -> rules.Window:
    args = request.args
    try:
        offset = int(args.get("offset", 0))
        limit = min(int(args.get("limit", MAX_LIMIT)), MAX_LIMIT)
    except ValueError:
        raise OcpiError(INVALID_PARAMETERS, "offset and limit must be integers") from None
    if offset < 0 or limit < 1:
        raise OcpiError(INVALID_PARAMETERS, "offset must be >= 0 and limit >= 1")
    start, end = args.get("date_from"), args.get("date_to")
    return rules.Window(
        offset,
        limit,
        parse_time(start, "date_from") if start else None,
        parse_time(end, "date_to") if end else None,
    )


def _paged(items: list[dict[str, Any]], total: int, window: rules.Window) -> Response:
    headers = {"X-Total-Count": str(total), "X-Limit": str(window.limit)}
    url = request.base_url
    link = rules.link_next(url, window.offset, window.limit, total, request.args)
    if link is not None:
        headers["Link"] = link
    return ok(items, headers)


def _in_window(objects: list[dict[str, Any]], window: rules.Window) -> Response:
    """Paginate a list built in memory (locations, tariffs: a district has few of them)."""
    kept = [o for o in objects if window.holds(parse_time(o["last_updated"], "last_updated"))]
    return _paged(kept[window.offset : window.offset + window.limit], len(kept), window)


@bp.get(f"{CPO}/locations")
def list_locations() -> Response:
    """Our Locations (hubs with public chargers), live EVSE status."""
    _caller()
    window, ctx = _window(), _ctx()
    with ctx.db.sessions() as s:
        found = locations.all_locations(s, ctx.party)
    return _in_window(found, window)


@bp.get(f"{CPO}/locations/<location_id>")
@bp.get(f"{CPO}/locations/<location_id>/<evse_uid>")
@bp.get(f"{CPO}/locations/<location_id>/<evse_uid>/<connector_id>")
def get_location(
    location_id: str, evse_uid: str | None = None, connector_id: str | None = None
) -> Response:
    """One Location, EVSE or Connector."""
    _caller()
    ctx = _ctx()
    with ctx.db.sessions() as s:
        found = next(
            (x for x in locations.all_locations(s, ctx.party) if x["id"] == location_id), None
        )
    if found is None:
        raise OcpiError(UNKNOWN_LOCATION, "unknown location", http_status=404)
    if evse_uid is None:
        return ok(found)
    evse = _one(found["evses"], "uid", evse_uid)
    return ok(evse if connector_id is None else _one(evse["connectors"], "id", connector_id))


def _one(items: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    for item in items:
        if item[key] == value:
            return item
    raise OcpiError(UNKNOWN_LOCATION, f"unknown {key} {value}", http_status=404)


@bp.get(f"{CPO}/tariffs")
def list_tariffs() -> Response:
    """Our public charging tariffs, exported as they are stored."""
    _caller()
    window, ctx = _window(), _ctx()
    with ctx.db.sessions() as s:
        found = [locations.tariff_object(t, ctx.party) for t in locations.public_tariffs(s)]
    return _in_window(found, window)


def _sessions_page(cdrs: bool) -> Response:
    caller, window, ctx = _caller(), _window(), _ctx()
    with ctx.db.sessions() as s:
        items, total = sessions.page(s, ctx.billing, caller.partner_id, ctx.party, window, cdrs)
    return _paged(items, total, window)


@bp.get(f"{CPO}/sessions")
def list_sessions() -> Response:
    """The caller's drivers' sessions, live ones with their cost so far."""
    return _sessions_page(cdrs=False)


@bp.get(f"{CPO}/cdrs")
def list_cdrs() -> Response:
    """The caller's CDRs (settled sessions)."""
    return _sessions_page(cdrs=True)


# -- tokens (receiver) ------------------------------------------------------------------------

TOKEN_PATH = f"{CPO}/tokens/<country_code>/<party_id>/<token_uid>"


def _token_key(country_code: str, party_id: str, token_uid: str) -> tuple[str, str, str, str]:
    return country_code, party_id, token_uid, request.args.get("type", "RFID")


def _token_view(action: Callable[..., Any]) -> Callable[..., Response]:
    def view(country_code: str, party_id: str, token_uid: str) -> Response:
        return ok(action(_caller(), _token_key(country_code, party_id, token_uid)))

    return view


bp.add_url_rule(
    TOKEN_PATH, "get_token", _token_view(lambda c, k: _ctx().tokens.get(c, k)), methods=["GET"]
)
bp.add_url_rule(
    TOKEN_PATH,
    "put_token",
    _token_view(lambda c, k: _ctx().tokens.put(c, k, _body())),
    methods=["PUT"],
)
bp.add_url_rule(
    TOKEN_PATH,
    "patch_token",
    _token_view(lambda c, k: _ctx().tokens.patch(c, k, _body())),
    methods=["PATCH"],
)


# -- commands (receiver) ----------------------------------------------------------------------


@bp.post(f"{CPO}/commands/<command>")
def post_command(command: str) -> Response:
    """A partner's command: answered at once, its result POSTed to response_url later."""
    caller = _caller()
    return ok(_ctx().commands.request(caller, command, _body()))
