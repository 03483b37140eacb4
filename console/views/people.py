"""Users and companies: search, roles, blocking with a reason."""

from __future__ import annotations

from typing import Any

from flask import flash, request

from console.context import ctx
from console.pages import actor, back_to, bp, page, paging
from console.services import people
from mobility.errors import DomainError, ValidationFailed
from mobility.models import UserRole


def _people(status: int = 200, **extra: Any) -> Any:
    number, per_page = paging()
    role = request.args.get("role") or None
    if role is not None and role not in set(UserRole):
        raise ValidationFailed("Unknown role.", field="role")
    q = request.args.get("q", "").strip()[:254]
    return page(
        "people.html",
        status,
        found=people.users(ctx().db, q, role, number, per_page),
        companies=people.companies(ctx().db, q, 1, 50),
        roles=list(UserRole),
        **extra,
    )


@bp.get("/people")
def people_page() -> Any:
    """Users and companies matching a search."""
    return _people()


def _done(message: str) -> Any:
    flash(message)
    return back_to("console.people_page")


@bp.post("/users/<int:user_id>/role")
def user_role(user_id: int) -> Any:
    """Change a user's platform role."""
    try:
        people.set_role(ctx().db, actor(), user_id, request.form.get("role", ""))
    except DomainError as exc:
        return _people(exc.http_status, error=exc.message)
    return _done("Role saved.")


@bp.post("/users/<int:user_id>/block")
def user_block(user_id: int) -> Any:
    """Block or unblock a user, with a reason."""
    active = request.form.get("active") == "true"
    reason = request.form.get("reason", "")
    try:
        people.set_user_active(ctx().db, actor(), user_id, active, reason)
    except DomainError as exc:
        return _people(exc.http_status, error=exc.message)
    return _done("User unblocked." if active else "User blocked.")


@bp.post("/companies/<int:company_id>/block")
def company_block(company_id: int) -> Any:
    """Block or unblock a company's fleet account, with a reason."""
    active = request.form.get("active") == "true"
    reason = request.form.get("reason", "")
    try:
        people.set_company_active(ctx().db, actor(), company_id, active, reason)
    except DomainError as exc:
        return _people(exc.http_status, error=exc.message)
    return _done("Company unblocked." if active else "Company blocked.")
