"""Fleet admin web pages: sign up, dashboard with members, cards, vehicles, usage, invoices."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from booking.auth import login_required, require_user
from booking.fleet import services
from mobility.clock import utcnow
from mobility.errors import DomainError
from mobility.models import Company, IdToken, Invoice, InvoiceKind, Membership, User, Vehicle

bp = Blueprint("fleet_views", __name__, url_prefix="/fleet")


def _rt() -> Any:
    from booking.app import runtime

    return runtime()


@bp.route("/signup", methods=["GET", "POST"])
@login_required
def signup() -> Any:
    """Company sign-up form."""
    if request.method == "POST":
        try:
            company = services.signup(_rt().db, require_user().id, request.form.to_dict())
        except DomainError as exc:
            return render_template(
                "fleet/signup.html", form=request.form, error=exc.message
            ), exc.http_status
        flash(f"{company.name} is ready. Invite your team.")
        return redirect(url_for("fleet_views.dashboard", cid=company.id))
    return render_template("fleet/signup.html", form={})


@bp.route("/<int:cid>", methods=["GET", "POST"])
@login_required
def dashboard(cid: int) -> Any:
    """Admin dashboard; POST invites a member."""
    user = require_user()
    error, status = None, 200
    if request.method == "POST":
        try:
            services.invite(
                _rt().db,
                _rt().mailer,
                _rt().settings.base_url,
                user,
                cid,
                request.form.get("email", ""),
                request.form.get("role", "member"),
            )
            flash("Invitation sent.")
        except DomainError as exc:
            error, status = exc.message, exc.http_status
    now = utcnow()
    rows = services.usage(
        _rt().db, user, cid, now.year, now.month, ZoneInfo(_rt().settings.timezone)
    )
    with _rt().db.sessions() as s:
        services.access_for(s, user, cid, admin=True)
        company = s.get(Company, cid)
        members = s.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.company_id == cid)
        ).all()
        cards = s.scalars(select(IdToken).where(IdToken.company_id == cid)).all()
        vehicles = s.scalars(select(Vehicle).where(Vehicle.owner_company_id == cid)).all()
        invoices = s.scalars(
            select(Invoice).where(
                Invoice.company_id == cid, Invoice.kind == InvoiceKind.FLEET_MONTHLY
            )
        ).all()
        return render_template(
            "fleet/dashboard.html",
            company=company,
            members=members,
            cards=cards,
            vehicles=vehicles,
            invoices=invoices,
            usage=rows,
            error=error,
            month=f"{now.year}-{now.month:02d}",
        ), status
