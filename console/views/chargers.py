"""Chargers: the list with live status, a charger's page, its commands and registration."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, redirect, request, url_for

from console import uptime
from console.context import ctx
from console.ocpp_terms import change_request, example, parse_payload, read_request
from console.pages import actor, bp, commands, optional_int, page, paging
from console.services import chargers, reservations
from console.services.chargers import ChargerFilter, ChargerForm
from mobility.clock import utcnow
from mobility.errors import DomainError, ValidationFailed
from mobility.models import RegistrationStatus


def _filter() -> ChargerFilter:
    online = {"online": True, "offline": False}.get(request.args.get("state", ""))
    registration = request.args.get("registration") or None
    if registration is not None and registration not in set(RegistrationStatus):
        raise ValidationFailed("Unknown registration status.", field="registration")
    return ChargerFilter(
        q=request.args.get("q", "").strip()[:64],
        online=online,
        registration=registration,
        hub_id=optional_int("hub", request.args),
    )


@bp.get("/chargers")
def chargers_list() -> Any:
    """Chargers with live connector status, online state, last seen, firmware and node."""
    number, per_page = paging()
    found = chargers.list_chargers(ctx().db, _filter(), number, per_page)
    hubs, _ = chargers.choices(ctx().db)
    return page(
        "chargers.html",
        found=found,
        hubs=hubs,
        registrations=list(RegistrationStatus),
        live_seconds=current_app.config.get("CONSOLE_LIVE_SECONDS", 10),
    )


@bp.get("/live/chargers")
def chargers_live() -> Any:
    """The list's rows for polling: 304 while nothing they show has changed (ETag)."""
    number, per_page = paging()
    found = chargers.list_chargers(ctx().db, _filter(), number, per_page)
    tag = chargers.fingerprint(found)
    if tag in request.if_none_match:
        return Response(status=304, headers={"ETag": f'"{tag}"'})
    response = page("chargers_rows.html", found=found)
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _charger_page(cp_id: str, status: int = 200, **extra: Any) -> Any:
    settings_page = max(1, optional_int("settings_page", request.args) or 1)
    view = chargers.charger_view(ctx().db, cp_id, settings_page, ctx().settings.timezone)
    version = view.charger.ocpp_version
    offered = commands().offered(version)
    examples = {a: example(version, a) for a in offered}
    hubs, tariffs = chargers.choices(ctx().db)
    return page(
        "charger.html",
        status,
        v=view,
        c=view.charger,
        offered=offered,
        examples=examples,
        read_request=read_request(version, int(utcnow().timestamp()) % 2**31),
        hubs=hubs,
        tariffs=tariffs,
        categories=(*uptime.CATEGORIES, uptime.UNRECORDED),
        unrecorded=uptime.UNRECORDED,
        **extra,
    )


@bp.get("/chargers/<cp_id>")
def charger(cp_id: str) -> Any:
    """One charger: connectors, configuration, commands, messages, reservations, profiles."""
    return _charger_page(cp_id)


@bp.post("/chargers/<cp_id>/commands/<action>")
def send_command(cp_id: str, action: str) -> Any:
    """Send a command of the charger's catalogue and show the charger's answer."""
    text = request.form.get("payload", "")
    try:
        payload = parse_payload(text)
    except ValueError as exc:
        return _charger_page(cp_id, 422, error=f"{action}: {exc}", drafts={action: text})
    try:
        answer = commands().send(actor(), cp_id, action, payload)
    except DomainError as exc:
        return _charger_page(cp_id, exc.http_status, error=f"{action}: {exc.message}")
    flash(f"{action}: the charger answered {answer}")
    return redirect(url_for("console.charger", cp_id=cp_id, _anchor="commands"), 303)


@bp.post("/chargers/<cp_id>/settings")
def charger_setting(cp_id: str) -> Any:
    """Change one stored setting: ChangeConfiguration (1.6) or SetVariables (2.0.1)."""
    version = chargers.version_of(ctx().db, cp_id)
    try:
        action, payload = change_request(version, request.form, request.form.get("value", ""))
    except ValueError as exc:
        return _charger_page(cp_id, 422, error=str(exc))
    try:
        answer = commands().send(actor(), cp_id, action, payload)
    except DomainError as exc:
        return _charger_page(cp_id, exc.http_status, error=f"{action}: {exc.message}")
    flash(f"{action}: the charger answered {answer}")
    return redirect(url_for("console.charger", cp_id=cp_id, _anchor="configuration"), 303)


@bp.post("/chargers/<cp_id>/reservations")
def charger_reserve(cp_id: str) -> Any:
    """Reserve a connector for a card (ReserveNow through the OCPP server's use case)."""
    try:
        form = reservations.ReserveForm(
            connector_id=optional_int("connector_id", request.form) or 0,
            id_tag=request.form.get("id_tag", "")[:36],
            minutes=optional_int("minutes", request.form) or 0,
            note=request.form.get("note", "")[:500],
        )
        made = reservations.reserve(ctx().db, ctx().reservations, actor(), cp_id, form)
    except DomainError as exc:
        return _charger_page(cp_id, exc.http_status, error=f"ReserveNow: {exc.message}")
    flash(f"Reservation {made.reservation_id}: the charger answered {made.answer}")
    return redirect(url_for("console.charger", cp_id=cp_id, _anchor="reservations"), 303)


@bp.post("/chargers/<cp_id>/reservations/<int:reservation_id>/cancel")
def charger_cancel_reservation(cp_id: str, reservation_id: int) -> Any:
    """Cancel a reservation on the charger (CancelReservation)."""
    reason = request.form.get("reason", "")[:500]
    try:
        answer = reservations.cancel(ctx().reservations, actor(), cp_id, reservation_id, reason)
    except DomainError as exc:
        return _charger_page(cp_id, exc.http_status, error=f"CancelReservation: {exc.message}")
    flash(f"Reservation {reservation_id} cancelled: the charger answered {answer}")
    return redirect(url_for("console.charger", cp_id=cp_id, _anchor="reservations"), 303)


def _form() -> ChargerForm:
    power = optional_int("max_power_w", request.form)
    return ChargerForm(
        name=request.form.get("name", "").strip()[:200],
        hub_id=optional_int("hub_id", request.form),
        max_power_w=power,
        tariff_id=optional_int("tariff_id", request.form),
        is_public=request.form.get("is_public") == "on",
    )


@bp.get("/new-charger")
def charger_new() -> Any:
    """The form to register a charger."""
    hubs, tariffs = chargers.choices(ctx().db)
    return page("charger_new.html", hubs=hubs, tariffs=tariffs, form=request.form)


@bp.post("/new-charger")
def charger_register() -> Any:
    """Register a charger and show its password once."""
    cp_id = request.form.get("charge_point_id", "")
    try:
        password = chargers.register(ctx().db, actor(), cp_id, _form(), ctx().valid_charger_id)
    except DomainError as exc:
        hubs, tariffs = chargers.choices(ctx().db)
        return page(
            "charger_new.html",
            exc.http_status,
            hubs=hubs,
            tariffs=tariffs,
            form=request.form,
            error=exc.message,
        )
    return _charger_page(cp_id.strip(), 201, secret=password)


@bp.post("/chargers/<cp_id>/edit")
def charger_edit(cp_id: str) -> Any:
    """Change a charger's name, hub, power, tariff and visibility."""
    try:
        chargers.update(ctx().db, actor(), cp_id, _form())
    except DomainError as exc:
        return _charger_page(cp_id, exc.http_status, error=exc.message)
    flash("Charger saved.")
    return redirect(url_for("console.charger", cp_id=cp_id), 303)


@bp.post("/chargers/<cp_id>/registration")
def charger_registration(cp_id: str) -> Any:
    """Deactivate or reactivate a charger, with a reason."""
    active = request.form.get("active") == "true"
    try:
        chargers.set_active(ctx().db, actor(), cp_id, active, request.form.get("reason", ""))
    except DomainError as exc:
        return _charger_page(cp_id, exc.http_status, error=exc.message)
    flash("Charger reactivated." if active else "Charger deactivated: its next boot is rejected.")
    return redirect(url_for("console.charger", cp_id=cp_id), 303)


@bp.post("/chargers/<cp_id>/password")
def charger_password(cp_id: str) -> Any:
    """Give the charger a new password, shown once."""
    password = chargers.rotate_password(ctx().db, actor(), cp_id)
    return _charger_page(cp_id, secret=password)
