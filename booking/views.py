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

from booking import rules
from booking.account_api import forget_tokens
from booking.context import ctx
from booking.labels import LABELS, label
from booking.rules import TripReadings
from booking.search import Search
from mobility.clock import utcnow
from mobility.errors import N_, DomainError, Message, NotFound, ValidationFailed
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
from mobility.web.forms import FormError, form_error
from mobility.web.i18n import error_text, language, local_time, money, number, translated

# Pages share the citizen layout and templates of booking/templates (fleet pages too).
bp = Blueprint(
    "views",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/booking",
)
Page = Any


def _zone(hub: Hub | None = None) -> str:
    """The hub's timezone (times are shown and typed in it), else the platform's."""
    return hub.timezone if hub is not None and hub.timezone else ctx().settings.timezone


def _local(value: datetime | None, tz: str | None = None) -> str:
    """A moment for a page: in the given (hub's) zone, spelt the reader's way."""
    return local_time(value, tz or ctx().settings.timezone, "datetime")


def _input_value(value: datetime, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


# Why a date-time field was refused, per field (the page puts it next to the field).
MISSING_TIME = {
    "start": N_("Enter the date and time the booking starts."),
    "end": N_("Enter the date and time the booking ends."),
}


def _parse_local(raw: str | None, field: str, tz: str) -> datetime:
    """A datetime-local form value, read in the hub's (or platform's) timezone."""
    try:
        return datetime.fromisoformat(raw or "").replace(tzinfo=ZoneInfo(tz))
    except ValueError:
        raise ValidationFailed(MISSING_TIME[field], field=field) from None


def _whole(raw: str | None, field: str, problem: Message) -> int | None:
    """An optional whole number typed in a form; `problem` says what to type instead."""
    if not raw:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        raise ValidationFailed(problem, field=field) from None


def _label(kind: str, code: str | None) -> str:
    found = label(kind, code)
    return translated(found) if isinstance(found, Message) else found


def _line_name(line: Any) -> str:
    """A priced line's name in the reader's language (a stored description otherwise)."""
    found = LABELS["component"].get(line.component)
    return translated(found) if found is not None else str(line.description)


def _quantity(line: Any) -> str:
    """A priced line's quantity and unit ('10 h'); none for a cap (it adjusts the others)."""
    if line.component == "CAP":
        return ""
    return f"{number(line.quantity)} {_label('unit', line.unit)}"


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    # money, number, percent and local_time come from mobility.web.i18n (the reader's locale).
    return {"local": _local, "label": _label, "line_name": _line_name, "quantity": _quantity}


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


def _check_email(email: str) -> Page:
    """The same answer for a new and a taken address (the mail says which it was)."""
    message = _(
        "Check your e-mail: we have sent a message to %(email)s with what to do next."
        " No mail within a few minutes? Look in the spam folder, or register again.",
        email=email.strip().lower(),
    )
    return render_template("check_email.html", heading=_("Check your e-mail"), message=message)


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
                locale=language(),
            )
        except DomainError as exc:
            return _auth_page("register", form, exc)
        return _check_email(form.get("email", ""))
    return _auth_page("register", form)


def _auth_page(mode: str, form: Any, error: DomainError | None = None) -> Page:
    heading = {"register": _("Register"), "login": _("Log in")}[mode]
    page = render_template(
        "auth.html",
        heading=heading,
        mode=mode,
        form=form,
        error=form_error(error, ("full_name", "email", "password")) if error else None,
    )
    return (page, error.http_status) if error else page


@bp.get("/confirm-email/<token>")
def confirm_email(token: str) -> Page:
    """Open the link mailed at sign-up: the address is confirmed, the owner signs in."""
    try:
        ctx().accounts.confirm_email(token)
    except DomainError as exc:
        heading = _("Link not valid")
        return render_template("check_email.html", heading=heading, error=error_text(exc)), 400
    flash(_("Your e-mail address is confirmed. Sign in to start."))
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
            user = ctx().accounts.authenticate(
                form.get("email", ""), form.get("password", ""), locale=language()
            )
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
        ctx().accounts.request_password_reset(email, locale=language())
        message = _(
            "If %(email)s has an account, a link to choose a new password is on its way."
            " It works for an hour.",
            email=email,
        )
        return render_template("check_email.html", heading=_("Check your e-mail"), message=message)
    return render_template("password_reset.html", mode="request")


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def password_reset_done(token: str) -> Page:
    """Choose a new password from a reset link; other sessions end."""
    if request.method == "POST":
        try:
            ended = ctx().accounts.reset_password(token, request.form.get("password", ""))
        except DomainError as exc:
            error = form_error(exc, ("password",))
            return render_template("password_reset.html", mode="choose", error=error), (
                exc.http_status
            )
        login_user(ended.user, end_others=True)
        forget_tokens(ended.token_digests)  # the API tokens were revoked with the reset
        flash(_("Your new password is set."))
        return redirect(url_for("views.index"))
    try:
        ctx().accounts.check_reset_link(token)  # say so now, not after a new password is typed
    except DomainError as exc:
        heading = _("Link not valid")
        return render_template("check_email.html", heading=heading, error=error_text(exc)), 400
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
        flash(error_text(exc))
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
        flash(_("Your card is saved."))
    except DomainError as exc:
        flash(error_text(exc))
    return redirect(url_for("views.profile"))


# What to type instead, when a number or a choice cannot be read.
CHOOSE = N_("Choose from the list.")
SOC_PERCENT = N_("Enter a whole number from 0 to 100.")
DISTANCE = N_("Enter the distance in km, e.g. 3.2.")
SEARCH_FIELDS = ("hub_id", "kind", "start", "end", "min_soc")
BOOK_FIELDS = ("start", "end", "min_soc", "company_id")
TRIP_FIELDS = ("hub_id", "distance_km", "end_soc")


@bp.get("/search")
def search_page() -> Page:
    """Vehicle search by hub, kind, time window and minimum charge."""
    args = request.args
    with ctx().db.sessions() as s:
        hubs = list(s.scalars(select(Hub).where(Hub.is_active).order_by(Hub.name)))
    tz = _zone(next((h for h in hubs if str(h.id) == args.get("hub_id")), None))
    now = utcnow().replace(second=0, microsecond=0)
    start_raw = args.get("start") or _input_value(now, tz)
    end_raw = args.get("end") or _input_value(now + timedelta(hours=1), tz)
    results: list[Any] | None = None
    links: dict[int, str] = {}
    error: FormError | None = None
    if args:
        try:
            results, links = _search(args, start_raw, end_raw, tz, hubs)
        except DomainError as exc:
            error = form_error(exc, SEARCH_FIELDS)
    return render_template(
        "search.html",
        hubs=hubs,
        args=args,
        results=results,
        book_links=links,
        error=error,
        start=start_raw,
        end=end_raw,
        hub_names={h.id: h.name for h in hubs},
    ), (422 if error else 200)


def _search(
    args: Any, start_raw: str, end_raw: str, tz: str, hubs: list[Hub]
) -> tuple[list[Any], dict[int, str]]:
    """Free vehicles, and the link to book each for the asked times in its hub's zone."""
    start, end = _parse_local(start_raw, "start", tz), _parse_local(end_raw, "end", tz)
    if end <= start:
        raise ValidationFailed(N_("The end must be after the start."), field="end")
    query = Search(
        start=start,
        end=end,
        hub_id=_whole(args.get("hub_id"), "hub_id", CHOOSE),
        kind=args.get("kind") or None,
        min_soc=_whole(args.get("min_soc"), "min_soc", SOC_PERCENT),
    )
    with ctx().db.sessions() as s:
        results = ctx().bookings.search(s, query, current_user_id())
    zones: dict[int | None, str] = {h.id: _zone(h) for h in hubs}
    links = {
        v.id: url_for(
            "views.vehicle",
            vehicle_id=v.id,
            start=_input_value(start, zones.get(v.hub_id, tz)),
            end=_input_value(end, zones.get(v.hub_id, tz)),
        )
        for v in results
    }
    return list(results), links


def _vehicle_at(vehicle_id: int) -> tuple[Vehicle, Hub | None]:
    """A vehicle and the hub it is parked at."""
    with ctx().db.sessions() as s:
        v = s.get(Vehicle, vehicle_id)
        if v is None:
            raise NotFound(N_("No such vehicle."))
        return v, s.get(Hub, v.hub_id) if v.hub_id else None


def _vehicle_page(
    vehicle_id: int,
    form: Any,
    quote: Any = None,
    error: FormError | None = None,
    status: int = 200,
) -> Page:
    rt = ctx()
    v, hub = _vehicle_at(vehicle_id)
    tz = _zone(hub)
    with rt.db.sessions() as s:
        prices = rt.billing.price_list(s, v)
    memberships = _memberships(uid) if (uid := current_user_id()) else []
    pickup_at = _pickup_time(form, tz)
    now = utcnow().replace(second=0, microsecond=0)
    pickup = rt.bookings.pickup_range(v, pickup_at)
    field = error.field if error else None
    return render_template(
        "vehicle.html",
        v=v,
        hub=hub,
        form=form,
        quote=quote,
        prices=prices,
        pickup=pickup,
        pickup_at=pickup_at,
        error=None if field else error,
        field_message=error.text if error and field else None,
        error_field=field,
        memberships=memberships,
        tz=tz,
        default_start=_input_value(now, tz),
        default_end=_input_value(now + timedelta(hours=1), tz),
    ), status


def _pickup_time(form: Any, tz: str) -> datetime:
    """When the vehicle would be picked up: the form's start, else now."""
    try:
        return max(_parse_local(form.get("start"), "start", tz), utcnow())
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
        tz = _zone(_vehicle_at(vehicle_id)[1])
        start, end = (
            _parse_local(form.get("start"), "start", tz),
            _parse_local(form.get("end"), "end", tz),
        )
        company_id = _whole(form.get("company_id"), "company_id", CHOOSE)
        min_soc = _whole(form.get("min_soc"), "min_soc", SOC_PERCENT)
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
        return _vehicle_page(vehicle_id, form, None, form_error(exc, BOOK_FIELDS), exc.http_status)
    amount = money(booking.quote_minor, booking.currency)
    flash(_("Booked: %(amount)s held until the trip ends.", amount=amount))
    return redirect(url_for("views.my_bookings"))


@bp.get("/bookings")
@login_required
def my_bookings() -> Page:
    """The user's bookings with what each was charged, and start and cancel actions."""
    user = require_user()
    with ctx().db.sessions() as s:
        rows = s.execute(
            select(Booking, Vehicle, Hub.timezone)
            .join(Vehicle, Vehicle.id == Booking.vehicle_id)
            .outerjoin(Hub, Hub.id == Booking.hub_id)
            .where(Booking.user_id == user.id)
            .order_by(Booking.start_at.desc())
            .limit(100)
        ).all()
        charges = ctx().billing.charges(s, [b.id for b, _v, _tz in rows])
    now, policy = utcnow(), ctx().bookings.policy
    # What cancelling each confirmed booking would cost now (the button says so).
    fees = {
        b.id: rules.cancellation_fee(b.quote_minor, b.start_at, now, policy)
        for b, _v, _tz in rows
        if b.status == "confirmed"
    }
    return render_template("bookings.html", rows=rows, charges=charges, fees=fees)


def _hub_zone(s: Any, hub_id: int | None) -> str:
    return _zone(s.get(Hub, hub_id) if hub_id else None)


@bp.get("/bookings/<int:booking_id>/receipt")
@login_required
def booking_receipt(booking_id: int) -> Page:
    """Printable receipt of a booking: its trip or its late cancellation fee."""
    with ctx().db.sessions() as s:
        booking = ctx().bookings.require_owner(s, require_user().id, booking_id)
        invoice = ctx().billing.booking_invoice(s, booking_id)
        if invoice is None:
            raise NotFound(N_("This booking has no receipt yet."))
        tz = _hub_zone(s, booking.hub_id)
        return render_template("receipt.html", invoice=invoice, tz=tz)


@bp.post("/bookings/<int:booking_id>/start")
@login_required
def start(booking_id: int) -> Page:
    """Unlock the vehicle."""
    try:
        ctx().bookings.start_trip(require_user().id, booking_id)
    except DomainError as exc:
        flash(error_text(exc))
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
        tz = _hub_zone(s, trip.start_hub_id if trip else None)
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
        tz=tz,
        field_message=error if error_field else None,
        error_field=error_field,
        error=None if error_field else error,
    ), status


@bp.get("/trip")
@login_required
def active_trip() -> Page:
    """The trip under way, with the end-of-trip form."""
    return trip_page(request.args)


def _readings(form: Any) -> TripReadings:
    """The end-of-trip form's readings (a refusal names the field to fix)."""
    raw = form.get("distance_km", "").strip().replace(",", ".")
    try:
        distance = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed(DISTANCE, field="distance_km") from None
    end_soc = _whole(form.get("end_soc"), "end_soc", SOC_PERCENT)
    if end_soc is None:
        raise ValidationFailed(SOC_PERCENT, field="end_soc")
    return TripReadings(end_soc=end_soc, distance_km=distance)


@bp.post("/trips/<int:trip_id>/end")
@login_required
def end_trip(trip_id: int) -> Page:
    """Lock at a hub, then show the receipt."""
    form = request.form
    try:
        readings = _readings(form)
        hub_id = _whole(form.get("hub_id"), "hub_id", CHOOSE)
        ctx().bookings.end_trip(require_user().id, trip_id, hub_id, readings)
    except DomainError as exc:
        refused = form_error(exc, TRIP_FIELDS)
        return trip_page(form, refused.text, exc.http_status, refused.field)
    return redirect(url_for("views.receipt", trip_id=trip_id))


@bp.get("/trips")
@login_required
def trips() -> Page:
    """Trip history with receipts."""
    user = require_user()
    with ctx().db.sessions() as s:
        rows = s.execute(
            select(Trip, Hub.timezone)
            .outerjoin(Hub, Hub.id == Trip.start_hub_id)
            .where(Trip.user_id == user.id)
            .order_by(Trip.started_at.desc())
            .limit(100)
        ).all()
    return render_template("trips.html", rows=rows)


@bp.get("/trips/<int:trip_id>/receipt")
@login_required
def receipt(trip_id: int) -> Page:
    """Printable receipt of a trip."""
    user = require_user()
    with ctx().db.sessions() as s:
        trip = s.get(Trip, trip_id)
        if trip is None or trip.user_id != user.id:
            raise NotFound(N_("No such trip."))
        invoice = ctx().billing.receipt(s, trip.id)
        if invoice is None:
            raise NotFound(N_("This trip has no receipt yet."))
        tz = _hub_zone(s, trip.start_hub_id)
        report = url_for("views.report_problem", vehicle_id=trip.vehicle_id, trip_id=trip.id)
        return render_template("receipt.html", invoice=invoice, tz=tz, report_url=report)
