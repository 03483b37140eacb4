"""Fleet account use cases; access checks live in `access_for` (one place)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking import letters
from booking.fleet import rules
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import N_, Conflict, Forbidden, Message, NotFound, ValidationFailed
from mobility.hours import validate_hours
from mobility.letters import letter_intent
from mobility.locales import language_of
from mobility.mail import MAIL_KIND
from mobility.models import (
    ChargingTransaction,
    Company,
    CostCentre,
    Hub,
    IdToken,
    IdTokenStatus,
    Invitation,
    Invoice,
    InvoiceKind,
    MemberRole,
    Membership,
    MembershipStatus,
    Trip,
    User,
    UserRole,
    Vehicle,
    VehicleKind,
    VehicleVisibility,
)
from mobility.outbox import Outbox
from mobility.security import new_token, token_digest

INVITE_DAYS = 7


@dataclass(frozen=True)
class Access:
    """What the caller may do in one company."""

    company_id: int
    user_id: int
    is_admin: bool


def access_for(s: Session, user: User, company_id: int, *, admin: bool = False) -> Access:
    """The caller's access to a company: 404 for outsiders, 403 for members on admin actions."""
    m = s.scalar(
        select(Membership).where(
            Membership.company_id == company_id,
            Membership.user_id == user.id,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )
    is_operator = user.role == UserRole.OPERATOR
    if m is None and not is_operator:
        raise NotFound(N_("No such company."))
    is_admin = is_operator or (m is not None and m.role == MemberRole.ADMIN)
    if admin and not is_admin:
        raise Forbidden(N_("Only the company's fleet admins may do this."))
    return Access(company_id, user.id, is_admin)


def signup(db: Database, user_id: int, data: dict[str, Any]) -> Company:
    """A company signs up; the signer becomes its first admin."""
    name = str(data.get("name", "")).strip()
    if not name or len(name) > 200:
        raise ValidationFailed(N_("Enter the company name."), field="name")
    vat_id = rules.normalise_vat_id(str(data.get("vat_id", "")))
    email = str(data.get("contact_email", "")).strip().lower()
    if "@" not in email:
        raise ValidationFailed(N_("Enter a contact email."), field="contact_email")
    address = {
        k: str(data.get(k, "")).strip()
        for k in ("billing_street", "billing_postcode", "billing_city")
    }
    if not all(address.values()):
        raise ValidationFailed(N_("Enter the full billing address."), field="billing_street")
    country = str(data.get("billing_country", vat_id[:2])).upper()[:2]
    try:
        with db.transaction() as s:
            company = Company(
                name=name,
                vat_id=vat_id,
                contact_email=email,
                contact_name=str(data.get("contact_name", ""))[:200],
                billing_country=country,
                **address,
            )
            s.add(company)
            s.flush()
            cc = CostCentre(company_id=company.id, code="GENERAL", name="General")
            s.add(cc)
            s.flush()
            s.add(
                Membership(
                    company_id=company.id,
                    user_id=user_id,
                    role=MemberRole.ADMIN,
                    cost_centre_id=cc.id,
                )
            )
            return company
    except IntegrityError:
        raise Conflict(
            N_("A company with this VAT id is registered already."), field="vat_id"
        ) from None


def invite(
    db: Database,
    outbox: Outbox,
    base_url: str,
    admin: User,
    company_id: int,
    email: str,
    role: str = MemberRole.MEMBER,
    cost_centre_id: int | None = None,
    locale: str | None = None,
) -> str:
    """Invite someone by email; the link is mailed once and only the token's digest is kept.

    The mail is in the language of the invitee's account, else `locale` (the inviter's).
    """
    email = email.strip().lower()
    if "@" not in email:
        raise ValidationFailed(N_("Enter the email to invite."), field="email")
    if role not in (MemberRole.MEMBER, MemberRole.ADMIN):
        raise ValidationFailed(N_("Role must be member or admin."), field="role")
    token = new_token()
    with db.transaction() as s:
        access_for(s, admin, company_id, admin=True)
        _own_cost_centre(s, company_id, cost_centre_id)
        _not_invited_yet(s, company_id, email)
        now = utcnow()
        invitation = Invitation(
            company_id=company_id,
            email=email,
            role=role,
            cost_centre_id=cost_centre_id,
            token_hash=token_digest(token),
            invited_by_id=admin.id,
            created_at=now,
            expires_at=now + timedelta(days=INVITE_DAYS),
        )
        s.add(invitation)
        s.flush()
        _mail_invitation(s, outbox, base_url, admin, invitation, token, "", locale)
    return token


def _not_invited_yet(s: Session, company_id: int, email: str) -> None:
    """Refuse inviting an active member, or an address whose invitation still waits."""
    member = s.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.company_id == company_id,
            Membership.status == MembershipStatus.ACTIVE,
            User.email == email,
        )
    )
    if member is not None:
        raise Conflict(N_("This person is a member already."), field="email")
    waiting = s.scalar(
        select(Invitation.id).where(
            Invitation.company_id == company_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
    )
    if waiting is not None:
        raise Conflict(
            N_("An invitation to this address is waiting: resend it instead."), field="email"
        )


def _mail_invitation(
    s: Session,
    outbox: Outbox,
    base_url: str,
    admin: User,
    invitation: Invitation,
    token: str,
    occasion: str,
    locale: str | None,
) -> None:
    """Mail an invitation's link (after commit, waited for: the admin is told it went out)."""
    company = s.get(Company, invitation.company_id)
    assert company is not None
    invitee = s.scalar(select(User.locale).where(User.email == invitation.email))
    intent = letter_intent(
        invitation.email,
        letters.FLEET_INVITATION,
        language_of(invitee, locale),
        inviter=admin.full_name or admin.email,
        company=company.name,
        link=f"{base_url}/fleet/invitations/{token}",
        code=token,
        expires_at=invitation.expires_at.isoformat(),
    )
    key = f"mail:invitation:{invitation.id}{occasion}"
    outbox.record(s, MAIL_KIND, key, intent, wait=True, secret=True)


def pending_invitations(s: Session, company_id: int) -> list[Invitation]:
    """Invitations neither accepted nor withdrawn (expired ones too: they can be resent)."""
    return list(
        s.scalars(
            select(Invitation)
            .where(
                Invitation.company_id == company_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def _open_invitation(s: Session, company_id: int, invitation_id: int) -> Invitation:
    inv = s.get(Invitation, invitation_id, with_for_update=True)
    if inv is None or inv.company_id != company_id:
        raise NotFound(N_("No such invitation."))
    if inv.accepted_at is not None:
        raise Conflict(N_("This invitation was used already."))
    if inv.revoked_at is not None:
        raise Conflict(N_("This invitation was withdrawn."))
    return inv


def resend_invitation(
    db: Database,
    outbox: Outbox,
    base_url: str,
    admin: User,
    company_id: int,
    invitation_id: int,
    locale: str | None = None,
) -> Invitation:
    """Mail a waiting invitation again with a new link (the old link stops working)."""
    token = new_token()
    with db.transaction() as s:
        access_for(s, admin, company_id, admin=True)
        inv = _open_invitation(s, company_id, invitation_id)
        now = utcnow()
        inv.token_hash = token_digest(token)
        inv.expires_at = now + timedelta(days=INVITE_DAYS)
        occasion = f":{int(now.timestamp())}"
        _mail_invitation(s, outbox, base_url, admin, inv, token, occasion, locale)
        return inv


def revoke_invitation(db: Database, admin: User, company_id: int, invitation_id: int) -> None:
    """Withdraw a waiting invitation: its link stops working."""
    with db.transaction() as s:
        access_for(s, admin, company_id, admin=True)
        _open_invitation(s, company_id, invitation_id).revoked_at = utcnow()


@dataclass(frozen=True)
class InvitationView:
    """What the invitee sees before accepting."""

    company: str
    email: str
    role: str
    problem: Message | None


def invitation_view(db: Database, token: str) -> InvitationView:
    """The invitation behind a token (NotFound for unknown tokens)."""
    with db.sessions() as s:
        inv = s.scalar(select(Invitation).where(Invitation.token_hash == token_digest(token)))
        if inv is None:
            raise NotFound(N_("This invitation link is not valid."))
        company = s.get(Company, inv.company_id)
        assert company is not None
        problem = rules.invitation_usable(inv.expires_at, inv.accepted_at, inv.revoked_at, utcnow())
        return InvitationView(company.name, inv.email, inv.role, problem)


def accept(db: Database, user: User, token: str) -> Membership:
    """Join a company with an invitation meant for this user's email."""
    with db.transaction() as s:
        inv = s.scalar(select(Invitation).where(Invitation.token_hash == token_digest(token)))
        if inv is None:
            raise NotFound(N_("This invitation code is not valid."))
        problem = rules.invitation_usable(inv.expires_at, inv.accepted_at, inv.revoked_at, utcnow())
        if problem:
            raise Conflict(problem)
        if inv.email != user.email:
            raise Forbidden(N_("This invitation was sent to another email address."))
        m = s.scalar(
            select(Membership).where(
                Membership.company_id == inv.company_id, Membership.user_id == user.id
            )
        )
        if m is None:
            m = Membership(company_id=inv.company_id, user_id=user.id)
            s.add(m)
        m.role, m.status, m.cost_centre_id = inv.role, MembershipStatus.ACTIVE, inv.cost_centre_id
        inv.accepted_at = utcnow()
        s.flush()
        return m


def _own_cost_centre(s: Session, company_id: int, cost_centre_id: int | None) -> None:
    if cost_centre_id is None:
        return
    cc = s.get(CostCentre, cost_centre_id)
    if cc is None or cc.company_id != company_id:
        raise ValidationFailed(N_("Unknown cost centre."), field="cost_centre_id")


def _member(s: Session, company_id: int, user_id: int) -> Membership:
    m = s.scalar(
        select(Membership).where(Membership.company_id == company_id, Membership.user_id == user_id)
    )
    if m is None:
        raise NotFound(N_("No such member."))
    return m


def update_member(
    db: Database, admin: User, company_id: int, user_id: int, changes: dict[str, Any]
) -> Membership:
    """Role, cost centre, monthly limit, allowed vehicle kinds and hubs of a member."""
    with db.transaction() as s:
        access_for(s, admin, company_id, admin=True)
        m = _member(s, company_id, user_id)
        if "role" in changes:
            if changes["role"] not in (MemberRole.MEMBER, MemberRole.ADMIN):
                raise ValidationFailed(N_("Role must be member or admin."), field="role")
            if changes["role"] == MemberRole.MEMBER and m.role == MemberRole.ADMIN:
                _keep_one_admin(s, company_id, user_id)
            m.role = changes["role"]
        if "cost_centre_id" in changes:
            _own_cost_centre(s, company_id, changes["cost_centre_id"])
            m.cost_centre_id = changes["cost_centre_id"]
        if "monthly_limit_minor" in changes:
            m.monthly_limit_minor = _limit(changes["monthly_limit_minor"])
        if "allowed_vehicle_kinds" in changes:
            kinds = changes["allowed_vehicle_kinds"]
            if kinds is not None and not set(kinds) <= {k.value for k in VehicleKind}:
                raise ValidationFailed(
                    "Vehicle kinds are ebike and ecar.", field="allowed_vehicle_kinds"
                )
            m.allowed_vehicle_kinds = kinds
        if "allowed_hub_ids" in changes:
            hubs = changes["allowed_hub_ids"]
            if hubs is not None and not all(isinstance(h, int) for h in hubs):
                raise ValidationFailed("Hub ids must be integers.", field="allowed_hub_ids")
            m.allowed_hub_ids = hubs
        return m


def _limit(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationFailed("Limits are whole cents, 0 or more.", field="monthly_limit_minor")
    return value


def _keep_one_admin(s: Session, company_id: int, leaving_user_id: int) -> None:
    admins = s.scalar(
        select(func.count())
        .select_from(Membership)
        .where(
            Membership.company_id == company_id,
            Membership.role == MemberRole.ADMIN,
            Membership.status == MembershipStatus.ACTIVE,
            Membership.user_id != leaving_user_id,
        )
    )
    if not admins:
        raise Conflict(N_("A company keeps at least one admin."))


def remove_member(db: Database, admin: User, company_id: int, user_id: int) -> None:
    """Remove a member: their company cards are blocked (history stays for invoices)."""
    with db.transaction() as s:
        access_for(s, admin, company_id, admin=True)
        m = _member(s, company_id, user_id)
        _keep_one_admin(s, company_id, user_id)
        m.status = MembershipStatus.REMOVED
        # Chargers would otherwise keep billing the company for a card it can't take back.
        s.execute(
            update(IdToken)
            .where(IdToken.company_id == company_id, IdToken.user_id == user_id)
            .values(status=IdTokenStatus.BLOCKED)
        )


def set_company_limit(db: Database, admin: User, company_id: int, limit: Any) -> Company:
    """The account-wide monthly spending limit."""
    with db.transaction() as s:
        access_for(s, admin, company_id, admin=True)
        company = s.get(Company, company_id)
        assert company is not None
        company.monthly_limit_minor = _limit(limit)
        return company


def add_cost_centre(db: Database, admin: User, company_id: int, code: str, name: str) -> CostCentre:
    """A new cost centre."""
    code = code.strip().upper()
    if not code or len(code) > 40:
        raise ValidationFailed(N_("Enter a short cost centre code."), field="code")
    try:
        with db.transaction() as s:
            access_for(s, admin, company_id, admin=True)
            cc = CostCentre(company_id=company_id, code=code, name=name.strip()[:200])
            s.add(cc)
            s.flush()
            return cc
    except IntegrityError:
        raise Conflict(N_("That cost centre code exists already."), field="code") from None


def issue_card(
    db: Database,
    admin: User,
    company_id: int,
    id_tag: str,
    *,
    user_id: int | None = None,
    vehicle_id: int | None = None,
    label: str = "",
) -> IdToken:
    """An RFID card for a member or a company car; its sessions are billed to the company."""
    tag = rules.normalise_id_tag(id_tag)
    if (user_id is None) == (vehicle_id is None):
        raise ValidationFailed(
            N_("Issue the card to one member or one company car."), field="user_id"
        )
    try:
        with db.transaction() as s:
            access_for(s, admin, company_id, admin=True)
            if user_id is not None and _member(s, company_id, user_id).status != "active":
                raise ValidationFailed(N_("That person is not an active member."), field="user_id")
            if vehicle_id is not None:
                v = s.get(Vehicle, vehicle_id)
                if v is None or v.owner_company_id != company_id:
                    raise ValidationFailed(
                        N_("That car is not one of the company's."), field="vehicle_id"
                    )
            card = IdToken(
                id_tag=tag,
                user_id=user_id,
                vehicle_id=vehicle_id,
                company_id=company_id,
                label=label[:100],
            )
            s.add(card)
            s.flush()
            return card
    except IntegrityError:
        raise Conflict(N_("This card id is in use already."), field="id_tag") from None


def set_card_status(db: Database, admin: User, company_id: int, id_tag: str, blocked: bool) -> None:
    """Block or unblock a company card (chargers then refuse it on Authorize)."""
    with db.transaction() as s:
        access_for(s, admin, company_id, admin=True)
        card = s.scalar(
            select(IdToken).where(IdToken.id_tag == id_tag, IdToken.company_id == company_id)
        )
        if card is None:
            raise NotFound(N_("No such card."))
        card.status = IdTokenStatus.BLOCKED if blocked else IdTokenStatus.ACCEPTED


def add_vehicle(db: Database, admin: User, company_id: int, data: dict[str, Any]) -> Vehicle:
    """Add a company-owned vehicle, members-only or shared with the public at set hours."""
    fields = rules.vehicle_fields(data)
    visibility = data.get("visibility", VehicleVisibility.FLEET_ONLY)
    if visibility not in {v.value for v in VehicleVisibility}:
        raise ValidationFailed(
            "visibility is public, fleet_only or shared_hours.", field="visibility"
        )
    hours = None
    if visibility == VehicleVisibility.SHARED_HOURS or data.get("public_hours") is not None:
        hours = validate_hours(data.get("public_hours"))
    hub_id = data.get("hub_id")
    try:
        with db.transaction() as s:
            access_for(s, admin, company_id, admin=True)
            if hub_id is not None and (
                not isinstance(hub_id, int)
                or isinstance(hub_id, bool)
                or s.get(Hub, hub_id) is None
            ):
                raise ValidationFailed(N_("Choose one of the hubs."), field="hub_id")
            v = Vehicle(
                hub_id=hub_id,
                owner_company_id=company_id,
                visibility=visibility,
                public_hours=hours,
                **fields,
            )
            s.add(v)
            s.flush()
            return v
    except IntegrityError:
        raise Conflict(N_("A vehicle with this code exists already."), field="code") from None


def usage(
    db: Database, user: User, company_id: int, year: int, month: int, tz: ZoneInfo
) -> list[dict[str, Any]]:
    """Spend of each member in a month, one row each: trips and charging side by side.

    The cost centres are those the member's trips were booked to (else the member's own);
    charging with a company car's card is the "company car" row.
    """
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    with db.sessions() as s:
        access_for(s, user, company_id, admin=True)
        trips = _trip_usage(s, company_id, start, end)
        charging = _charging_usage(s, company_id, start, end)
        people = {uid for uid, *_ in trips} | {uid for uid, *_ in charging}
        names: dict[Any, Any] = dict(
            s.execute(select(User.id, User.email).where(User.id.in_(people - {None}))).all()
        )
        centres: dict[Any, Any] = dict(
            s.execute(
                select(CostCentre.id, CostCentre.code).where(CostCentre.company_id == company_id)
            ).all()
        )
        own: dict[Any, Any] = dict(
            s.execute(
                select(Membership.user_id, Membership.cost_centre_id).where(
                    Membership.company_id == company_id
                )
            ).all()
        )
    return _usage_rows(trips, charging, names, centres, own)


def _usage_rows(
    trips: list[Any],
    charging: list[Any],
    names: dict[Any, Any],
    centres: dict[Any, Any],
    own: dict[Any, Any],
) -> list[dict[str, Any]]:
    """Trips and charging folded into one row per member (the company car's sessions apart)."""
    rows: dict[int | None, dict[str, Any]] = {}

    def row(uid: int | None) -> dict[str, Any]:
        return rows.setdefault(uid, _usage_row(names.get(uid) if uid else "company car"))

    for uid, cc, n, spent, km in trips:
        r = row(uid)
        r["trips"] += n
        r["trip_spend_minor"] += int(spent)
        r["distance"] += Decimal(km)
        if cc is not None:
            r["centres"].add(centres.get(cc))
    for uid, n, spent in charging:
        r = row(uid)
        r["charging_sessions"], r["charging_spend_minor"] = n, int(spent)
    for uid, r in rows.items():
        used = sorted(str(c) for c in r.pop("centres") if c)
        mine = centres.get(own.get(uid))
        r["cost_centre"] = ", ".join(used) if used else mine
        r["distance_km"] = str(r.pop("distance"))
        r["total_minor"] = r["trip_spend_minor"] + r["charging_spend_minor"]
    return sorted(rows.values(), key=lambda r: (r["member"] == "company car", str(r["member"])))


def _usage_row(member: Any) -> dict[str, Any]:
    return {
        "member": member,
        "cost_centre": None,
        "trips": 0,
        "trip_spend_minor": 0,
        "distance": Decimal(0),
        "charging_sessions": 0,
        "charging_spend_minor": 0,
        "centres": set(),
    }


def _trip_usage(s: Session, company_id: int, start: datetime, end: datetime) -> list[Any]:
    """Company trips ended in [start, end): per member and cost centre."""
    return list(
        s.execute(
            select(
                Trip.user_id,
                Trip.cost_centre_id,
                func.count(),
                func.coalesce(func.sum(Trip.price_minor), 0),
                func.coalesce(func.sum(Trip.distance_km), 0),
            )
            .where(Trip.company_id == company_id, Trip.ended_at >= start, Trip.ended_at < end)
            .group_by(Trip.user_id, Trip.cost_centre_id)
        ).all()
    )


def _charging_usage(s: Session, company_id: int, start: datetime, end: datetime) -> list[Any]:
    """Invoiced company charging sessions stopped in [start, end): per member."""
    return list(
        s.execute(
            select(
                ChargingTransaction.user_id,
                func.count(),
                func.coalesce(func.sum(Invoice.total_minor), 0),
            )
            .join(
                Invoice,
                (Invoice.charging_transaction_id == ChargingTransaction.id)
                & (Invoice.kind == InvoiceKind.CHARGING),
            )
            .where(
                ChargingTransaction.company_id == company_id,
                ChargingTransaction.stopped_at >= start,
                ChargingTransaction.stopped_at < end,
            )
            .group_by(ChargingTransaction.user_id)
        ).all()
    )


def usage_csv(rows: list[dict[str, Any]]) -> str:
    """The usage report as CSV."""
    out = io.StringIO()
    fields = [
        "member",
        "cost_centre",
        "trips",
        "distance_km",
        "trip_spend_minor",
        "charging_sessions",
        "charging_spend_minor",
        "total_minor",
    ]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # Neutralise spreadsheet formulas in free text (CSV injection).
        safe = {
            k: (f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v) for k, v in row.items()
        }
        writer.writerow(safe)
    return out.getvalue()
