"""Citizen charging pages: a public charger, its QR codes, start, the live session, history."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as N_  # N_: extracted by pybabel, translated when shown
from werkzeug.wrappers import Response as BaseResponse

from billing.render import invoice_html
from booking.charging.context import charging
from booking.charging.rules import PriceItem, restricted, start_refusal
from booking.charging.services import LiveSession
from booking.places.rules import connector_state, etag
from mobility.errors import DomainError, NotFound
from mobility.models import UserRole
from mobility.web.auth import current_user, login_required, require_user
from mobility.web.i18n import error_text, local_time, money, number, unit_price

bp = Blueprint("charging", __name__)
Page = Any
# How often the live pages ask for news (seconds; CHARGING_POLL_SECONDS in the app's config).
POLL_SECONDS = 5
NONE = "-"  # a figure not known (yet)

# What a refusal says to the citizen, by the domain error's code.
MESSAGES = {
    "charger_offline": N_("The charger is not connected right now. Try another one or later."),
    "command_timeout": N_("The charger did not answer in time. Try again."),
    "charger_error": N_("The charger could not take the request. Try again."),
    "connector_busy": N_("This connector is in use. Choose a free one."),
    "connector_out_of_order": N_("This connector is out of order. Choose another one."),
    "start_refused": N_("The charger did not accept the start. Plug in the cable and try again."),
    "stop_refused": N_("The charger did not accept the stop. Unplug at the charger."),
    "card_not_usable": N_("This card cannot be used. Choose another one."),
    "payment_card_needed": N_(
        "Save a payment card in your profile first: sessions are charged to it."
    ),
    "not_running": N_("This session is not running."),
    "no_charger": N_("No such public charger."),
    "no_connector": N_("No such connector."),
    "no_session": N_("No such charging session."),
    "no_receipt": N_("This session has no receipt yet."),
}
STATES = {
    "free": N_("free"),
    "busy": N_("in use"),
    "out_of_order": N_("out of order"),
    "offline": N_("charger offline"),
}
DAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def message(exc: DomainError) -> str:
    """A domain error as the citizen reads it, in the page's language."""
    found = MESSAGES.get(exc.code)
    return str(found) if found is not None else error_text(exc)


def describe(item: PriceItem, currency: str) -> str:
    """One price component as a sentence: '0,42 € per kWh'."""
    price = unit_price(item.price_incl_vat, currency)
    text = {
        "ENERGY": _("%(price)s per kWh", price=price),
        "TIME": _("%(price)s per hour of charging", price=price),
        "PARKING_TIME": _("%(price)s per hour parked after charging", price=price),
        "FLAT": _("%(price)s per session", price=price),
    }.get(item.dimension, f"{price} {item.dimension}")
    if item.dimension in ("TIME", "PARKING_TIME") and item.step_size >= 60:
        text += " · " + _("billed per %(n)s min", n=number(item.step_size // 60))
    return text


def conditions(item: PriceItem) -> list[str]:
    """When a price applies, if only sometimes (hours, days, power, duration)."""
    r = item.restrictions
    if not restricted(r):
        return []
    out = []
    if r.start_time is not None or r.end_time is not None:
        start, end = (r.start_time or datetime.min.time()), (r.end_time or datetime.min.time())
        out.append(_("from %(start)s to %(end)s", start=f"{start:%H:%M}", end=f"{end:%H:%M}"))
    if r.day_of_week:
        out.append(", ".join(str(DAYS[d]) for d in sorted(r.day_of_week)))
    if r.min_power is not None:
        out.append(_("from %(kw)s kW", kw=number(r.min_power)))
    if r.max_power is not None:
        out.append(_("below %(kw)s kW", kw=number(r.max_power)))
    if r.min_duration is not None:
        out.append(_("after %(n)s min", n=number(r.min_duration // 60)))
    if r.max_duration is not None:
        out.append(_("for the first %(n)s min", n=number(r.max_duration // 60)))
    return out


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "connector_label": lambda state: str(STATES.get(state, state)),
        "describe": describe,
        "conditions": conditions,
    }


@bp.get("/chargers/<cp_id>")
def charger_page(cp_id: str) -> Page:
    """A public charger: connectors with their state, the tariff, and QR codes for operators."""
    page = charging().service.charger_page(cp_id)
    user = current_user()
    return render_template(
        "charging/charger.html",
        page=page,
        state_of=connector_state,
        operator=user is not None and user.role == UserRole.OPERATOR,
        startable=lambda c: (
            start_refusal(page.charger.online, c.availability, c.status, False) is None
        ),
    )


@bp.get("/c/<cp_id>/<int:connector>")
def qr_start(cp_id: str, connector: int) -> Page:
    """Where the QR code printed on a charger leads: the start page of that connector."""
    return redirect(url_for("charging.start", cp_id=cp_id, connector=connector))


@bp.get("/chargers/<cp_id>/<int:connector>/qr.svg")
def qr_code(cp_id: str, connector: int) -> Response:
    """The QR code to print on a connector: the start page's short address."""
    charging().service.charger_page(cp_id)  # NotFound for chargers that are not public
    target = charging().base_url + url_for("charging.qr_start", cp_id=cp_id, connector=connector)
    out = io.BytesIO()
    segno.make(target, error="m").save(
        out, kind="svg", scale=4, border=4, title=target, xmldecl=False
    )
    resp = Response(out.getvalue(), mimetype="image/svg+xml")
    resp.cache_control.public = True
    resp.cache_control.max_age = 86400
    return resp


@bp.route("/chargers/<cp_id>/<int:connector>/start", methods=["GET", "POST"])
@login_required
def start(cp_id: str, connector: int) -> Page:
    """Choose a card and start charging on this connector."""
    user = require_user()
    if request.method == "GET":
        return _start_page(user.id, cp_id, connector)
    try:
        card = request.form.get("card") or None
        started = charging().service.start(user.id, cp_id, connector, card)
    except DomainError as exc:
        return _start_page(user.id, cp_id, connector, exc)
    flash(_("The charger accepted the start. Plug in your car if it is not yet."))
    return redirect(
        url_for(
            "charging.waiting",
            cp=started.charge_point_id,
            connector=started.connector_id,
            since=started.requested_at.isoformat(),
        )
    )


def _start_page(user_id: int, cp_id: str, connector: int, error: DomainError | None = None) -> Page:
    """The start form, with the refusal next to its button and the card chosen kept."""
    page = charging().service.charger_page(cp_id)
    spot = next((c for c in page.charger.connectors if c.connector_id == connector), None)
    if spot is None:
        raise NotFound(str(MESSAGES["no_connector"]))
    return render_template(
        "charging/start.html",
        page=page,
        spot=spot,
        state=connector_state(page.charger.online, spot).value,
        cards=charging().service.cards(user_id),
        chosen=request.form.get("card", ""),
        start_error=message(error) if error else None,
        start_code=error.code if error else None,
    ), (error.http_status if error else 200)


def _poll() -> float:
    return float(current_app.config.get("CHARGING_POLL_SECONDS", POLL_SECONDS))


def _since() -> datetime:
    try:
        return datetime.fromisoformat(request.args.get("since", ""))
    except ValueError:
        raise NotFound(str(MESSAGES["no_session"])) from None


@bp.get("/charging/waiting")
@login_required
def waiting() -> Page:
    """Until the charger reports the session begun: then its live page."""
    cp_id, connector = request.args.get("cp", ""), request.args.get("connector", type=int) or 0
    tx_id = charging().service.started(require_user().id, cp_id, connector, _since())
    if tx_id is not None:
        return redirect(url_for("charging.session_page", tx_id=tx_id))
    return render_template("charging/waiting.html", cp_id=cp_id, connector=connector, poll=_poll())


@bp.get("/charging/waiting.json")
@login_required
def waiting_json() -> Page:
    """Whether the session began yet (the waiting page polls this)."""
    cp_id, connector = request.args.get("cp", ""), request.args.get("connector", type=int) or 0
    tx_id = charging().service.started(require_user().id, cp_id, connector, _since())
    url = url_for("charging.session_page", tx_id=tx_id) if tx_id is not None else None
    return {"started": tx_id is not None, "url": url}


@bp.get("/charging")
@login_required
def history() -> Page:
    """The user's charging sessions with receipts."""
    sessions = charging().service.history(require_user().id)
    return render_template("charging/history.html", sessions=sessions)


@bp.get("/charging/sessions/<int:tx_id>")
@login_required
def session_page(tx_id: int) -> Page:
    """One session: energy, power and cost so far, updated while it runs."""
    live = charging().service.session(require_user().id, tx_id)
    return render_template("charging/session.html", live=live, figures=figures(live), poll=_poll())


@bp.get("/charging/sessions/<int:tx_id>.json")
@login_required
def session_json(tx_id: int) -> BaseResponse:
    """The session's figures, formatted for the page's language (polled while it runs)."""
    live = charging().service.session(require_user().id, tx_id)
    body = json.dumps(figures(live), ensure_ascii=False).encode()
    resp = Response(body, mimetype="application/json")
    resp.set_etag(etag(body))
    resp.cache_control.private = True
    resp.cache_control.no_cache = True
    return resp.make_conditional(request)


def figures(live: LiveSession) -> dict[str, Any]:
    """What the live page shows, as text in the page's language."""
    f, tx = live.figures, live.tx
    return {
        "running": tx.status == "active",
        "status": _("Charging") if tx.status == "active" else _("Finished"),
        "energy": f"{number(f.energy_kwh, 2)} kWh",
        "power": f"{number(f.power_kw, 1)} kW" if f.power_kw is not None else NONE,
        "duration": _("%(n)s min", n=number(f.minutes)),
        "cost": money(live.price.total_minor, live.price.currency) if live.price else NONE,
        "started": local_time(tx.started_at, None),
    }


@bp.post("/charging/sessions/<int:tx_id>/stop")
@login_required
def stop(tx_id: int) -> Page:
    """Ask the charger to end the session."""
    try:
        charging().service.stop(require_user().id, tx_id)
        flash(_("The charger is stopping the session. Unplug once it has ended."))
    except DomainError as exc:
        flash(message(exc))
    return redirect(url_for("charging.session_page", tx_id=tx_id))


@bp.get("/charging/sessions/<int:tx_id>/receipt")
@login_required
def receipt(tx_id: int) -> Page:
    """The printable invoice of a finished session."""
    invoice = charging().service.receipt(require_user().id, tx_id)
    return render_template("receipt.html", invoice=invoice, invoice_html=invoice_html(invoice))
