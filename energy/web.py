"""Smart charging for operators: a JSON API (sites, series, plans, flags) and the plan pages."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for

from energy import admin
from energy.jobs import INTERVAL_SECONDS
from energy.plot import chart
from energy.service import SmartCharging
from mobility.clock import parse_iso
from mobility.db import Database
from mobility.errors import ValidationFailed
from mobility.models import EnergyFlag, SeriesKind
from mobility.web.auth import operator_required
from mobility.web.extensions import csrf

api = Blueprint("energy_api", __name__, url_prefix="/api/v1/energy")
pages = Blueprint("energy", __name__, url_prefix="/energy", template_folder="templates")

EXTENSION = "energy"
LIMITS = {
    "grid_limit_kw": (Decimal("0.1"), Decimal(100_000)),
    "phase_limit_a": (Decimal(1), Decimal(10_000)),
    "pv_peak_kwp": (Decimal(0), Decimal(100_000)),
    "flat_price_eur_kwh": (Decimal(-10), Decimal(10)),
    "voltage_v": (Decimal(100), Decimal(1000)),
    "max_charge_kw": (Decimal("0.5"), Decimal(1000)),
}


@dataclass(frozen=True)
class EnergyContext:
    """What the smart-charging web edge needs."""

    db: Database
    service: SmartCharging


def _ctx() -> EnergyContext:
    found: EnergyContext = current_app.extensions[EXTENSION]
    return found


def init_app(app: Flask, context: EnergyContext) -> None:
    """Register the API (bearer tokens or session) and the operator's pages."""
    app.extensions[EXTENSION] = context
    csrf.exempt(api)
    app.register_blueprint(api)
    app.register_blueprint(pages)


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed("Send a JSON object (Content-Type: application/json).")
    return data


def _number(data: dict[str, Any], name: str) -> Decimal | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValidationFailed(f"{name} must be a number.", field=name)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed(f"{name} must be a number.", field=name) from None
    lo, hi = LIMITS.get(name, (Decimal("-1e9"), Decimal("1e9")))
    if not number.is_finite() or not lo <= number <= hi:
        raise ValidationFailed(f"{name} must be between {lo} and {hi}.", field=name)
    return number


def _terms(data: dict[str, Any]) -> admin.SiteTerms:
    enabled = data.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise ValidationFailed("enabled must be true or false.", field="enabled")
    voltage = _number(data, "voltage_v")
    return admin.SiteTerms(
        grid_limit_kw=_number(data, "grid_limit_kw"),
        phase_limit_a=_number(data, "phase_limit_a"),
        pv_peak_kwp=_number(data, "pv_peak_kwp"),
        flat_price_eur_kwh=_number(data, "flat_price_eur_kwh"),
        voltage_v=None if voltage is None else int(voltage),
        enabled=enabled,
    )


@api.get("/sites")
@operator_required
def list_sites() -> Any:
    """Every site with its latest plan figures and open flags."""
    return {"items": admin.sites_overview(_ctx().db)}


@api.post("/sites")
@operator_required
def create_site() -> Any:
    """Plan a hub's grid connection: {hub_id, grid_limit_kw, pv_peak_kwp?, ...}."""
    data = _body()
    hub_id = data.get("hub_id")
    if not isinstance(hub_id, int) or isinstance(hub_id, bool):
        raise ValidationFailed("hub_id must be an integer.", field="hub_id")
    site_id = admin.create_site(_ctx().db, hub_id, _terms(data))
    return _site(site_id), 201


def _site(site_id: int) -> dict[str, Any]:
    with _ctx().db.sessions() as s:
        return admin.site_json(admin.site_row(s, site_id))


@api.get("/sites/<int:site_id>")
@operator_required
def get_site(site_id: int) -> Any:
    """One site."""
    return _site(site_id)


@api.patch("/sites/<int:site_id>")
@operator_required
def update_site(site_id: int) -> Any:
    """Change limits, PV peak, flat price or enable/disable; it is planned again at once."""
    admin.update_site(_ctx().db, site_id, _terms(_body()))
    return _site(site_id)


@api.put("/sites/<int:site_id>/series/<kind>")
@operator_required
def put_series(site_id: int, kind: str) -> Any:
    """Import prices (EUR/kWh), a PV forecast (kW) or a dynamic limit (kW) per 15 minutes.

    Body: {"values": [{"start": "2026-11-27T14:00:00Z", "value": 0.21}, ...]}.
    """
    if kind not in {k.value for k in SeriesKind}:
        raise ValidationFailed("kind is price, pv or limit.", field="kind")
    values = _body().get("values")
    if not isinstance(values, list):
        raise ValidationFailed("values must be a list of {start, value}.", field="values")
    points = [_point(v) for v in values]
    stored = admin.put_series(_ctx().db, site_id, SeriesKind(kind), points)
    return {"stored": stored}


def _point(item: Any) -> tuple[datetime, Decimal]:
    if not isinstance(item, dict) or not isinstance(item.get("start"), str):
        raise ValidationFailed("each value is {start, value}.", field="values")
    try:
        at = parse_iso(item["start"])
    except ValueError:
        raise ValidationFailed("start must be an ISO 8601 timestamp.", field="values") from None
    value = item.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationFailed("value must be a number.", field="values")
    return at, Decimal(str(value))


@api.get("/sites/<int:site_id>/plan")
@operator_required
def get_plan(site_id: int) -> Any:
    """The site's latest plan: per-slot load, limit, PV, price; connectors; bookings; flags."""
    with _ctx().db.sessions() as s:
        admin.site_row(s, site_id)
        plan = admin.latest_plan(s, site_id)
        body = None if plan is None else {**plan.body, "created_at": plan.created_at.isoformat()}
    return {"plan": body, "flags": admin.open_flags(_ctx().db, site_id)}


@api.post("/sites/<int:site_id>/plan")
@operator_required
def replan(site_id: int) -> Any:
    """Plan the site now and steer its chargers; answers what was sent."""
    with _ctx().db.sessions() as s:
        admin.site_row(s, site_id)
    run = _ctx().service.run_site(site_id, force=True)
    steering = run.steering
    return {
        "plan_id": run.plan_id,
        "sent": steering.sent,
        "unchanged": steering.unchanged,
        "offline": steering.offline,
        "refused": steering.refused,
    }


@api.get("/flags")
@operator_required
def list_flags() -> Any:
    """Open flags: bookings expected short, chargers planned at their worst case."""
    return {"items": admin.open_flags(_ctx().db)}


@api.post("/flags/<int:flag_id>/resolve")
@operator_required
def resolve_flag(flag_id: int) -> Any:
    """Close a flag (a charger flagged for refusing profiles is steered again)."""
    admin.resolve_flag(_ctx().db, flag_id)
    with _ctx().db.sessions() as s:
        flag = s.get(EnergyFlag, flag_id)
        assert flag is not None
        return admin.flag_json(flag)


@api.put("/vehicles/<int:vehicle_id>")
@operator_required
def set_vehicle(vehicle_id: int) -> Any:
    """An e-car's home bay {"charger": "CP-1", "connector": 1} (null: none), max_charge_kw."""
    data = _body()
    charger = data.get("charger")
    connector = data.get("connector", 1)
    if charger is not None and not isinstance(charger, str):
        raise ValidationFailed("charger must be a charger id or null.", field="charger")
    if not isinstance(connector, int) or isinstance(connector, bool) or connector < 1:
        raise ValidationFailed("connector must be a positive integer.", field="connector")
    admin.set_home_bay(_ctx().db, vehicle_id, charger, connector, _number(data, "max_charge_kw"))
    return {"vehicle_id": vehicle_id, "charger": charger, "connector": connector}


@pages.get("/sites")
@operator_required
def sites_page() -> Any:
    """The list of sites."""
    return render_template("energy/sites.html", sites=admin.sites_overview(_ctx().db))


@pages.get("/sites/<int:site_id>")
@operator_required
def site_page(site_id: int) -> Any:
    """A site's plan: load against limit and PV, bookings, connectors, flags."""
    with _ctx().db.sessions() as s:
        site = admin.site_row(s, site_id)
        row = next(r for r in admin.sites_overview(_ctx().db) if r["id"] == site.id)
        plan = admin.latest_plan(s, site_id)
        view: dict[str, Any] | None = None
        body: dict[str, Any] | None = None
        if plan is not None:
            body = plan.body
            view = {
                "created_at": plan.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                "method": plan.method,
                "cost_eur": float(plan.cost_eur),
                "peak_kw": plan.peak_kw,
                "body": plan.body,
            }
    return render_template(
        "energy/site.html",
        site=row,
        plan=view,
        chart=None if body is None else chart(body),
        flags=admin.open_flags(_ctx().db, site_id),
        interval=INTERVAL_SECONDS,
    )


@pages.post("/sites/<int:site_id>/plan")
@operator_required
def replan_page(site_id: int) -> Any:
    """Plan the site now (form button)."""
    _ctx().service.run_site(site_id, force=True)
    return redirect(url_for("energy.site_page", site_id=site_id))
