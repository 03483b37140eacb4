"""Fleet admin pages for one member: what they may book, and removing them (confirmed first)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from booking.context import ctx
from booking.fleet import rules, services
from booking.fleet.views import _currency, _optional_int, bp
from mobility.errors import DomainError, NotFound, ValidationFailed
from mobility.models import (
    Company,
    CostCentre,
    Hub,
    IdToken,
    IdTokenStatus,
    Membership,
    User,
)
from mobility.web.auth import login_required, require_user
from mobility.web.i18n import error_text


def _member_changes(form: Any, currency: str) -> dict[str, Any]:
    """The member form as update_member changes (all kinds / no hub ticked = no restriction)."""
    kinds = sorted(form.getlist("kinds"))
    if not kinds:
        raise ValidationFailed(_("Tick at least one kind of vehicle."), field="kinds")
    hubs = [_optional_int(h, "hubs") for h in form.getlist("hubs")]
    return {
        "role": form.get("role", "member"),
        "cost_centre_id": _optional_int(form.get("cost_centre_id"), "cost_centre_id"),
        "monthly_limit_minor": rules.parse_limit(
            form.get("monthly_limit", ""), "monthly_limit", currency
        ),
        "allowed_vehicle_kinds": None if kinds == ["ebike", "ecar"] else kinds,
        "allowed_hub_ids": [h for h in hubs if h is not None] or None,
    }


def _found(s: Session, cid: int, uid: int) -> tuple[Membership, User]:
    found = s.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.company_id == cid, Membership.user_id == uid)
    ).first()
    if found is None:
        raise NotFound(_("No such member."))
    return found[0], found[1]


@bp.route("/<int:cid>/members/<int:uid>", methods=["GET", "POST"])
@login_required
def member(cid: int, uid: int) -> Any:
    """One member's role, cost centre, monthly limit and what they may book."""
    admin = require_user()
    rt = ctx()
    error, status = None, 200
    if request.method == "POST":
        try:
            changes = _member_changes(request.form, _currency(rt.db, cid))
            services.update_member(rt.db, admin, cid, uid, changes)
            flash(_("Member updated."))
            return redirect(url_for("fleet_views.dashboard", cid=cid))
        except DomainError as exc:
            error, status = error_text(exc), exc.http_status
    with rt.db.sessions() as s:
        services.access_for(s, admin, cid, admin=True)
        m, person = _found(s, cid, uid)
        return render_template(
            "fleet/member.html",
            company=s.get(Company, cid),
            m=m,
            person=person,
            cost_centres=s.scalars(
                select(CostCentre).where(CostCentre.company_id == cid).order_by(CostCentre.code)
            ).all(),
            hubs=s.scalars(select(Hub).where(Hub.is_active).order_by(Hub.name)).all(),
            error=error,
            # After a refused save, show what was typed rather than what is stored.
            form=request.form if error else None,
        ), status


@bp.route("/<int:cid>/members/<int:uid>/remove", methods=["GET", "POST"])
@login_required
def remove_member(cid: int, uid: int) -> Any:
    """Say what removing a member does, and remove them only once the admin confirms."""
    admin = require_user()
    rt = ctx()
    error, status = None, 200
    if request.method == "POST":
        try:
            services.remove_member(rt.db, admin, cid, uid)
        except DomainError as exc:
            error, status = error_text(exc), exc.http_status
        else:
            flash(_("Member removed; their company cards are blocked."))
            return redirect(url_for("fleet_views.dashboard", cid=cid))
    with rt.db.sessions() as s:
        services.access_for(s, admin, cid, admin=True)
        m, person = _found(s, cid, uid)
        cards = s.scalar(
            select(func.count())
            .select_from(IdToken)
            .where(
                IdToken.company_id == cid,
                IdToken.user_id == uid,
                IdToken.status != IdTokenStatus.BLOCKED,
            )
        )
        return render_template(
            "fleet/remove_member.html",
            company=s.get(Company, cid),
            m=m,
            person=person,
            cards=cards or 0,
            error=error,
        ), status
