"""Fleet admin web pages: sign up, and a dashboard in tabs (members and invitations, cards,
vehicles, usage, invoices, settings). Member and invoice pages are in member_views and
invoice_views, on the same blueprint."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

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
    MemberRole,
    Membership,
    MembershipStatus,
    User,
    Vehicle,
)
from mobility.web.auth import current_user_id, login_required, require_user
from mobility.web.forms import form_error
from mobility.web.i18n import error_text, language, money, translated

bp = Blueprint("fleet_views", __name__, url_prefix="/fleet")

SIGNUP_FIELDS = (
    "name",
    "vat_id",
    "contact_email",
    "billing_street",
    "billing_postcode",
    "billing_city",
)

# Tab labels are translated where shown.
TABS = {
    "members": N_("Members"),
    "cards": N_("Charging cards"),
    "vehicles": N_("Vehicles"),
    "usage": N_("Usage"),
    "invoices": N_("Invoices"),
    "settings": N_("Settings"),
}
# The tab each dashboard form belongs to, and which input each service field names there.
ACTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "invite": ("members", {"email": "email", "role": "invite-role", "cost_centre_id": "invite-cc"}),
    "resend": ("members", {}),
    "revoke": ("members", {}),
    "card": (
        "cards",
        {"id_tag": "card-tag", "user_id": "card-user", "card_user_id": "card-user"}
        | {"vehicle_id": "card-vehicle", "card_vehicle_id": "card-vehicle"},
    ),
    "block": ("cards", {}),
    "unblock": ("cards", {}),
    "vehicle": (
        "vehicles",
        {"code": "veh-code", "kind": "veh-kind", "model": "veh-model", "hub_id": "veh-hub"}
        | {"visibility": "veh-vis", "public_hours": "veh-from"},
    ),
    "company_limit": ("settings", {"company_limit": "company-limit"}),
    "cost_centre": ("settings", {"code": "cc-code"}),
}


@bp.app_context_processor
def _fleet_menu() -> dict[str, Any]:
    def fleet_admin() -> bool:
        """Whether the signed-in user administers a fleet account (the menu's Fleet link)."""
        uid = current_user_id()
        if uid is None:
            return False
        with ctx().db.sessions() as s:
            return _admin_companies(s, uid) != []

    return {"fleet_admin": fleet_admin}


def _admin_companies(s: Session, user_id: int) -> list[Company]:
    return list(
        s.scalars(
            select(Company)
            .join(Membership, Membership.company_id == Company.id)
            .where(
                Membership.user_id == user_id,
                Membership.role == MemberRole.ADMIN,
                Membership.status == MembershipStatus.ACTIVE,
            )
            .order_by(Company.name)
        )
    )


@bp.get("/")
@login_required
def home() -> Any:
    """The fleet accounts the user runs: straight to the one, or a choice of several."""
    with ctx().db.sessions() as s:
        companies = _admin_companies(s, require_user().id)
    if len(companies) == 1:
        return redirect(url_for("fleet_views.dashboard", cid=companies[0].id))
    return render_template("fleet/home.html", companies=companies)


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


def _invitation_action(user: User, cid: int, action: str, form: Any) -> str:
    rt = ctx()
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
            locale=language(),
        )
        return _("Invitation sent.")
    iid = _optional_int(form.get("invitation_id"), "invitation_id") or 0
    if action == "resend":
        inv = services.resend_invitation(
            rt.db, rt.outbox, rt.settings.base_url, user, cid, iid, locale=language()
        )
        return _("Invitation sent again to %(email)s with a new link.", email=inv.email)
    services.revoke_invitation(rt.db, user, cid, iid)
    return _("Invitation withdrawn: its link no longer works.")


def _admin_action(user: User, cid: int, action: str, form: Any) -> str:
    """Apply one dashboard form; returns the confirmation to show."""
    rt = ctx()
    if action in ("invite", "resend", "revoke"):
        return _invitation_action(user, cid, action, form)
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
    services.add_vehicle(rt.db, user, cid, _vehicle_fields(form))
    return _("Vehicle added.")


def _vehicle_fields(form: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": form.get("code", ""),
        "kind": form.get("kind", ""),
        "model": form.get("model", ""),
        "visibility": form.get("visibility", "fleet_only"),
        "hub_id": _optional_int(form.get("hub_id"), "hub_id"),
    }
    if form.get("public_from") and form.get("public_until"):
        data["public_hours"] = rules.daily_hours(form["public_from"], form["public_until"])
    return data


@bp.route("/<int:cid>", methods=["GET", "POST"])
@bp.route(
    "/<int:cid>/<any(members, cards, vehicles, usage, invoices, settings):tab>",
    methods=["GET", "POST"],
)
@login_required
def dashboard(cid: int, tab: str = "members") -> Any:
    """Admin dashboard in tabs; each POST form is one admin action of its tab."""
    user = require_user()
    if request.method == "GET":
        return _dashboard_page(user, cid, tab)
    action = request.form.get("action", "invite")
    if action not in ACTIONS:
        raise ValidationFailed(N_("Unknown action."), field="action")
    tab, fields = ACTIONS[action]
    try:
        flash(_admin_action(user, cid, action, request.form))
    except DomainError as exc:
        field = fields.get(str(exc.details.get("field")))
        text = error_text(exc)
        errors = {field: text} if field else {}
        return _dashboard_page(
            user, cid, tab, errors, None if field else text, request.form, status=exc.http_status
        )
    return redirect(url_for("fleet_views.dashboard", cid=cid, tab=tab))


def _dashboard_page(
    user: User,
    cid: int,
    tab: str,
    errors: dict[str, str] | None = None,
    form_error: str | None = None,
    form: Any = None,
    status: int = 200,
) -> Any:
    with ctx().db.sessions() as s:
        services.access_for(s, user, cid, admin=True)
        company = s.get(Company, cid)
        values = _TAB_DATA[tab](s, user, cid)
        return render_template(
            "fleet/dashboard.html",
            company=company,
            tab=tab,
            tabs=TABS,
            errors=errors or {},
            form_error=form_error,
            form=form or {},
            money=money,  # the page's locale (booking's older pages still pass their own)
            **values,
        ), status


def _members_data(s: Session, user: User, cid: int) -> dict[str, Any]:
    members = s.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.company_id == cid)
        .order_by(Membership.status, User.email)
    ).all()
    return {
        "members": members,
        "invitations": services.pending_invitations(s, cid),
        "cost_centres": _cost_centres(s, cid),
        "now": utcnow(),
    }


def _cost_centres(s: Session, cid: int) -> list[CostCentre]:
    stmt = select(CostCentre).where(CostCentre.company_id == cid).order_by(CostCentre.code)
    return list(s.scalars(stmt))


def _cards_data(s: Session, user: User, cid: int) -> dict[str, Any]:
    active = s.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.company_id == cid, Membership.status == MembershipStatus.ACTIVE)
        .order_by(User.email)
    ).all()
    return {
        "cards": s.scalars(
            select(IdToken).where(IdToken.company_id == cid).order_by(IdToken.id_tag)
        ).all(),
        "active": active,
        "vehicles": s.scalars(select(Vehicle).where(Vehicle.owner_company_id == cid)).all(),
    }


def _vehicles_data(s: Session, user: User, cid: int) -> dict[str, Any]:
    return {
        "vehicles": s.scalars(
            select(Vehicle).where(Vehicle.owner_company_id == cid).order_by(Vehicle.code)
        ).all(),
        "hubs": s.scalars(select(Hub).where(Hub.is_active).order_by(Hub.name)).all(),
    }


def _usage_data(s: Session, user: User, cid: int) -> dict[str, Any]:
    now = utcnow().astimezone(ZoneInfo(ctx().settings.timezone))
    year, month = now.year, now.month
    raw = request.args.get("month", "")
    try:
        if raw:
            year, month = (int(x) for x in raw.split("-"))
            if not 1 <= month <= 12:
                raise ValueError
    except ValueError:
        raise ValidationFailed(_("Choose a month like 2026-11."), field="month") from None
    tz = ZoneInfo(ctx().settings.timezone)
    rows = services.usage(ctx().db, user, cid, year, month, tz)
    return {"usage": rows, "month": f"{year}-{month:02d}"}


def _invoices_data(s: Session, user: User, cid: int) -> dict[str, Any]:
    stmt = (
        select(Invoice)
        .where(Invoice.company_id == cid, Invoice.kind == InvoiceKind.FLEET_MONTHLY)
        .order_by(Invoice.issued_at.desc())
    )
    return {"invoices": s.scalars(stmt).all()}


def _settings_data(s: Session, user: User, cid: int) -> dict[str, Any]:
    return {"cost_centres": _cost_centres(s, cid)}


_TAB_DATA = {
    "members": _members_data,
    "cards": _cards_data,
    "vehicles": _vehicles_data,
    "usage": _usage_data,
    "invoices": _invoices_data,
    "settings": _settings_data,
}


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
