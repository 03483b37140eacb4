"""Every booking rule, pure: slots, overlaps, buffers, hours, who may book, limits, fees.

Search and booking both decide with these functions, under one BookingPolicy injected by the
composition root. Where SQL repeats a rule for speed (availability, no-shows), property-based
tests show the query and the rule agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from mobility.driving_licence import Licence
from mobility.errors import N_, Conflict, Forbidden, LimitExceeded, Message, ValidationFailed
from mobility.hours import Hours, covers
from mobility.money import Money

MAX_TRIP_KM = Decimal(2000)  # an expected trip longer than this is a typo
# Why a vehicle in a state other than available or in use cannot be booked.
UNAVAILABLE = {
    "maintenance": N_("This vehicle is in maintenance."),
    "offline": N_("This vehicle is offline."),
    "retired": N_("This vehicle is retired."),
}


@dataclass(frozen=True)
class BookingPolicy:
    """Operator-tunable booking parameters."""

    buffer: timedelta = timedelta(minutes=10)  # turnaround between two bookings of a vehicle
    min_duration: timedelta = timedelta(minutes=5)
    max_duration: timedelta = timedelta(days=7)
    max_advance: timedelta = timedelta(days=60)
    start_slack: timedelta = timedelta(minutes=2)  # "now" bookings may start a moment ago
    free_cancel_before: timedelta = timedelta(hours=1)
    late_cancel_fee_minor: int = 500  # incl. VAT, capped at the quote
    no_show_grace: timedelta = timedelta(minutes=15)


DEFAULT_POLICY = BookingPolicy()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def validate_slot(start: datetime, end: datetime, now: datetime, p: BookingPolicy) -> None:
    """A bookable time slot: ordered, not in the past, not too short, long or far ahead."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed(N_("Times must include a timezone offset."))
    if end <= start:
        raise ValidationFailed(N_("The end must be after the start."), field="end")
    if start < now - p.start_slack:
        raise ValidationFailed(N_("The start is in the past."), field="start")
    if end - start < p.min_duration:
        minutes = int(p.min_duration.total_seconds() // 60)
        raise ValidationFailed(
            N_("Book at least %(minutes)s minutes.", minutes=minutes), field="end"
        )
    if end - start > p.max_duration:
        raise ValidationFailed(
            N_("Book at most %(days)s days.", days=p.max_duration.days), field="end"
        )
    if start > now + p.max_advance:
        raise ValidationFailed(
            N_("Bookings open %(days)s days ahead at most.", days=p.max_advance.days),
            field="start",
        )


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals [a_start, a_end) and [b_start, b_end) intersect."""
    return a_start < b_end and b_start < a_end


def blocked_until(end: datetime, p: BookingPolicy) -> datetime:
    """A booking holds its vehicle until its end plus the turnaround buffer."""
    return end + p.buffer


def cancellation_fee(quote_minor: int, start: datetime, now: datetime, p: BookingPolicy) -> int:
    """Free before the cut-off; afterwards the fixed fee, never more than the quote."""
    if now <= start - p.free_cancel_before:
        return 0
    return min(p.late_cancel_fee_minor, quote_minor)


def operator_fee(quote_minor: int, charge: bool, p: BookingPolicy) -> int:
    """An operator's cancellation or no-show: the late fee (never more than the quote) or none."""
    return min(p.late_cancel_fee_minor, quote_minor) if charge else 0


def no_show_adjustable(status: str, fee_minor: int, charge: bool) -> None:
    """A confirmed booking can be marked a no-show; one released already only be charged."""
    if status == "confirmed":
        return
    if status == "no_show" and charge and fee_minor == 0:
        return
    if status == "no_show":
        raise Conflict(
            "This no-show is recorded already; refund its fee from its invoice.", code="no_show"
        )
    raise Conflict(f"This booking is {status.replace('_', ' ')}; it cannot be a no-show.")


def no_show_started(start: datetime, now: datetime) -> None:
    """Nobody fails to show up before the booking starts."""
    if now < start:
        raise Conflict("This booking has not started yet.", code="too_early")


def no_show_due(start: datetime, now: datetime, p: BookingPolicy) -> bool:
    """A confirmed booking not started within the grace period releases its vehicle."""
    return now >= start + p.no_show_grace


def check_soc(soc_percent: int, min_soc: int | None) -> None:
    """An e-car booking may require a minimum state of charge at start."""
    if min_soc is not None and soc_percent < min_soc:
        raise Conflict(
            N_(
                "The vehicle is charged to %(soc)s%%, below the %(min_soc)s%% you asked for.",
                soc=soc_percent,
                min_soc=min_soc,
            ),
            code="insufficient_charge",
        )


def bookable_state(state: str, start: datetime, now: datetime, p: BookingPolicy) -> None:
    """Available vehicles can be booked; one on a trip only for a later start."""
    if state not in ("available", "in_use"):
        raise Conflict(UNAVAILABLE.get(state, UNAVAILABLE["offline"]), code="vehicle_unavailable")
    if starts_now(start, now, p) and state != "available":
        raise Conflict(N_("This vehicle is on a trip right now."), code="vehicle_unavailable")


def validate_trip(min_soc: int | None, expected_km: Decimal | None) -> None:
    """What a booker may say of the trip: a charge they need, the distance they expect."""
    if min_soc is not None and not 0 <= min_soc <= 100:
        raise ValidationFailed(N_("Minimum charge must be between 0 and 100%."), field="min_soc")
    if expected_km is not None and not 0 <= expected_km <= MAX_TRIP_KM:
        raise ValidationFailed(
            N_("Expected distance must be between 0 and %(km)s km.", km=MAX_TRIP_KM),
            field="expected_km",
        )


def starts_now(start: datetime, now: datetime, p: BookingPolicy) -> bool:
    """A booking starting within the turnaround buffer needs the vehicle at its hub now."""
    return start <= now + p.buffer


def members_only(
    visibility: str, hours: Hours | None, start: datetime, end: datetime, tz: ZoneInfo
) -> bool:
    """Whether only the owning company's members may book the vehicle for this interval."""
    if visibility == "fleet_only":
        return True
    return visibility == "shared_hours" and not covers(hours, start, end, tz)


def access_problem(
    visibility: str,
    hours: Hours | None,
    owner_company_id: int | None,
    booking_company_id: int | None,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
) -> Message | None:
    """Why a booking under this account may not take this vehicle for this interval, or None.

    The caller checked that the booker is an active member of `booking_company_id`.
    """
    if not members_only(visibility, hours, start, end, tz):
        return None
    if owner_company_id is None or booking_company_id != owner_company_id:
        return N_("This vehicle is reserved for its company's members at that time.")
    return None


def month_start(now: datetime, tz: ZoneInfo) -> datetime:
    """Start of the local calendar month containing `now`."""
    local = now.astimezone(tz)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


# The label's template carries the amounts: %(amount)s, %(limit)s and %(left)s.
MEMBER_LIMIT = N_(
    "This booking (%(amount)s) would exceed your monthly company limit of %(limit)s; %(left)s left."
)
COMPANY_LIMIT = N_(
    "This booking (%(amount)s) would exceed the company's monthly limit of %(limit)s;"
    " %(left)s left."
)


def limit_problem(
    label: Message, limit_minor: int | None, spent_minor: int, new_minor: int, currency: str
) -> Message | None:
    """Why a new amount would exceed a monthly limit, or None when it fits."""
    if limit_minor is None or spent_minor + new_minor <= limit_minor:
        return None
    left = max(0, limit_minor - spent_minor)
    return Message(
        label.template,
        amount=Money(new_minor, currency),
        limit=Money(limit_minor, currency),
        left=Money(left, currency),
    )


def scope_problem(
    kind: str, hub_id: int | None, kinds: list[str] | None, hub_ids: list[int] | None
) -> Message | None:
    """Why a member may not book this kind of vehicle or at this hub, or None."""
    if kinds is not None and kind not in kinds:
        if kind == "ecar":
            return N_("Your company account does not allow booking e-cars.")
        return N_("Your company account does not allow booking e-bikes.")
    if hub_ids is not None and hub_id not in hub_ids:
        return N_("Your company account does not allow booking at this hub.")
    return None


@dataclass(frozen=True)
class Spending:
    """A member's and the company's spending this month, and their limits (minor units)."""

    member_spent: int
    member_limit: int | None
    company_spent: int
    company_limit: int | None


def check_company_booking(
    kind: str,
    hub_id: int | None,
    kinds: list[str] | None,
    hub_ids: list[int] | None,
    spending: Spending,
    amount_minor: int,
    currency: str,
) -> None:
    """Raise when a company booking breaks the member's scope or a monthly limit."""
    problem = scope_problem(kind, hub_id, kinds, hub_ids)
    if problem:
        raise Forbidden(problem, code="not_allowed_for_member")
    problem = limit_problem(
        MEMBER_LIMIT,
        spending.member_limit,
        spending.member_spent,
        amount_minor,
        currency,
    ) or limit_problem(
        COMPANY_LIMIT,
        spending.company_limit,
        spending.company_spent,
        amount_minor,
        currency,
    )
    if problem:
        raise LimitExceeded(problem)


def validate_email(email: str) -> str:
    """Normalised email or ValidationFailed."""
    value = email.strip().lower()
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValidationFailed(N_("Enter a valid email address."), field="email")
    return value


def validate_password(password: str, email: str = "") -> None:
    """At least 10 characters, not the email; length beats composition rules (NIST 800-63B)."""
    if len(password) < 10:
        raise ValidationFailed(N_("Use at least 10 characters for the password."), field="password")
    if len(password) > 200:
        raise ValidationFailed(N_("Use at most 200 characters for the password."), field="password")
    if email and password.lower() == email.lower():
        raise ValidationFailed(N_("The password must not be your email."), field="password")


# Fastest plausible average speed per vehicle kind (km/h), and slack for reading rounding.
MAX_SPEED_KMH = {"ebike": Decimal(40), "ecar": Decimal(150)}
DISTANCE_SLACK_KM = Decimal(1)
SOC_NOISE = 2  # battery gauges wobble by a point or two


@dataclass(frozen=True)
class TripReadings:
    """What the vehicle reports at the end of a trip (from the app; bounded by these rules)."""

    end_soc: int
    distance_km: Decimal | None = None
    end_odometer_km: Decimal | None = None


def trip_distance(
    kind: str,
    start_odometer: Decimal,
    start_soc: int,
    max_range_km: int,
    duration_s: int,
    r: TripReadings,
) -> Decimal:
    """The distance to bill, from readings checked against the vehicle and the trip.

    The odometer only goes forward; the distance is what a vehicle of this kind can cover in
    the trip's time; the battery cannot gain charge on a trip; and an e-car's distance must
    match the charge it used (within a wide margin), so neither an inflated nor a shrunken
    distance is billed.
    """
    _check_end_soc(start_soc, r.end_soc)
    distance = _reported_distance(start_odometer, r)
    hours = Decimal(max(duration_s, 0)) / 3600
    reachable = MAX_SPEED_KMH.get(kind, Decimal(150)) * hours + DISTANCE_SLACK_KM
    if distance > reachable:
        raise ValidationFailed(
            N_("%(km)s km cannot be covered in this trip's time.", km=distance),
            field="distance_km",
        )
    if kind == "ecar":
        _check_charge_used(distance, start_soc, r.end_soc, max_range_km)
    return distance


def _check_end_soc(start_soc: int, end_soc: int) -> None:
    """A battery reads 0-100 % and gains no charge on a trip (beyond the gauge's wobble)."""
    if not 0 <= end_soc <= 100 or end_soc > start_soc + SOC_NOISE:
        raise ValidationFailed(
            N_(
                "State of charge must be between 0 and %(most)s%%.",
                most=min(100, start_soc + SOC_NOISE),
            ),
            field="end_soc",
        )


def _check_charge_used(distance: Decimal, start_soc: int, end_soc: int, max_range_km: int) -> None:
    """An e-car's distance matches the charge it used, within a wide margin."""
    used = Decimal(max(0, start_soc - end_soc)) / 100 * max_range_km
    low, high = used / 2 - 10, used * Decimal("1.5") + 10
    if not low <= distance <= high:
        raise ValidationFailed(
            N_(
                "%(km)s km does not match the charge used (%(start)s%% to %(end)s%%).",
                km=distance,
                start=start_soc,
                end=end_soc,
            ),
            field="distance_km",
        )


def _reported_distance(start_odometer: Decimal, r: TripReadings) -> Decimal:
    if r.distance_km is not None and not r.distance_km.is_finite():
        raise ValidationFailed(N_("Distance must be a number."), field="distance_km")
    if r.end_odometer_km is not None:
        if not r.end_odometer_km.is_finite() or r.end_odometer_km < start_odometer:
            raise ValidationFailed(N_("The odometer cannot go backwards."), field="end_odometer")
        distance = r.end_odometer_km - start_odometer
        if r.distance_km is not None and abs(r.distance_km - distance) > DISTANCE_SLACK_KM:
            raise ValidationFailed(
                N_("The distance and the odometer disagree."), field="distance_km"
            )
        return distance
    distance = r.distance_km if r.distance_km is not None else Decimal(0)
    if distance < 0:
        raise ValidationFailed(N_("Distance cannot be negative."), field="distance_km")
    return distance


def validate_extension(
    start: datetime, old_end: datetime, new_end: datetime, now: datetime, p: BookingPolicy
) -> None:
    """A booking under way may end later: after its current end and now, within the maximum."""
    if new_end.tzinfo is None:
        raise ValidationFailed(N_("Times must include a timezone offset."), field="end")
    if new_end <= old_end:
        raise ValidationFailed(N_("The new end must be after the current end."), field="end")
    if new_end <= now:
        raise ValidationFailed(N_("The new end is already past."), field="end")
    if new_end - start > p.max_duration:
        raise ValidationFailed(
            N_("A booking cannot last that long."), field="end", max_days=p.max_duration.days
        )


def fee_accepted(fee_minor: int, accepted_minor: int | None) -> bool:
    """A cancellation goes ahead when it is free or costs no more than the fee the user saw."""
    return fee_minor <= 0 or accepted_minor is None or fee_minor <= accepted_minor


@dataclass(frozen=True)
class PickupRange:
    """How far the vehicle should go when it is picked up."""

    soc_percent: int
    range_km: int
    consumption_kwh_per_100km: Decimal | None
    planned: bool  # from the smart-charging plan (else the last reading)


def pickup_range(
    max_range_km: int, battery_kwh: Decimal, soc_percent: int, expected_soc: float | None
) -> PickupRange:
    """Range at pick-up from the expected charge (planned, else the last reading) and the
    vehicle's consumption (its battery over its full range, as smart charging counts it)."""
    planned = expected_soc is not None
    soc = soc_percent if expected_soc is None else int(max(0.0, min(1.0, expected_soc)) * 100)
    consumption = None
    if max_range_km > 0 and battery_kwh > 0:
        consumption = (battery_kwh * 100 / max_range_km).quantize(Decimal("0.1"))
    return PickupRange(
        soc_percent=soc,
        range_km=max_range_km * soc // 100,
        consumption_kwh_per_100km=consumption,
        planned=planned,
    )


# Driving licences: e-cars are booked only with a licence an operator has checked.
_LICENCE_NUMBER = re.compile(r"^[A-Z0-9]{4,20}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
LICENCE_YEARS = 50  # an expiry further ahead than this is a typo
LICENCE_REQUIRED = N_(
    "Booking an e-car needs a driving licence checked by our team: add yours on your profile."
)
LICENCE_PENDING = N_(
    "Our team has not checked your driving licence yet: e-cars can be booked once it has."
)
LICENCE_EXPIRED = N_("Your driving licence expires before this booking ends.")


def licence_problem(kind: str, licence: Licence, last_day: date) -> tuple[str, Message] | None:
    """Why this user may not book a vehicle of `kind` until `last_day` (code, message), or None.

    A licence is good through its expiry day; `last_day` is the booking's last local day.
    """
    if kind != "ecar":
        return None
    if licence.number is None or licence.expires_on is None:
        return "licence_required", LICENCE_REQUIRED
    if licence.verified_at is None:
        return "licence_not_verified", LICENCE_PENDING
    if licence.expires_on < last_day:
        return "licence_expired", LICENCE_EXPIRED
    return None


def check_licence(kind: str, licence: Licence, end: datetime, tz: ZoneInfo) -> None:
    """Raise Forbidden unless the licence allows booking this kind until `end`."""
    # A booking ending exactly at midnight does not need the licence on the new day.
    last_day = (end.astimezone(tz) - timedelta(microseconds=1)).date()
    problem = licence_problem(kind, licence, last_day)
    if problem is not None:
        code, message = problem
        raise Forbidden(message, code=code, expires_on=_iso_day(licence.expires_on))


def _iso_day(day: date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True)
class LicenceFields:
    """A driving licence as a citizen typed it, checked and normalised."""

    number: str
    country: str
    expires_on: date


def validate_licence(number: str, country: str, expires_on: str, today: date) -> LicenceFields:
    """The licence fields a citizen enters, or ValidationFailed on the first wrong one."""
    clean = re.sub(r"[\s\-]", "", number).upper()
    if not _LICENCE_NUMBER.match(clean):
        raise ValidationFailed(
            N_("Enter the licence number: 4 to 20 letters and digits."), field="licence_number"
        )
    code = country.strip().upper()
    if not _COUNTRY.match(code):
        raise ValidationFailed(
            N_("Choose the country that issued the licence."), field="licence_country"
        )
    try:
        day = date.fromisoformat(expires_on.strip())
    except ValueError:
        raise ValidationFailed(
            N_("Enter the expiry date of the licence."), field="licence_expires_on"
        ) from None
    if day < today:
        raise ValidationFailed(N_("This licence has expired."), field="licence_expires_on")
    if day.year > today.year + LICENCE_YEARS:
        raise ValidationFailed(
            N_("Check the expiry date of the licence."), field="licence_expires_on"
        )
    return LicenceFields(clean, code, day)


# Deleting an account: refused while something is under way or money is owed.
@dataclass(frozen=True)
class AccountActivity:
    """What ties an account to the platform right now."""

    open_bookings: int  # confirmed or active: a vehicle is held, a payment may be pending
    active_trips: int
    active_charging: int
    owed_minor: int  # personal invoices not paid (open or failed)
    sole_admin_of: int  # fleet accounts the user is the only admin of


def deletion_problem(a: AccountActivity) -> tuple[str, Message] | None:
    """Why the account cannot be deleted now (code, message), or None."""
    if a.active_trips:
        return "trip_running", N_("End your trip before deleting your account.")
    if a.active_charging:
        return "charging_running", N_("Stop your charging session before deleting your account.")
    if a.open_bookings:
        return "booking_open", N_("Cancel your upcoming bookings before deleting your account.")
    if a.owed_minor > 0:
        return "money_owed", N_(
            "You have unpaid invoices: settle them before deleting your account."
        )
    if a.sole_admin_of:
        return "sole_fleet_admin", N_(
            "You are the only admin of a company fleet account: make another member admin first."
        )
    return None
