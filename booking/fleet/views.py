"""Fleet admin web pages: sign up, dashboard with members, cards, vehicles, usage, invoices."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from booking.context import ctx
from booking.fleet import rules, services
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import N_, DomainError, NotFound, ValidationFailed
from mobility.models import (
    Company,
    CostCentre,
    Hub,
    IdToken,
    Invoice,
    InvoiceKind,
    Membership,
    User,
    Vehicle,
)
from mobility.web.auth import login_required, require_user
from mobility.web.forms import FormError, form_error
from mobility.web.i18n import translated

bp = Blueprint("fleet_views", __name__, url_prefix="/fleet")

SIGNUP_FIELDS = (
    "name",
    "vat_id",
    "contact_email",
    "billing_street",
    "billing_postcode",
    "billing_city",
)
# Each dashboard form: the domain's field names -> the ids of that form's inputs.
DASHBOARD_FIELDS: dict[str, dict[str, str]] = {
    "invite": {"email": "email", "role": "invite-role", "cost_centre_id": "invite-cc"},
    "company_limit": {"company_limit": "company-limit"},
    "cost_centre": {"code": "cc-code", "name": "cc-name"},
    "card": {
        "id_tag": "card-tag",
        "user_id": "card-user",
        "card_user_id": "card-user",
        "vehicle_id": "card-vehicle",
        "card_vehicle_id": "card-vehicle",
        "label": "card-label",
    },
    "vehicle": {
        "code": "veh-code",
        "kind": "veh-kind",
        "model": "veh-model",
        "hub_id": "veh-hub",
        "visibility": "veh-vis",
        "public_hours": "veh-from",
    },
}
MEMBER_FIELDS = {
    "role": "role",
    "cost_centre_id": "cost_centre",
    "monthly_limit": "limit",
    "kinds": "kinds",
    "hubs": "hubs",
}


@bp.route("/signup", methods=["GET", "POST"])
@login_required
def signup() -> Any:
    """Company sign-up form."""
    if request.method == "POST":
        try:
            company = services.signup(ctx().db, require_user().id, request.form.to_dict())
        except DomainError as exc:
            error = form_error(exc, SIGNUP_FIELDS)
            return render_template(
                "fleet/signup.html", form=request.form, error=error
            ), exc.http_status
        flash(_("%(company)s is ready. Invite your team.", company=company.name))
        return redirect(url_for("fleet_views.dashboard", cid=company.id))
    return render_template("fleet/signup.html", form={})


def _optional_int(raw: str | None, field: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(N_("Choose from the list."), field=field) from None


def _admin_action(user: User, cid: int, form: Any) -> str:
    """Apply one dashboard form; returns the confirmation to show."""
    rt = ctx()
    action = form.get("action", "invite")
    if action == "invite":
        services.invite(
            rt.db,
            rt.outbox,
            rt.settings.base_url,
            user,
            cid,
            form.get("email", ""),
            form.get("role", "member"),
            _optional_int(form.get("cost_centre_id"), "cost_centre_id"),
        )
        return _("Invitation sent.")
    if action == "company_limit":
        limit = rules.parse_limit(
            form.get("monthly_limit", ""), "company_limit", _currency(rt.db, cid)
        )
        services.set_company_limit(rt.db, user, cid, limit)
        return _("Account limit saved.")
    if action == "cost_centre":
        services.add_cost_centre(rt.db, user, cid, form.get("code", ""), form.get("name", ""))
        return _("Cost centre added.")
    if action == "card":
        services.issue_card(
            rt.db,
            user,
            cid,
            form.get("id_tag", ""),
            user_id=_optional_int(form.get("card_user_id"), "card_user_id"),
            vehicle_id=_optional_int(form.get("card_vehicle_id"), "card_vehicle_id"),
            label=form.get("label", ""),
        )
        return _("Card issued.")
    if action in ("block", "unblock"):
        services.set_card_status(rt.db, user, cid, form.get("id_tag", ""), action == "block")
        return _("Card blocked.") if action == "block" else _("Card unblocked.")
    if action == "vehicle":
        data: dict[str, Any] = {
            "code": form.get("code", ""),
            "kind": form.get("kind", ""),
            "model": form.get("model", ""),
            "visibility": form.get("visibility", "fleet_only"),
            "hub_id": _optional_int(form.get("hub_id"), "hub_id"),
        }
        if form.get("public_from") and form.get("public_until"):
            data["public_hours"] = rules.daily_hours(form["public_from"], form["public_until"])
        services.add_vehicle(rt.db, user, cid, data)
        return _("Vehicle added.")
    raise ValidationFailed(N_("Unknown action."), field="action")


@bp.route("/<int:cid>", methods=["GET", "POST"])
@login_required
def dashboard(cid: int) -> Any:
    """Admin dashboard; each POST form is one admin action (invite, limits, cards, vehicles)."""
    user = require_user()
    error: FormError | None = None
    status = 200
    if request.method == "POST":
        try:
            flash(_admin_action(user, cid, request.form))
            return redirect(url_for("fleet_views.dashboard", cid=cid))
        except DomainError as exc:
            fields = DASHBOARD_FIELDS.get(request.form.get("action", "invite"), {})
            error, status = form_error(exc, fields), exc.http_status
    now = utcnow()
    rows = services.usage(
        ctx().db, user, cid, now.year, now.month, ZoneInfo(ctx().settings.timezone)
    )
    with ctx().db.sessions() as s:
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
        cost_centres = s.scalars(
            select(CostCentre).where(CostCentre.company_id == cid).order_by(CostCentre.code)
        ).all()
        hubs = s.scalars(select(Hub).where(Hub.is_active).order_by(Hub.name)).all()
        return render_template(
            "fleet/dashboard.html",
            company=company,
            members=members,
            cards=cards,
            vehicles=vehicles,
            invoices=invoices,
            cost_centres=cost_centres,
            hubs=hubs,
            usage=rows,
            error=error,
            # After a refusal, the refused form shows what was typed.
            typed=request.form if error else {},
            month=f"{now.year}-{now.month:02d}",
            month_start=now.replace(day=15),  # mid-month: the same month in every zone
        ), status


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@login_required
def invitation(token: str) -> Any:
    """The page an invitation email links to: see the company, accept."""
    view = services.invitation_view(ctx().db, token)
    error = translated(view.problem) if view.problem else None
    status = 409 if view.problem else 200
    if request.method == "POST" and not view.problem:
        try:
            m = services.accept(ctx().db, require_user(), token)
        except DomainError as exc:
            error, status = form_error(exc).text, exc.http_status
        else:
            flash(_("You joined %(company)s. Choose it when you book.", company=view.company))
            if m.role == "admin":
                return redirect(url_for("fleet_views.dashboard", cid=m.company_id))
            return redirect(url_for("views.index"))
    return render_template("fleet/invitation.html", view=view, error=error), status


def _currency(db: Database, cid: int) -> str:
    """The company account's currency (limits are typed in it)."""
    with db.sessions() as s:
        company = s.get(Company, cid)
        if company is None:
            raise NotFound(N_("No such company."))
        return company.currency


def _member_changes(form: Any, currency: str) -> dict[str, Any]:
    """The member form as update_member changes (all kinds / no hub ticked = no restriction)."""
    kinds = sorted(form.getlist("kinds"))
    if not kinds:
        raise ValidationFailed(N_("Tick at least one kind of vehicle."), field="kinds")
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


@bp.route("/<int:cid>/members/<int:uid>", methods=["GET", "POST"])
@login_required
def member(cid: int, uid: int) -> Any:
    """One member's role, cost centre, monthly limit and what they may book; or remove them."""
    admin = require_user()
    rt = ctx()
    error: FormError | None = None
    status = 200
    if request.method == "POST":
        try:
            if request.form.get("action") == "remove":
                services.remove_member(rt.db, admin, cid, uid)
                flash(_("Member removed."))
            else:
                changes = _member_changes(request.form, _currency(rt.db, cid))
                services.update_member(rt.db, admin, cid, uid, changes)
                flash(_("Member updated."))
            return redirect(url_for("fleet_views.dashboard", cid=cid))
        except DomainError as exc:
            error, status = form_error(exc, MEMBER_FIELDS), exc.http_status
    with rt.db.sessions() as s:
        services.access_for(s, admin, cid, admin=True)
        found = s.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.company_id == cid, Membership.user_id == uid)
        ).first()
        if found is None:
            raise NotFound(N_("No such member."))
        m, person = found
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
