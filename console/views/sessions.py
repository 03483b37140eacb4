"""Charging sessions: the filtered list and a session's page with its curves and invoice."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, current_app, flash, redirect, request, url_for

from billing.render import invoice_html
from console.context import ctx
from console.pages import actor, bp, commands, optional_int, page, paging
from console.plots import COLOURS, line_chart
from console.services import running, sessions
from console.services.paging import Page
from console.services.running import RunningRow
from console.services.sessions import ENERGY, POWER, SOC, SessionFilter
from mobility.clock import utcnow
from mobility.errors import DomainError, ValidationFailed
from mobility.models import TransactionStatus

RUNNING_PER_PAGE = 10  # each row is priced again at every poll
CURVES = (
    (ENERGY, "Energy delivered", "kWh", COLOURS[0]),
    (POWER, "Power", "kW", COLOURS[1]),
    (SOC, "State of charge", "%", COLOURS[2]),
)


def _day(name: str, tz: ZoneInfo) -> datetime | None:
    """A YYYY-MM-DD query value as the start of that day in the platform's timezone."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.combine(date.fromisoformat(raw), time(), tz)
    except ValueError:
        raise ValidationFailed(f"'{name}' must be a date (YYYY-MM-DD).", field=name) from None


def _filter() -> SessionFilter:
    tz = ZoneInfo(ctx().settings.timezone)
    until = _day("until", tz)
    status = request.args.get("status") or None
    if status is not None and status not in set(TransactionStatus):
        raise ValidationFailed("Unknown session status.", field="status")
    return SessionFilter(
        charger=request.args.get("charger", "").strip(),
        card=request.args.get("card", "").strip(),
        user=request.args.get("user", "").strip()[:254],
        company_id=optional_int("company", request.args),
        status=status,
        since=_day("since", tz),
        until=until + timedelta(days=1) if until else None,  # the whole "until" day
    )


def _running() -> Page[RunningRow]:
    """The page of running sessions asked for, priced up to this minute."""
    number = max(1, optional_int("running_page", request.args) or 1)
    minute = utcnow().replace(second=0, microsecond=0)  # a price that moves once a minute
    return running.running(ctx().db, ctx().billing, minute, _filter(), number, RUNNING_PER_PAGE)


@bp.get("/sessions")
def sessions_list() -> Any:
    """Charging sessions, newest first, filtered by charger, card, user, company and date."""
    number, per_page = paging()
    found = sessions.list_sessions(ctx().db, _filter(), number, per_page)
    return page(
        "sessions.html",
        found=found,
        running=_running(),
        companies=sessions.companies(ctx().db),
        statuses=list(TransactionStatus),
        live_seconds=current_app.config.get("CONSOLE_LIVE_SECONDS", 10),
    )


@bp.get("/live/sessions")
def sessions_live() -> Any:
    """The running sessions' rows for polling: 304 while nothing they show has changed (ETag)."""
    found = _running()
    tag = running.fingerprint(found)
    if tag in request.if_none_match:
        return Response(status=304, headers={"ETag": f'"{tag}"'})
    response = page("running_rows.html", running=found)
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _session_page(tx_id: int, status: int = 200, **extra: Any) -> Any:
    c = ctx()
    view = sessions.session_view(c.db, c.billing, tx_id)
    charts = [
        line_chart(view.series[key], chart_id=f"chart-{n}", title=title, unit=unit, colour=colour)
        for n, (key, title, unit, colour) in enumerate(CURVES, 1)
    ]
    return page(
        "session.html",
        status,
        v=view,
        tx=view.tx,
        charts=[ch for ch in charts if ch is not None],
        invoices=[invoice_html(i) for i in view.invoices],
        **extra,
    )


@bp.get("/sessions/<int:tx_id>")
def session(tx_id: int) -> Any:
    """A session: meter-value curves, price breakdown, invoice, remote stop."""
    return _session_page(tx_id)


@bp.post("/sessions/<int:tx_id>/stop")
def session_stop(tx_id: int) -> Any:
    """Ask the charger to stop the session."""
    try:
        answer = commands().remote_stop(actor(), tx_id)
    except DomainError as exc:
        return _session_page(tx_id, exc.http_status, error=exc.message)
    flash(f"Remote stop sent: the charger answered {answer}")
    return redirect(url_for("console.session", tx_id=tx_id), 303)
