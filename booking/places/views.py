"""The map page and its JSON: hubs with vehicles bookable now and public chargers' connectors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from booking.context import ctx
from booking.places import reader
from booking.places.cache import Built, PlacesCache
from booking.places.rules import (
    ChargerSpot,
    Place,
    VehicleSpot,
    by_distance,
    connector_state,
    etag,
    parse_origin,
    places,
)
from booking.search import Search
from mobility.clock import utcnow
from mobility.web.i18n import number

bp = Blueprint("places", __name__)
# "Bookable now" means bookable for this long from now.
WINDOW = timedelta(minutes=15)
# Clients may reuse the JSON this long, then revalidate with its ETag (304 when unchanged).
MAX_AGE = 15
# The server reads the places again at most this often (MAP_CACHE_SECONDS in the app config).
CACHE_SECONDS = 5.0
CACHE = "booking.places.cache"


def _read() -> list[Place]:
    """Every active hub with what anyone may book there now, and its public chargers."""
    now = utcnow().replace(second=0, microsecond=0)
    # Public availability (no user): one document for every visitor, so it can be cached;
    # fleet members find their company's members-only cars with the search.
    rows = ctx().bookings.search_rows(Search(start=now, end=now + WINDOW), None)
    vehicles = [
        VehicleSpot(
            r.id,
            r.code,
            r.kind,
            r.model,
            r.soc_percent,
            r.max_range_km * r.soc_percent // 100,
            r.hub_id,
        )
        for r in rows
    ]
    with ctx().db.sessions() as s:
        hubs, chargers = reader.hubs(s), reader.chargers(s)
    return places(hubs, vehicles, chargers)


def _built() -> Built:
    """The places and their JSON, from the app's cache (MAP_CACHE_SECONDS)."""
    cache: PlacesCache | None = current_app.extensions.get(CACHE)
    if cache is None:
        ttl = float(current_app.config.get("MAP_CACHE_SECONDS", CACHE_SECONDS))
        cache = current_app.extensions.setdefault(CACHE, PlacesCache(ttl))

    def build() -> tuple[list[Place], bytes, str]:
        found = _read()
        body = _body(found, None)
        return found, body, etag(body)

    return cache.get(build)


def _places(origin: tuple[float, float] | None) -> list[Place]:
    built = _built().places
    return by_distance(built, origin) if origin is not None else built


def _body(found: list[Place], origin: tuple[float, float] | None) -> bytes:
    links = _Links.now()
    doc = {
        "origin": {"lat": origin[0], "lon": origin[1]} if origin else None,
        "hubs": [_hub(p, links) for p in found],
    }
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


def distance(metres: float | None) -> str:
    """A distance for people: '350 m', '1.2 km' (in the page's locale)."""
    if metres is None:
        return ""
    if metres < 1000:
        return f"{number(int(round(metres, -1)))} m"
    return f"{number(round(metres / 1000, 1), 1)} km"


@bp.get("/map")
def map_page() -> Any:
    """The map with a list of the same places (nearest first when the visitor says where)."""
    origin = parse_origin(request.args.get("lat"), request.args.get("lon"))
    settings = ctx().settings
    return render_template(
        "places/map.html",
        places=_places(origin),
        origin=origin,
        tiles=settings.map_tiles or "",
        attribution=settings.map_tile_attribution,
        distance=distance,
        state_of=connector_state,
        texts=map_texts(),
    )


@bp.get("/map/places.json")
def places_json() -> BaseResponse:
    """The map's data: cacheable, with an ETag (304 when nothing changed)."""
    origin = parse_origin(request.args.get("lat"), request.args.get("lon"))
    built = _built()
    body = built.body if origin is None else _body(_places(origin), origin)
    resp = Response(body, mimetype="application/json")
    resp.set_etag(built.etag if origin is None else etag(body))
    resp.cache_control.public = True
    resp.cache_control.max_age = MAX_AGE
    return resp.make_conditional(request)


@dataclass(frozen=True)
class _Links:
    """Address prefixes of a document's links, built once (url_for per item costs ~0.1 ms)."""

    search: str
    vehicle: str
    charger: str

    @classmethod
    def now(cls) -> _Links:
        return cls(
            url_for("views.search_page") + "?hub_id=",
            url_for("views.vehicle", vehicle_id=0).removesuffix("0"),
            url_for("charging.charger_page", cp_id="_").removesuffix("_"),
        )


def _hub(p: Place, links: _Links) -> dict[str, Any]:
    h = p.hub
    return {
        "id": h.id,
        "name": h.name,
        "address": h.address,
        "lat": float(h.latitude),
        "lon": float(h.longitude),
        "distance_m": round(p.distance_m) if p.distance_m is not None else None,
        "url": f"{links.search}{h.id}",
        "available": p.available,
        "vehicles": [_vehicle(v, links) for v in p.vehicles],
        "chargers": [_charger(c, links) for c in p.chargers],
    }


def _vehicle(v: VehicleSpot, links: _Links) -> dict[str, Any]:
    return {
        "id": v.id,
        "code": v.code,
        "kind": v.kind,
        "model": v.model,
        "soc": v.soc_percent,
        "range_km": v.range_km,
        "url": f"{links.vehicle}{v.id}",
    }


def _charger(c: ChargerSpot, links: _Links) -> dict[str, Any]:
    return {
        "id": c.charge_point_id,
        "name": c.name or c.charge_point_id,
        "url": links.charger + quote(c.charge_point_id, safe=""),
        "online": c.online,
        "free": c.free,
        "total": len(c.connectors),
        "connectors": [
            {
                "id": k.connector_id,
                "state": connector_state(c.online, k).value,
                "standard": k.standard,
                "power_kw": (k.max_power_w or 0) / 1000 or None,
            }
            for k in c.connectors
        ],
    }


# Message ids shared by the page's list (ngettext in the template) and the map's script.
EBIKES = ("%(num)s e-bike free", "%(num)s e-bikes free")
ECARS = ("%(num)s e-car free", "%(num)s e-cars free")
CONNECTORS = "%(free)s of %(total)s connectors free"


def _n(forms: tuple[str, str], n: int) -> str:
    """One plural form with "{n}" left in place for the script."""
    return str(get_translations().ngettext(forms[0], forms[1], n)).replace("%(num)s", "{n}")


def map_texts() -> dict[str, Any]:
    """What the map's script writes, in the page's language (plural forms: one, other)."""
    return {
        "ebike": [_n(EBIKES, 1), _n(EBIKES, 2)],
        "ecar": [_n(ECARS, 1), _n(ECARS, 2)],
        "none": _("No vehicle free right now."),
        "connectors": _(CONNECTORS, free="{free}", total="{total}"),
        "free": _("free"),
        "busy": _("in use"),
        "out_of_order": _("out of order"),
        "offline": _("charger offline"),
        "charge": _("Charge here"),
        "find": _("All vehicles here"),
        "you": _("You are here"),
        "denied": _("Your position is not available: allow it in the browser, or use the list."),
        "locating": _("Finding your position…"),
    }
