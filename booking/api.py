"""Citizen JSON API (/api/v1): accounts, hubs, search, quotes, bookings, trips, receipts."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, g, request
from sqlalchemy import select

from booking import accounts, rules, serializers
from booking.context import ctx
from booking.openapi import document
from booking.search import Search
from mobility.clock import parse_iso, utcnow
from mobility.errors import NotFound, ValidationFailed
from mobility.models import (
    Booking,
    Hub,
    Membership,
    MembershipStatus,
    Trip,
    Vehicle,
    VehicleKind,
)
from mobility.web.auth import current_user_id, login_required, require_user
from mobility.web.context import web_context
from mobility.web.extensions import login_limited
from mobility.web.i18n import language, money
from mobility.web.pagination import envelope, page_args, paginate

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed("Send a JSON object (Content-Type: application/json).")
    return data


def _time(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} must be an ISO 8601 timestamp.", field=field)
    try:
        return parse_iso(value)
    except ValueError:
        raise ValidationFailed(f"{field} must be an ISO 8601 timestamp.", field=field) from None


def _int(value: Any, field: str) -> int:
    if value is None or value == "":
        raise ValidationFailed(f"{field} is required.", field=field)
    if isinstance(value, bool):
        raise ValidationFailed(f"{field} must be an integer.", field=field)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{field} must be an integer.", field=field) from None


def _opt_int(value: Any, field: str) -> int | None:
    return None if value is None or value == "" else _int(value, field)


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed(f"{field} must be a number.", field=field) from None


@bp.get("/openapi.json")
def openapi() -> Any:
    """The OpenAPI 3.1 description of this API."""
    return document()


@bp.post("/accounts")
@login_limited
def register() -> Any:
    """Create a citizen account; the same answer whether the address is new or taken."""
    data = _body()
    email = str(data.get("email", ""))
    ctx().accounts.register(
        email,
        str(data.get("password", "")),
        str(data.get("full_name", "")),
        locale=language(),
    )
    message = "Check your e-mail: the message we sent says what to do next."
    return {"status": "check_email", "email": email.strip().lower(), "message": message}, 202


@bp.post("/tokens")
@login_limited
def create_token() -> Any:
    """Exchange email + password for a bearer token (rate-limited)."""
    data = _body()
    user = ctx().accounts.authenticate(
        str(data.get("email", "")), str(data.get("password", "")), locale=language()
    )
    token = accounts.issue_token(ctx().db, user.id, str(data.get("name", "api")))
    return {"token": token, "token_type": "Bearer", "user_id": user.id}, 201


@bp.delete("/tokens/current")
@login_required
def revoke_current_token() -> Any:
    """Revoke the bearer token this request was made with (log out of the API)."""
    digest = g.get("token_digest")
    if digest is None:
        raise ValidationFailed("This request did not use an API token.")
    accounts.revoke_token(ctx().db, digest)
    web_context().tokens.drop(digest)
    return "", 204


@bp.get("/me")
@login_required
def me() -> Any:
    """The caller's profile and company memberships."""
    user = require_user()
    with ctx().db.sessions() as s:
        memberships = s.scalars(
            select(Membership).where(
                Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE
            )
        ).all()
        return {
            "id": user.id,
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role,
            "card_saved": user.stripe_payment_method_id is not None,
            "companies": [{"company_id": m.company_id, "role": m.role} for m in memberships],
        }


@bp.post("/me/card")
@login_required
def start_card_setup() -> Any:
    """Begin saving a payment card: confirm the returned client secret with Stripe.js."""
    rt = ctx()
    setup = rt.billing.start_card_setup(require_user().id)
    return {
        "setup_intent": setup.ref,
        "client_secret": setup.client_secret,
        "publishable_key": rt.settings.stripe_publishable_key,
    }, 201


@bp.post("/me/card/confirm")
@login_required
def confirm_card() -> Any:
    """Keep the card of a succeeded setup (checked with Stripe, not taken from the client)."""
    ref = _body().get("setup_intent")
    if not isinstance(ref, str) or not ref:
        raise ValidationFailed("setup_intent is required.", field="setup_intent")
    ctx().billing.confirm_card(require_user().id, ref)
    return {"card_saved": True}


@bp.get("/hubs")
def list_hubs() -> Any:
    """Hubs with their vehicles parked there."""
    page, per_page = page_args()
    with ctx().db.sessions() as s:
        items, total = paginate(
            s, select(Hub).where(Hub.is_active).order_by(Hub.name), page, per_page
        )
        vehicles = s.scalars(
            select(Vehicle).where(Vehicle.hub_id.in_([h.id for h in items])).order_by(Vehicle.code)
        ).all()
        by_hub: dict[int, list[Vehicle]] = {}
        for v in vehicles:
            by_hub.setdefault(v.hub_id or 0, []).append(v)
        rows = [serializers.hub(h, by_hub.get(h.id, [])) for h in items]
        return envelope(rows, total, page, per_page)


@bp.get("/vehicles/<int:vehicle_id>")
def get_vehicle(vehicle_id: int) -> Any:
    """A vehicle with its price list and its charge and range at pick-up (?start=, else now)."""
    rt = ctx()
    start = request.args.get("start")
    at = max(_time(start, "start"), utcnow()) if start else utcnow()
    with rt.db.sessions() as s:
        v = s.get(Vehicle, vehicle_id)
        if v is None:
            raise NotFound("No such vehicle.")
        prices = rt.billing.price_list(s, v)
    pickup = rt.bookings.pickup_range(v, at)
    return serializers.vehicle(v) | {
        "prices": serializers.price_list(prices),
        "pickup": serializers.pickup(pickup, at),
    }


def parse_search(args: Any) -> Search:
    """Search criteria from query parameters (start defaults to now, end to start + 1 h)."""
    start = _time(args["start"], "start") if args.get("start") else utcnow()
    end = _time(args["end"], "end") if args.get("end") else start + timedelta(hours=1)
    if end <= start:
        raise ValidationFailed("end must be after start.", field="end")
    kind = args.get("kind") or None
    if kind not in (None, "ebike", "ecar"):
        raise ValidationFailed("kind must be ebike or ecar.", field="kind")
    return Search(
        start=start,
        end=end,
        hub_id=_opt_int(args.get("hub_id"), "hub_id"),
        kind=kind,
        min_soc=_opt_int(args.get("min_soc"), "min_soc"),
        min_range_km=_opt_int(args.get("min_range_km"), "min_range_km"),
    )


@bp.get("/vehicles")
def search_vehicles() -> Any:
    """Vehicles free for a time window, filtered by hub, kind, charge and range."""
    # A plain dict: MultiDict.get raises (and catches) an exception for every missing key.
    args = request.args.to_dict()
    q = parse_search(args)
    page, per_page = page_args(50, args)
    found = ctx().bookings.search_rows(q, current_user_id())
    shown = found[(page - 1) * per_page : page * per_page]
    rows = [serializers.vehicle(v) | _range_at(v, q.start) for v in shown]
    return envelope(rows, len(found), page, per_page)


def _range_at(v: Any, at: datetime) -> dict[str, Any]:
    """Expected charge and range at the searched start, when smart charging plans the car."""
    if v.kind != VehicleKind.ECAR:
        return {}
    soc = ctx().bookings.expected_soc(v.id, at)
    if soc is None:
        return {}
    return {"expected_soc_percent": int(soc * 100), "expected_range_km": int(v.max_range_km * soc)}


@bp.post("/quotes")
@login_required
def quote() -> Any:
    """Price a planned booking before confirming it."""
    data = _body()
    user = require_user()
    vehicle_id = _int(data.get("vehicle_id"), "vehicle_id")
    start = _time(data.get("start"), "start")
    q = ctx().bookings.quote(
        user.id,
        vehicle_id,
        start,
        _time(data.get("end"), "end"),
        _opt_int(data.get("company_id"), "company_id"),
        _decimal(data.get("expected_km"), "expected_km"),
    )
    return {**serializers.quote(q), **_charge_at(vehicle_id, start)}


def _charge_at(vehicle_id: int, at: datetime) -> dict[str, Any]:
    """Smart charging's expected charge at pick-up ("80% at 14:00"), when the car is planned."""
    soc = ctx().bookings.expected_soc(vehicle_id, at)
    return {} if soc is None else {"expected_soc_percent": int(soc * 100)}


@bp.post("/bookings")
@login_required
def create_booking() -> Any:
    """Book a vehicle (409 if the slot is taken)."""
    data = _body()
    user = require_user()
    start = utcnow() if data.get("start") in (None, "now") else _time(data.get("start"), "start")
    booking = ctx().bookings.create(
        user.id,
        _int(data.get("vehicle_id"), "vehicle_id"),
        start,
        _time(data.get("end"), "end"),
        company_id=_opt_int(data.get("company_id"), "company_id"),
        min_soc=_opt_int(data.get("min_soc"), "min_soc"),
        expected_km=_decimal(data.get("expected_km"), "expected_km"),
    )
    return serializers.booking(booking), 201


@bp.get("/bookings")
@login_required
def my_bookings() -> Any:
    """The caller's bookings, newest first."""
    user = require_user()
    page, per_page = page_args()
    with ctx().db.sessions() as s:
        stmt = select(Booking).where(Booking.user_id == user.id).order_by(Booking.start_at.desc())
        if status := request.args.get("status"):
            stmt = stmt.where(Booking.status == status)
        items, total = paginate(s, stmt, page, per_page)
        charged = ctx().billing.charges(s, [b.id for b in items])
        rows = [serializers.booking(b, charged.get(b.id)) for b in items]
        return envelope(rows, total, page, per_page)


@bp.get("/bookings/<int:booking_id>")
@login_required
def get_booking(booking_id: int) -> Any:
    """One of the caller's bookings."""
    user = require_user()
    with ctx().db.sessions() as s:
        booking = ctx().bookings.require_owner(s, user.id, booking_id)
        charge = ctx().billing.charges(s, [booking.id]).get(booking.id)
        return serializers.booking(booking, charge)


@bp.get("/bookings/<int:booking_id>/receipt")
@login_required
def booking_receipt(booking_id: int) -> Any:
    """The invoice of a booking: its trip, or its late cancellation fee."""
    user = require_user()
    with ctx().db.sessions() as s:
        ctx().bookings.require_owner(s, user.id, booking_id)
        invoice = ctx().billing.booking_invoice(s, booking_id)
        if invoice is None:
            raise NotFound("This booking has no invoice (yet).")
        return serializers.invoice(invoice)


@bp.patch("/bookings/<int:booking_id>")
@login_required
def modify_booking(booking_id: int) -> Any:
    """Move or resize a booking."""
    data = _body()
    user = require_user()
    booking = ctx().bookings.modify(
        user.id, booking_id, _time(data.get("start"), "start"), _time(data.get("end"), "end")
    )
    return serializers.booking(booking)


@bp.post("/bookings/<int:booking_id>/extend")
@login_required
def extend_booking(booking_id: int) -> Any:
    """End a booking later (a trip under way too): {"end": ISO} or {"minutes": n}."""
    data = _body()
    user = require_user()
    if data.get("end") is not None:
        end = _time(data.get("end"), "end")
    else:
        minutes = _int(data.get("minutes"), "minutes")
        if not 0 < minutes <= 24 * 60:
            raise ValidationFailed("minutes must be between 1 and 1440.", field="minutes")
        with ctx().db.sessions() as s:
            end = ctx().bookings.require_owner(s, user.id, booking_id).end_at
        end += timedelta(minutes=minutes)
    return serializers.booking(ctx().bookings.extend(user.id, booking_id, end))


@bp.get("/bookings/<int:booking_id>/cancellation")
@login_required
def cancellation_fee(booking_id: int) -> Any:
    """What cancelling now would cost: send it back as accept_fee_minor to cancel."""
    booking, fee = ctx().bookings.cancellation_fee(require_user().id, booking_id)
    return {
        "booking_id": booking.id,
        "fee_minor": fee,
        "currency": booking.currency,
        "free": fee == 0,
    }


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def cancel_booking(booking_id: int) -> Any:
    """Cancel: free before the cut-off, a fee after (409 when above accept_fee_minor)."""
    user = require_user()
    data = request.get_json(silent=True)
    accept = (
        _opt_int(data.get("accept_fee_minor"), "accept_fee_minor")
        if isinstance(data, dict)
        else None
    )
    booking, invoice = ctx().bookings.cancel(user.id, booking_id, accept_fee_minor=accept)
    return {
        "booking": serializers.booking(booking),
        "fee_invoice": invoice.number if invoice else None,
    }


@bp.post("/bookings/<int:booking_id>/start")
@login_required
def start_trip(booking_id: int) -> Any:
    """Unlock the vehicle and start the trip."""
    user = require_user()
    return serializers.trip(ctx().bookings.start_trip(user.id, booking_id)), 201


@bp.post("/trips/<int:trip_id>/end")
@login_required
def end_trip(trip_id: int) -> Any:
    """Lock the vehicle at a hub and get the receipt."""
    data = _body()
    user = require_user()
    readings = rules.TripReadings(
        end_soc=_int(data.get("end_soc"), "end_soc"),
        distance_km=_decimal(data.get("distance_km"), "distance_km"),
        end_odometer_km=_decimal(data.get("end_odometer_km"), "end_odometer_km"),
    )
    trip, invoice = ctx().bookings.end_trip(
        user.id, trip_id, _opt_int(data.get("hub_id"), "hub_id"), readings
    )
    with ctx().db.sessions() as s:
        inv = ctx().billing.receipt(s, trip.id)
        return {"trip": serializers.trip(trip), "receipt": serializers.invoice(inv or invoice)}


@bp.get("/trips/<int:trip_id>/live")
@login_required
def trip_live(trip_id: int) -> Any:
    """A trip's running time and its price so far (the live trip page polls it)."""
    user = require_user()
    now = utcnow()
    with ctx().db.sessions() as s:
        trip = s.get(Trip, trip_id)
        if trip is None or trip.user_id != user.id:
            raise NotFound("No such trip.")
        price = ctx().billing.running_trip_price(s, trip, now)
        booking = s.get(Booking, trip.booking_id) if trip.booking_id else None
    elapsed = int(((trip.ended_at or now) - trip.started_at).total_seconds())
    return {
        "trip_id": trip.id,
        "status": trip.status,
        "started_at": trip.started_at.isoformat(),
        "elapsed_s": max(0, elapsed),
        "booked_until": booking.end_at.isoformat() if booking else None,
        "price_minor": price.total_minor,
        "currency": price.currency,
        "price_text": money(price.total_minor, price.currency),
    }


@bp.get("/trips")
@login_required
def my_trips() -> Any:
    """The caller's trips, newest first."""
    user = require_user()
    page, per_page = page_args()
    with ctx().db.sessions() as s:
        stmt = select(Trip).where(Trip.user_id == user.id).order_by(Trip.started_at.desc())
        items, total = paginate(s, stmt, page, per_page)
        return envelope([serializers.trip(t) for t in items], total, page, per_page)


@bp.get("/trips/<int:trip_id>/receipt")
@login_required
def receipt(trip_id: int) -> Any:
    """The invoice of a finished trip."""
    user = require_user()
    with ctx().db.sessions() as s:
        trip = s.get(Trip, trip_id)
        if trip is None or trip.user_id != user.id:
            raise NotFound("No such trip.")
        invoice = ctx().billing.receipt(s, trip.id)
        if invoice is None:
            raise NotFound("This trip has no receipt yet.")
        return serializers.invoice(invoice)
