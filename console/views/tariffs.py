"""Tariffs: the list, and an edit form validated with billing's rules with a price preview."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, redirect, request, url_for

from console.context import ctx
from console.pages import actor, bp, moment, page
from console.services import tariffs
from console.services.tariffs import Example, TariffEdit
from mobility.clock import utcnow
from mobility.errors import DomainError, ValidationFailed
from mobility.models import Tariff


def _decimal(name: str, default: str | None = None) -> Decimal | None:
    raw = request.form.get(name, "").strip() or default
    if raw is None:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed(f"'{name}' must be a number.", field=name) from None
    if not value.is_finite() or value < 0:
        raise ValidationFailed(f"'{name}' must be a number of at least 0.", field=name)
    return value


def _edit() -> TariffEdit:
    try:
        elements = json.loads(request.form.get("elements", ""))
    except ValueError:
        raise ValidationFailed("The elements must be JSON (OCPI TariffElements).") from None
    if not isinstance(elements, list) or not all(isinstance(e, dict) for e in elements):
        raise ValidationFailed("The elements must be a JSON list of OCPI TariffElement objects.")
    return TariffEdit(
        name=request.form.get("name", "").strip()[:200],
        elements=elements,
        min_price_excl_vat=_decimal("min_price_excl_vat"),
        max_price_excl_vat=_decimal("max_price_excl_vat"),
        min_price_incl_vat=_decimal("min_price_incl_vat"),
        max_price_incl_vat=_decimal("max_price_incl_vat"),
        daily_cap_excl_vat=_decimal("daily_cap_excl_vat"),
        default_vat_percent=_decimal("default_vat_percent", "20") or Decimal(0),
        valid_from=moment("valid_from", request.form),
        valid_to=moment("valid_to", request.form),
        is_active=request.form.get("is_active") == "on",
    )


def _example() -> Example:
    minutes = _decimal("ex_minutes", "60") or Decimal(0)
    idle = _decimal("ex_idle_minutes", "0") or Decimal(0)
    return Example(
        start=moment("ex_start", request.form) or utcnow().replace(second=0, microsecond=0),
        minutes=int(minutes),
        kwh=_decimal("ex_kwh", "20") or Decimal(0),
        km=_decimal("ex_km", "10") or Decimal(0),
        idle_minutes=int(idle),
    )


@bp.get("/tariffs")
def tariffs_list() -> Any:
    """Every tariff with its scope, company, validity and state."""
    return page("tariffs.html", tariffs=tariffs.all_tariffs(ctx().db))


def _edit_page(tariff: Tariff, status: int = 200, **extra: Any) -> Any:
    return page("tariff.html", status, t=tariff, form=request.form, **extra)


@bp.get("/tariffs/<int:tariff_id>")
def tariff(tariff_id: int) -> Any:
    """The edit form of a tariff."""
    return _edit_page(tariffs.get(ctx().db, tariff_id))


@bp.post("/tariffs/<int:tariff_id>")
def tariff_save(tariff_id: int) -> Any:
    """Preview the edited tariff's price of an example session, or save it."""
    current = tariffs.get(ctx().db, tariff_id)
    try:
        edit = _edit()
        if request.form.get("action") == "preview":
            spec = tariffs.validated(current, edit)
            tz = ZoneInfo(ctx().settings.timezone)
            price = tariffs.preview(spec, current.scope, _example(), tz)
            return _edit_page(current, preview=price)
        tariffs.save(ctx().db, actor(), tariff_id, edit)
    except DomainError as exc:
        return _edit_page(current, exc.http_status, error=exc.message)
    flash(f"Tariff {current.code} saved.")
    return redirect(url_for("console.tariff", tariff_id=tariff_id), 303)
