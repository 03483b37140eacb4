"""The caller's own account in the JSON API (/api/v1/me/...): licence, e-mail, password,
data export and deletion."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, g, request

from booking import data_export, erasure, licences
from booking.context import ctx
from mobility.errors import ValidationFailed
from mobility.web.auth import login_required, require_user
from mobility.web.context import web_context
from mobility.web.extensions import login_limited
from mobility.web.i18n import language

bp = Blueprint("account_api", __name__, url_prefix="/api/v1/me")


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed("Send a JSON object (Content-Type: application/json).")
    return data


def _text(data: dict[str, Any], field: str) -> str:
    value = data.get(field, "")
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} must be a string.", field=field)
    return value


def forget_tokens(digests: list[str]) -> None:
    """Revoked tokens stop working in this process at once (others: within the cache TTL)."""
    cache = web_context().tokens
    for digest in digests:
        cache.drop(digest)


@bp.get("/licence")
@login_required
def get_licence() -> Any:
    """The caller's driving licence and whether it was checked (null when none entered)."""
    return {"driving_licence": data_export.licence(require_user())}


@bp.put("/licence")
@login_required
def put_licence() -> Any:
    """Enter or change the driving licence; changed details wait for an operator's check."""
    data = _body()
    user = licences.save(
        ctx().db,
        require_user().id,
        _text(data, "number"),
        _text(data, "country"),
        _text(data, "expires_on"),
        ZoneInfo(ctx().settings.timezone),
    )
    return {"driving_licence": data_export.licence(user)}


@bp.post("/password")
@login_required
@login_limited
def change_password() -> Any:
    """Change the password (current one required); every other session and token ends."""
    data = _body()
    ended = ctx().accounts.change_password(
        require_user().id,
        _text(data, "current_password"),
        _text(data, "new_password"),
        keep_token=g.get("token_digest"),
        locale=language(),
    )
    forget_tokens(ended.token_digests)
    return {"status": "changed", "revoked_tokens": len(ended.token_digests)}


@bp.post("/email")
@login_required
@login_limited
def change_email() -> Any:
    """Ask to move the account to another address: a link is mailed there to confirm it."""
    data = _body()
    new = ctx().accounts.request_email_change(
        require_user().id, _text(data, "email"), _text(data, "password"), locale=language()
    )
    message = "Open the link we mailed to the new address to confirm it."
    return {"status": "check_email", "email": new, "message": message}, 202


@bp.get("/export")
@login_required
def export() -> Any:
    """Everything the platform holds about the caller, as one JSON document."""
    document = data_export.export(ctx().db, require_user().id)
    headers = {"Content-Disposition": "attachment; filename=my-mobility-data.json"}
    return document, 200, headers


@bp.delete("")
@login_required
@login_limited
def delete_account() -> Any:
    """Delete the caller's account (password required); 409 while something is under way."""
    user = require_user()
    ended = erasure.delete_account(
        ctx().db, ctx().outbox, user.id, _text(_body(), "password"), locale=language()
    )
    forget_tokens(ended.token_digests)
    return "", 204
