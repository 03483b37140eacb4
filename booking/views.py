"""Server-rendered pages for citizens: hubs, search, booking, trips, receipts, account."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from billing.render import invoice_html
from booking import rules
from booking.account_api import forget_tokens
from booking.context import ctx
from booking.rules import TripReadings
from booking.search import Search
from mobility.clock import utcnow
from mobility.errors import DomainError, NotFound, ValidationFailed
from mobility.models import (
    Booking,
    Hub,
    Membership,
    MembershipStatus,
    Trip,
    TripStatus,
    Vehicle,
)
from mobility.web.auth import (
    current_user_id,
    login_required,
    login_user,
    logout_user,
    require_user,
)
from mobility.web.extensions import login_limited
from mobility.web.i18n import money

# Pages share the citizen layout and templates of booking/templates (fleet pages too).
bp = Blueprint(
    "views",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/booking",
)
Page = Any


def _tz() -> ZoneInfo:
    return ZoneInfo(ctx().settings.timezone)


def _local(value: datetime | None) -> str:
    return value.astimezone(_tz()).strftime("%Y-%m-%d %H:%M") if value else ""


def _input_value(value: datetime) -> str:
    return value.astimezone(_tz()).strftime("%Y-%m-%dT%H:%M")


def _parse_local(raw: str | None, field: str, name: str | None = None) -> datetime:
    """A datetime-local form value, read in the platform's timezone."""
    try:
        return datetime.fromisoformat(raw or "").replace(tzinfo=_tz())
    except ValueError:
        raise ValidationFailed(
            f"Enter a date and time for '{field}'.", field=name or field
        ) from None


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    # `money` is the locale-aware one of mobility.web.i18n (not billing's plain format).
    return {"local": _local}


def _memberships(user_id: int) -> list[Membership]:
    with ctx().db.sessions() as s:
        return list(
            s.scalars(
                select(Membership)
                .options(selectinload(Membership.company))
                .where(Membership.user_id == user_id, Membership.status == MembershipStatus.ACTIVE)
            )
        )


@bp.get("/")
def index() -> Page:
    """Hub list (the street map is at /map)."""
    with ctx().db.sessions() as s:
        hubs = list(s.scalars(select(Hub).where(Hub.is_active).order_by(Hub.name)))
        vehicles: dict[int, list[Vehicle]] = {}
        for v in s.scalars(
            select(Vehicle).where(Vehicle.hub_id.is_not(None)).order_by(Vehicle.code)
        ):
            vehicles.setdefault(v.hub_id or 0, []).append(v)
    return render_template("index.html", hubs=hubs, vehicles=vehicles)


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: never bounce a fresh login to another host.
    if target and target.startswith("/") and not urlparse(target).netloc and "//" not in target:
        return target
    return url_for("views.index")


CHECK_EMAIL = (
    "Check your e-mail: we have sent a message to {email} with what to do next."
    " No mail within a few minutes? Look in the spam folder, or register again."
)


@bp.route("/register", methods=["GET", "POST"])
@login_limited
def register() -> Page:
    """Create an account; the same answer whether the address is new or taken."""
    form = request.form
    if request.method == "POST":
        try:
            ctx().accounts.register(
                form.get("email", ""),
                form.get("password", ""),
                form.get("full_name", ""),
                then=_safe_next(request.args["next"]) if request.args.get("next") else "",
            )
        except DomainError as exc:
            return _auth_page("register", form, exc)
        message = CHECK_EMAIL.format(email=form.get("email", "").strip().lower())
        return render_template("check_email.html", heading="Check your e-mail", message=message)
    return _auth_page("register", form)


def _auth_page(mode: str, form: Any, error: DomainError | None = None) -> Page:
    heading = {"register": "Register", "login": "Log in"}[mode]
    page = render_template(
        "auth.html",
        heading=heading,
        mode=mode,
        form=form,
        error=error.message if error else None,
    )
    return (page, error.http_status) if error else page


@bp.get("/confirm-email/<token>")
def confirm_email(token: str) -> Page:
    """Open the link mailed at sign-up: the address is confirmed, the owner signs in."""
    try:
        ctx().accounts.confirm_email(token)
    except DomainError as exc:
        return render_template("check_email.html", heading="Link not valid", error=exc.message), 400
    flash("Your e-mail address is confirmed. Sign in to start.")
    then = request.args.get("next")
    return redirect(
        url_for("views.login", next=_safe_next(then)) if then else url_for("views.login")
    )


@bp.route("/login", methods=["GET", "POST"])
@login_limited
def login() -> Page:
    """Email + password login (rate-limited)."""
    form = request.form
    if request.method == "POST":
        try:
            user = ctx().accounts.authenticate(form.get("email", ""), form.get("password", ""))
        except DomainError as exc:
            return _auth_page("login", form, exc)
        login_user(user)
        return redirect(_safe_next(request.args.get("next")))
    return _auth_page("login", form)


@bp.route("/password-reset", methods=["GET", "POST"])
@login_limited
def password_reset() -> Page:
    """Ask for a reset link (the answer never says whether the address has an account)."""
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        ctx().accounts.request_password_reset(email)
        message = (
            f"If {email} has an account, a link to choose a new password is on its way."
            " It works for an hour."
        )
        return render_template("check_email.html", heading="Check your e-mail", message=message)
    return render_template("password_reset.html", mode="request")


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def password_reset_done(token: str) -> Page:
    """Choose a new password from a reset link; other sessions end."""
    if request.method == "POST":
        try:
            ended = ctx().accounts.reset_password(token, request.form.get("password", ""))
        except DomainError as exc:
            return render_template(
                "password_reset.html", mode="choose", error=exc.message
            ), exc.http_status
        login_user(ended.user, end_others=True)
        forget_tokens(ended.token_digests)  # the API tokens were revoked with the reset
        flash("Your new password is set.")
        return redirect(url_for("views.index"))
    try:
        ctx().accounts.check_reset_link(token)  # say so now, not after a new password is typed
    except DomainError as exc:
        return render_template("check_email.html", heading="Link not valid", error=exc.message), 400
    return render_template("password_reset.html", mode="choose")


@bp.post("/logout")
def logout() -> Page:
    """End the session."""
    logout_user()
    return redirect(url_for("views.index"))


@bp.post("/profile/card")
@login_required
def card_setup() -> Page:
    """Start saving a card: the page mounts Stripe's card field for this SetupIntent."""
    rt = ctx()
    try:
        setup = rt.billing.start_card_setup(require_user().id)
    except DomainError as exc:
        flash(exc.message)
        return redirect(url_for("views.profile"))
    return render_template(
        "card.html",
        setup=setup,
        publishable_key=rt.settings.stripe_publishable_key or "",
        stripe_js_url=rt.settings.stripe_js_url,
        return_url=url_for("views.card_done", _external=True),
    ), 200


@bp.get("/profile/card/done")
@login_required
def card_done() -> Page:
    """Where Stripe sends the browser back: keep the card if the setup succeeded."""
    ref = request.args.get("setup_intent", "")
    try:
        ctx().billing.confirm_card(require_user().id, ref)
        flash("Your card is saved.")
    except DomainError as exc:
        flash(exc.message)
    return redirect(url_for("views.profile"))


@bp.get("/search")
def search_page() -> Page:
    """Vehicle search by hub, kind, time window and minimum charge."""
    args = request.args
    now = utcnow().replace(second=0, microsecond=0)
    with ctx().db.sessions() as s:
        hubs = list(s.scalars(select(Hub).where(Hub.is_active).order_by(Hub.name)))
    results, error = None, None
    start_raw = args.get("start") or _input_value(now)
    end_raw = args.get("end") or _input_value(now + timedelta(hours=1))
    if args:
        try:
            start, end = _parse_local(start_raw, "From"), _parse_local(end_raw, "Until")
            if end <= start:
                raise ValidationFailed("'Until' must be after 'From'.")
            min_soc = int(args["min_soc"]) if args.get("min_soc") else None
            hub_id = int(args["hub_id"]) if args.get("hub_id") else None
            kind = args.get("kind") or None
            with ctx().db.sessions() as s:
                results = ctx().bookings.search(
                    s,
                    Search(start=start, end=end, hub_id=hub_id, kind=kind, min_soc=min_soc),
                    current_user_id(),
                )
        except (DomainError, ValueError) as exc:
            error = getattr(exc, "message", "Check the search fields.")
    return render_template(
        "search.html",
        hubs=hubs,
        args=args,
        results=results,
        error=error,
        start=start_raw,
        end=end_raw,
        hub_names={h.id: h.name for h in hubs},
    ), (422 if error else 200)


def _vehicle_page(
    vehicle_id: int,
    form: Any,
    quote: Any = None,
    error: DomainError | str | None = None,
    status: int = 200,
) -> Page:
    rt = ctx()
    with rt.db.sessions() as s:
        v = s.get(Vehicle, vehicle_id)
        if v is None:
            raise NotFound("No such vehicle.")
        hub = s.get(Hub, v.hub_id) if v.hub_id else None
        prices = rt.billing.price_list(s, v)
    memberships = _memberships(uid) if (uid := current_user_id()) else []
    pickup_at = _pickup_time(form)
    now = utcnow().replace(second=0, microsecond=0)
    pickup = rules.pickup_range(
        v.max_range_km, v.battery_kwh, v.soc_percent, rt.bookings.expected_soc(v.id, pickup_at)
    )
    field = error.details.get("field") if isinstance(error, DomainError) else None
    text = _(error.message) if isinstance(error, DomainError) else error
    return render_template(
        "vehicle.html",
        v=v,
        hub=hub,
        form=form,
        quote=quote,
        prices=prices,
        pickup=pickup,
        pickup_at=pickup_at,
        error=None if field in BOOKING_FIELDS else text,
        field_message=text if field in BOOKING_FIELDS else None,
        error_field=field,
        memberships=memberships,
        tz=hub.timezone if hub else rt.settings.timezone,
        default_start=_input_value(now),
        default_end=_input_value(now + timedelta(hours=1)),
    ), status


BOOKING_FIELDS = ("start", "end", "min_soc")


def _pickup_time(form: Any) -> datetime:
    """When the vehicle would be picked up: the form's start, else now."""
    try:
        return max(_parse_local(form.get("start"), "start"), utcnow())
    except ValidationFailed:
        return utcnow()


@bp.get("/vehicles/<int:vehicle_id>")
def vehicle(vehicle_id: int) -> Page:
    """Vehicle detail and booking form."""
    return _vehicle_page(vehicle_id, request.args)


@bp.post("/vehicles/<int:vehicle_id>/book")
@login_required
def book(vehicle_id: int) -> Page:
    """Show the price first; book on confirmation."""
    user = require_user()
    form = request.form
    try:
        start = _parse_local(form.get("start"), "From", "start")
        end = _parse_local(form.get("end"), "Until", "end")
        company_id = int(form["company_id"]) if form.get("company_id") else None
        min_soc = int(form["min_soc"]) if form.get("min_soc") else None
        now = utcnow()
        if start < now:  # "now" from a datetime-local field lags by seconds
            start = max(start, now) if now - start < timedelta(minutes=2) else start
        quote = ctx().bookings.quote(user.id, vehicle_id, start, end, company_id)
        if form.get("action") != "confirm":
            return _vehicle_page(vehicle_id, form, quote)
        booking = ctx().bookings.create(
            user.id, vehicle_id, start, end, company_id=company_id, min_soc=min_soc
        )
    except DomainError as exc:
        return _vehicle_page(vehicle_id, form, None, exc, exc.http_status)
    except ValueError:
        return _vehicle_page(vehicle_id, form, None, _("Check the numbers you entered."), 422)
    flash(
        _(
            "Booked: %(price)s held until the trip ends.",
            price=money(booking.quote_minor, booking.currency),
        )
    )
    return redirect(url_for("views.my_bookings"))


@bp.get("/bookings")
@login_required
def my_bookings() -> Page:
    """The user's bookings with what each was charged, and start and cancel actions."""
    user = require_user()
    with ctx().db.sessions() as s:
        rows = s.execute(
            select(Booking, Vehicle)
            .join(Vehicle, Vehicle.id == Booking.vehicle_id)
            .where(Booking.user_id == user.id)
            .order_by(Booking.start_at.desc())
            .limit(100)
        ).all()
        charges = ctx().billing.charges(s, [b.id for b, _v in rows])
    now, policy = utcnow(), ctx().bookings.policy
    # What cancelling each confirmed booking would cost now (the button says so).
    fees = {
        b.id: rules.cancellation_fee(b.quote_minor, b.start_at, now, policy)
        for b, _v in rows
        if b.status == "confirmed"
    }
    return render_template(
        "bookings.html", rows=rows, charges=charges, fees=fees, tz=ctx().settings.timezone
    )


@bp.get("/bookings/<int:booking_id>/receipt")
@login_required
def booking_receipt(booking_id: int) -> Page:
    """Printable receipt of a booking: its trip or its late cancellation fee."""
    with ctx().db.sessions() as s:
        ctx().bookings.require_owner(s, require_user().id, booking_id)
        invoice = ctx().billing.booking_invoice(s, booking_id)
        if invoice is None:
            raise NotFound("This booking has no receipt yet.")
        return render_template("receipt.html", invoice=invoice, invoice_html=invoice_html(invoice))


@bp.post("/bookings/<int:booking_id>/start")
@login_required
def start(booking_id: int) -> Page:
    """Unlock the vehicle."""
    try:
        ctx().bookings.start_trip(require_user().id, booking_id)
    except DomainError as exc:
        flash(exc.message)
        return redirect(url_for("views.my_bookings"))
    flash(_("Vehicle unlocked. Have a good trip!"))
    return redirect(url_for("views.active_trip"))


def trip_page(
    form: Any, error: str | None = None, status: int = 200, error_field: str | None = None
) -> Page:
    """The trip under way: live time and price, extend, end, report (errors by their field)."""
    user = require_user()
    rt = ctx()
    with rt.db.sessions() as s:
        trip = s.scalar(
            select(Trip).where(Trip.user_id == user.id, Trip.status == TripStatus.ACTIVE)
        )
        vehicle = s.get(Vehicle, trip.vehicle_id) if trip else None
        booking = s.get(Booking, trip.booking_id) if trip and trip.booking_id else None
        hubs = list(s.scalars(select(Hub).where(Hub.is_active).order_by(Hub.name)))
        now = utcnow()
        price = rt.billing.running_trip_price(s, trip, now) if trip else None
    return render_template(
        "trip.html",
        trip=trip,
        vehicle=vehicle,
        booking=booking,
        hubs=hubs,
        form=form,
        price=price,
        elapsed_s=int((now - trip.started_at).total_seconds()) if trip else 0,
        poll_seconds=current_app.config.get("TRIP_POLL_SECONDS", 10),
        tz=rt.settings.timezone,
        field_message=error if error_field else None,
        error_field=error_field,
        error=None if error_field else error,
    ), status


@bp.get("/trip")
@login_required
def active_trip() -> Page:
    """The trip under way, with the end-of-trip form."""
    return trip_page(request.args)


@bp.post("/trips/<int:trip_id>/end")
@login_required
def end_trip(trip_id: int) -> Page:
    """Lock at a hub, then show the receipt."""
    form = request.form
    try:
        distance = Decimal(form.get("distance_km", "").replace(",", "."))
        readings = TripReadings(end_soc=int(form.get("end_soc", "")), distance_km=distance)
        hub_id = int(form["hub_id"]) if form.get("hub_id") else None
        ctx().bookings.end_trip(require_user().id, trip_id, hub_id, readings)
    except DomainError as exc:
        field = exc.details.get("field")
        where = field if field in ("hub_id", "distance_km", "end_soc") else None
        return trip_page(form, _(exc.message), exc.http_status, where)
    except (ValueError, InvalidOperation):
        return trip_page(form, _("Enter the distance in km and the charge left in %."), 422)
    return redirect(url_for("views.receipt", trip_id=trip_id))


@bp.get("/trips")
@login_required
def trips() -> Page:
    """Trip history with receipts."""
    user = require_user()
    with ctx().db.sessions() as s:
        rows = list(
            s.scalars(
                select(Trip)
                .where(Trip.user_id == user.id)
                .order_by(Trip.started_at.desc())
                .limit(100)
            )
        )
    return render_template("trips.html", trips=rows)


@bp.get("/trips/<int:trip_id>/receipt")
@login_required
def receipt(trip_id: int) -> Page:
    """Printable receipt of a trip."""
    user = require_user()
    with ctx().db.sessions() as s:
        trip = s.get(Trip, trip_id)
        if trip is None or trip.user_id != user.id:
            raise NotFound("No such trip.")
        invoice = ctx().billing.receipt(s, trip.id)
        if invoice is None:
            raise NotFound("This trip has no receipt yet.")
        html = invoice_html(invoice)
        report = url_for("views.report_problem", vehicle_id=trip.vehicle_id, trip_id=trip.id)
        return render_template(
            "receipt.html", invoice=invoice, invoice_html=html, report_url=report
        )
