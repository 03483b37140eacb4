"""Fleet JSON API (/api/v1/fleet): companies, members, invitations, cards, vehicles, usage."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, request
from sqlalchemy import select

from billing.invoice_pdf import invoice_pdf as render_pdf
from booking.context import ctx
from booking.fleet import services
from booking.serializers import invoice as invoice_json
from booking.serializers import vehicle as vehicle_json
from mobility.clock import utcnow
from mobility.errors import NotFound, ValidationFailed
from mobility.models import (
    CostCentre,
    IdToken,
    Invoice,
    InvoiceKind,
    Membership,
    MembershipStatus,
    User,
    Vehicle,
)
from mobility.web.auth import login_required, require_user
from mobility.web.i18n import language
from mobility.web.pagination import envelope, page_args, paginate

bp = Blueprint("fleet_api", __name__, url_prefix="/api/v1/fleet")


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed("Send a JSON object.")
    return data


def _company_json(c: Any, role: str | None = None) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "vat_id": c.vat_id,
        "contact_email": c.contact_email,
        "monthly_limit_minor": c.monthly_limit_minor,
        "currency": c.currency,
        "role": role,
    }


def _member_json(m: Membership, email: str) -> dict[str, Any]:
    return {
        "user_id": m.user_id,
        "email": email,
        "role": m.role,
        "status": m.status,
        "cost_centre_id": m.cost_centre_id,
        "monthly_limit_minor": m.monthly_limit_minor,
        "allowed_vehicle_kinds": m.allowed_vehicle_kinds,
        "allowed_hub_ids": m.allowed_hub_ids,
    }


@bp.post("/companies")
@login_required
def signup() -> Any:
    """Sign a company up; the caller becomes its admin."""
    company = services.signup(ctx().db, require_user().id, _body())
    return _company_json(company, "admin"), 201


@bp.get("/companies")
@login_required
def my_companies() -> Any:
    """Companies the caller belongs to."""
    user = require_user()
    with ctx().db.sessions() as s:
        rows = (
            s.execute(
                select(Membership).where(
                    Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE
                )
            )
            .scalars()
            .all()
        )
        return {"items": [_company_json(m.company, m.role) for m in rows]}


@bp.patch("/companies/<int:cid>")
@login_required
def update_company(cid: int) -> Any:
    """Set the account-wide monthly limit."""
    company = services.set_company_limit(
        ctx().db, require_user(), cid, _body().get("monthly_limit_minor")
    )
    return _company_json(company)


@bp.get("/companies/<int:cid>/members")
@login_required
def members(cid: int) -> Any:
    """Members of a company (admins only)."""
    page, per_page = page_args()
    with ctx().db.sessions() as s:
        services.access_for(s, require_user(), cid, admin=True)
        stmt = select(Membership).where(Membership.company_id == cid).order_by(Membership.id)
        items, total = paginate(s, stmt, page, per_page)
        emails = dict(
            s.execute(
                select(User.id, User.email).where(User.id.in_([m.user_id for m in items]))
            ).all()
        )
        return envelope([_member_json(m, emails[m.user_id]) for m in items], total, page, per_page)


@bp.patch("/companies/<int:cid>/members/<int:uid>")
@login_required
def update_member(cid: int, uid: int) -> Any:
    """Role, cost centre, limits and allowed vehicle kinds/hubs of a member."""
    m = services.update_member(ctx().db, require_user(), cid, uid, _body())
    return {
        "user_id": m.user_id,
        "role": m.role,
        "cost_centre_id": m.cost_centre_id,
        "monthly_limit_minor": m.monthly_limit_minor,
        "allowed_vehicle_kinds": m.allowed_vehicle_kinds,
        "allowed_hub_ids": m.allowed_hub_ids,
    }


@bp.delete("/companies/<int:cid>/members/<int:uid>")
@login_required
def remove_member(cid: int, uid: int) -> Any:
    """Remove a member."""
    services.remove_member(ctx().db, require_user(), cid, uid)
    return "", 204


@bp.post("/companies/<int:cid>/invitations")
@login_required
def invite(cid: int) -> Any:
    """Invite by email (the code is emailed, not returned)."""
    data = _body()
    services.invite(
        ctx().db,
        ctx().outbox,
        ctx().settings.base_url,
        require_user(),
        cid,
        str(data.get("email", "")),
        str(data.get("role", "member")),
        data.get("cost_centre_id"),
        locale=language(),
    )
    return {"status": "sent"}, 201


def _invitation_json(inv: Any) -> dict[str, Any]:
    return {
        "id": inv.id,
        "email": inv.email,
        "role": inv.role,
        "cost_centre_id": inv.cost_centre_id,
        "created_at": inv.created_at.isoformat(),
        "expires_at": inv.expires_at.isoformat(),
        "expired": inv.expires_at <= utcnow(),
    }


@bp.get("/companies/<int:cid>/invitations")
@login_required
def invitations(cid: int) -> Any:
    """Invitations waiting for an answer (expired ones too: they can be resent)."""
    with ctx().db.sessions() as s:
        services.access_for(s, require_user(), cid, admin=True)
        return {"items": [_invitation_json(i) for i in services.pending_invitations(s, cid)]}


@bp.post("/companies/<int:cid>/invitations/<int:iid>/resend")
@login_required
def resend_invitation(cid: int, iid: int) -> Any:
    """Mail an invitation again with a new link (the old one stops working)."""
    rt = ctx()
    inv = services.resend_invitation(
        rt.db, rt.outbox, rt.settings.base_url, require_user(), cid, iid, locale=language()
    )
    return _invitation_json(inv)


@bp.delete("/companies/<int:cid>/invitations/<int:iid>")
@login_required
def revoke_invitation(cid: int, iid: int) -> Any:
    """Withdraw an invitation: its link stops working."""
    services.revoke_invitation(ctx().db, require_user(), cid, iid)
    return "", 204


@bp.post("/invitations/accept")
@login_required
def accept() -> Any:
    """Join a company with an invitation code."""
    m = services.accept(ctx().db, require_user(), str(_body().get("token", "")))
    return {"company_id": m.company_id, "role": m.role}, 200


@bp.route("/companies/<int:cid>/cost-centres", methods=["GET", "POST"])
@login_required
def cost_centres(cid: int) -> Any:
    """List or add cost centres."""
    user = require_user()
    if request.method == "POST":
        data = _body()
        cc = services.add_cost_centre(
            ctx().db, user, cid, str(data.get("code", "")), str(data.get("name", ""))
        )
        return {"id": cc.id, "code": cc.code, "name": cc.name}, 201
    with ctx().db.sessions() as s:
        services.access_for(s, user, cid)
        rows = s.scalars(select(CostCentre).where(CostCentre.company_id == cid)).all()
        return {"items": [{"id": c.id, "code": c.code, "name": c.name} for c in rows]}


@bp.route("/companies/<int:cid>/cards", methods=["GET", "POST"])
@login_required
def cards(cid: int) -> Any:
    """List or issue RFID charging cards."""
    user = require_user()
    if request.method == "POST":
        data = _body()
        card = services.issue_card(
            ctx().db,
            user,
            cid,
            str(data.get("id_tag", "")),
            user_id=data.get("user_id"),
            vehicle_id=data.get("vehicle_id"),
            label=str(data.get("label", "")),
        )
        return {"id_tag": card.id_tag, "status": card.status}, 201
    with ctx().db.sessions() as s:
        services.access_for(s, user, cid, admin=True)
        rows = s.scalars(select(IdToken).where(IdToken.company_id == cid)).all()
        return {
            "items": [
                {
                    "id_tag": c.id_tag,
                    "status": c.status,
                    "user_id": c.user_id,
                    "vehicle_id": c.vehicle_id,
                    "label": c.label,
                }
                for c in rows
            ]
        }


@bp.post("/companies/<int:cid>/cards/<id_tag>/<any(block, unblock):action>")
@login_required
def card_status(cid: int, id_tag: str, action: str) -> Any:
    """Block or unblock a card."""
    services.set_card_status(ctx().db, require_user(), cid, id_tag, action == "block")
    return {"id_tag": id_tag, "status": "Blocked" if action == "block" else "Accepted"}


@bp.route("/companies/<int:cid>/vehicles", methods=["GET", "POST"])
@login_required
def vehicles(cid: int) -> Any:
    """List or add company vehicles."""
    user = require_user()
    if request.method == "POST":
        v = services.add_vehicle(ctx().db, user, cid, _body())
        return {**vehicle_json(v), "visibility": v.visibility}, 201
    with ctx().db.sessions() as s:
        services.access_for(s, user, cid)
        rows = s.scalars(select(Vehicle).where(Vehicle.owner_company_id == cid)).all()
        return {
            "items": [
                {**vehicle_json(v), "visibility": v.visibility, "public_hours": v.public_hours}
                for v in rows
            ]
        }


def _month() -> tuple[int, int]:
    raw = request.args.get("month")
    if not raw:
        now = utcnow()
        return now.year, now.month
    try:
        year, month = (int(x) for x in raw.split("-"))
        if not 1 <= month <= 12:
            raise ValueError
        return year, month
    except ValueError:
        raise ValidationFailed("month must look like 2026-11.", field="month") from None


@bp.get("/companies/<int:cid>/usage")
@login_required
def usage(cid: int) -> Any:
    """Usage per member and cost centre for ?month=YYYY-MM."""
    year, month = _month()
    rows = services.usage(
        ctx().db, require_user(), cid, year, month, ZoneInfo(ctx().settings.timezone)
    )
    return {"month": f"{year}-{month:02d}", "items": rows}


@bp.get("/companies/<int:cid>/usage.csv")
@login_required
def usage_csv(cid: int) -> Any:
    """The usage report as a CSV download."""
    year, month = _month()
    rows = services.usage(
        ctx().db, require_user(), cid, year, month, ZoneInfo(ctx().settings.timezone)
    )
    return Response(
        services.usage_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=usage-{cid}-{year}-{month:02d}.csv"},
    )


@bp.get("/companies/<int:cid>/invoices")
@login_required
def invoices(cid: int) -> Any:
    """The company's monthly invoices from billing."""
    page, per_page = page_args()
    with ctx().db.sessions() as s:
        services.access_for(s, require_user(), cid, admin=True)
        stmt = (
            select(Invoice)
            .where(Invoice.company_id == cid, Invoice.kind == InvoiceKind.FLEET_MONTHLY)
            .order_by(Invoice.period_start.desc())
        )
        items, total = paginate(s, stmt, page, per_page)
        return envelope([invoice_json(i) for i in items], total, page, per_page)


@bp.get("/companies/<int:cid>/invoices/<number_>/pdf")
@login_required
def invoice_pdf(cid: int, number_: str) -> Any:
    """One of the company's invoices as a PDF (English labels)."""
    with ctx().db.sessions() as s:
        services.access_for(s, require_user(), cid, admin=True)
        invoice = s.scalar(
            select(Invoice).where(Invoice.company_id == cid, Invoice.number == number_)
        )
        if invoice is None:
            raise NotFound("No such invoice.")
        data = render_pdf(invoice)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename={invoice.number}.pdf"},
    )
