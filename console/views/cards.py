"""Cards: every user's and fleet's id tags, block/unblock, expiry and parent tag."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, request

from console.context import ctx
from console.pages import actor, back_to, bp, optional_int, page, paging
from console.services import cards
from mobility.errors import DomainError, ValidationFailed
from mobility.models import IdTokenStatus


def _list(status: int = 200, **extra: Any) -> Any:
    number, per_page = paging()
    wanted = request.args.get("status") or None
    if wanted is not None and wanted not in set(IdTokenStatus):
        raise ValidationFailed("Unknown card status.", field="status")
    q = request.args.get("q", "").strip()[:100]
    found = cards.list_cards(ctx().db, q, wanted, number, per_page)
    lagging = request.args.get("lists") == "lagging"
    lists_page = max(1, optional_int("lists_page", request.args) or 1)
    lists = cards.local_lists(ctx().db, lagging, lists_page, 25)
    return page(
        "cards.html",
        status,
        found=found,
        statuses=list(IdTokenStatus),
        lists=lists,
        lagging=lagging,
        **extra,
    )


@bp.get("/cards")
def cards_list() -> Any:
    """Cards with holder, company, status, expiry and parent tag."""
    return _list()


def _expiry() -> datetime | None:
    """The expiry day (end of that day, platform time) or None to clear it."""
    raw = request.form.get("expires_on", "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed("The expiry must be a date.", field="expires_on") from None
    return datetime.combine(day, time(23, 59, 59), ZoneInfo(ctx().settings.timezone))


def _back() -> Any:
    return back_to("console.cards_list")


@bp.post("/cards/<id_tag>/block")
def card_block(id_tag: str) -> Any:
    """Block or unblock a card, with a reason."""
    blocked = request.form.get("blocked") == "true"
    try:
        cards.set_blocked(ctx().db, actor(), id_tag, blocked, request.form.get("reason", ""))
    except DomainError as exc:
        return _list(exc.http_status, error=f"{id_tag}: {exc.message}")
    flash(f"{id_tag} {'blocked' if blocked else 'unblocked'}.")
    return _back()


@bp.post("/cards/<id_tag>")
def card_update(id_tag: str) -> Any:
    """Change a card's expiry and parent tag."""
    try:
        cards.update(ctx().db, actor(), id_tag, _expiry(), request.form.get("parent_id_tag", ""))
    except DomainError as exc:
        return _list(exc.http_status, error=f"{id_tag}: {exc.message}")
    flash(f"{id_tag} saved.")
    return _back()
