"""The console blueprint: operator-only pages sharing one layout and a few helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, make_response, redirect, render_template, request, url_for

from billing.render import money
from console.context import ctx
from console.services.audit import Actor
from console.services.commands import Commands
from mobility.clock import utcnow
from mobility.errors import Unauthorized, ValidationFailed
from mobility.money import plain
from mobility.web.auth import current_user, operator_required
from mobility.web.pagination import page_args

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@bp.before_request
@operator_required
def _operators_only() -> None:
    """Every console route, its static files included, is for operators only."""
    return None


def actor() -> Actor:
    """The operator of this request, as the audit log names them."""
    user = current_user()
    if user is None:
        raise Unauthorized("Log in.")
    return Actor(user.id, user.email)


def commands() -> Commands:
    """The command sender of this app's context."""
    c = ctx()
    return Commands(c.db, c.bus, c.settings.command_timeout, c.catalogue)


def _local(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(ctx().settings.timezone)).strftime("%Y-%m-%d %H:%M:%S")


def _ago(value: datetime | None) -> str:
    """How long ago, in the largest whole unit (a glance, the exact time is in the title)."""
    if value is None:
        return "never"
    seconds = int((utcnow() - value).total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{max(seconds, 0)} s ago"


@bp.context_processor
def _helpers() -> dict[str, Any]:
    tz = ctx().settings.timezone
    return {
        "money": money,
        "plain": plain,
        "local": _local,
        "ago": _ago,
        "timezone": tz,
        "tz": ZoneInfo(tz),
    }


def paging(default: int = 25) -> tuple[int, int]:
    """?page=&per_page= of a console list."""
    return page_args(default)


def optional_int(name: str, source: Any = None) -> int | None:
    """An optional integer field of the query or form (ValidationFailed when not a number)."""
    raw = (source if source is not None else request.values).get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(f"'{name}' must be a whole number.", field=name) from None


def moment(name: str, source: Any = None) -> datetime | None:
    """An optional date and time field (datetime-local, the platform's timezone)."""
    raw = (source if source is not None else request.values).get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=ZoneInfo(ctx().settings.timezone))
    except ValueError:
        raise ValidationFailed(f"'{name}' must be a date and time.", field=name) from None


def page(template: str, status: int = 200, **values: Any) -> Response:
    """Render a console page (pages that show a secret are never cached)."""
    response = make_response(render_template(f"console/{template}", **values), status)
    if values.get("secret"):
        response.headers["Cache-Control"] = "no-store"
    return response


def back_to(endpoint: str) -> Any:
    """See Other: back to a list with the filters it was showing."""
    args: dict[str, Any] = request.args.to_dict()
    return redirect(url_for(endpoint, **args), 303)
