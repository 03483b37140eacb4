"""Everything the platform holds about a user, as one JSON document (GDPR right of access)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from booking import serializers
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import NotFound
from mobility.models import (
    ApiToken,
    Booking,
    Charger,
    ChargingTransaction,
    Company,
    CostCentre,
    IdToken,
    Invoice,
    Membership,
    PaymentMethod,
    Reservation,
    Trip,
    User,
)

FORMAT = "mobility-hub-account-export/1"


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def export(db: Database, user_id: int) -> dict[str, Any]:
    """The user's profile, memberships, bookings, trips, charging sessions, invoices, cards."""
    with db.sessions() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound("No such user.")
        mine = {"user_id": user_id}
        return {
            "format": FORMAT,
            "exported_at": _iso(utcnow()),
            "profile": profile(user),
            "memberships": _memberships(s, user_id),
            "bookings": [serializers.booking(b) for b in _all(s, Booking, mine, Booking.id)],
            "trips": [serializers.trip(t) for t in _all(s, Trip, mine, Trip.id)],
            "charging_sessions": _charging(s, user_id),
            "charger_reservations": [
                _reservation(r) for r in _all(s, Reservation, mine, Reservation.id)
            ],
            "invoices": [serializers.invoice(i) for i in _invoices(s, user_id)],
            "charging_cards": [_card(c) for c in _all(s, IdToken, mine, IdToken.id)],
            "payment_cards": [
                _payment_card(p) for p in _all(s, PaymentMethod, mine, PaymentMethod.id)
            ],
            "api_tokens": [_api_token(t) for t in _all(s, ApiToken, mine, ApiToken.id)],
        }


def _all(s: Session, model: Any, where: dict[str, Any], order: Any) -> list[Any]:
    return list(s.scalars(select(model).filter_by(**where).order_by(order)))


def profile(user: User) -> dict[str, Any]:
    """The account itself: identity, sign-in facts, driving licence, saved card."""
    return {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role,
        "locale": user.locale,
        "created_at": _iso(user.created_at),
        "email_verified_at": _iso(user.email_verified_at),
        "last_login_at": _iso(user.last_login_at),
        "card_saved": user.stripe_payment_method_id is not None,
        "payment_customer_ref": user.stripe_customer_id,
        "driving_licence": licence(user),
    }


def licence(user: User) -> dict[str, Any] | None:
    """The driving licence entered, and whether and when an operator checked it."""
    if user.driving_licence_number is None:
        return None
    return {
        "number": user.driving_licence_number,
        "country": user.driving_licence_country,
        "expires_on": _iso(user.driving_licence_expires_on),
        "verified": user.driving_licence_verified_at is not None,
        "verified_at": _iso(user.driving_licence_verified_at),
    }


def _memberships(s: Session, user_id: int) -> list[dict[str, Any]]:
    rows = s.execute(
        select(Membership, Company.name, CostCentre.code)
        .join(Company, Company.id == Membership.company_id)
        .outerjoin(CostCentre, CostCentre.id == Membership.cost_centre_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.id)
    ).all()
    return [
        {
            "company_id": m.company_id,
            "company": name,
            "role": m.role,
            "status": m.status,
            "cost_centre": code,
            "monthly_limit_minor": m.monthly_limit_minor,
            "allowed_vehicle_kinds": m.allowed_vehicle_kinds,
            "allowed_hub_ids": m.allowed_hub_ids,
            "since": _iso(m.created_at),
        }
        for m, name, code in rows
    ]


def _charging(s: Session, user_id: int) -> list[dict[str, Any]]:
    rows = s.execute(
        select(ChargingTransaction, Charger.charge_point_id)
        .join(Charger, Charger.id == ChargingTransaction.charger_id)
        .where(ChargingTransaction.user_id == user_id)
        .order_by(ChargingTransaction.id)
    ).all()
    return [
        {
            "id": t.id,
            "charger": cp_id,
            "connector_id": t.connector_id,
            "id_tag": t.id_tag,
            "status": t.status,
            "started_at": _iso(t.started_at),
            "stopped_at": _iso(t.stopped_at),
            "energy_wh": t.energy_wh,
            "stop_reason": t.stop_reason,
            "company_id": t.company_id,
        }
        for t, cp_id in rows
    ]


def _invoices(s: Session, user_id: int) -> list[Invoice]:
    return list(
        s.scalars(
            select(Invoice)
            .options(selectinload(Invoice.lines))
            .where(Invoice.user_id == user_id)
            .order_by(Invoice.id)
        )
    )


def _reservation(r: Reservation) -> dict[str, Any]:
    return {
        "id": r.id,
        "connector_id": r.connector_id,
        "id_tag": r.id_tag,
        "status": r.status,
        "expires_at": _iso(r.expires_at),
        "booking_id": r.booking_id,
    }


def _card(c: IdToken) -> dict[str, Any]:
    return {
        "id_tag": c.id_tag,
        "label": c.label,
        "status": c.status,
        "expires_at": _iso(c.expires_at),
        "company_id": c.company_id,
    }


def _payment_card(p: PaymentMethod) -> dict[str, Any]:
    return {
        "provider": p.provider,
        "brand": p.brand,
        "last4": p.last4,
        "exp_month": p.exp_month,
        "exp_year": p.exp_year,
    }


def _api_token(t: ApiToken) -> dict[str, Any]:
    # The secret itself is not stored; only when and how it is used.
    return {
        "name": t.name,
        "created_at": _iso(t.created_at),
        "last_used_at": _iso(t.last_used_at),
        "expires_at": _iso(t.expires_at),
        "revoked_at": _iso(t.revoked_at),
    }
