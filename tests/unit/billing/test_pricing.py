"""Pricing engine: OCPI 2.2.1 examples, steps, restrictions, caps, rounding."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.pricing import (
    Period,
    charging_periods,
    price_session,
    rental_periods,
    to_minor,
    vat_of,
)
from billing.tariffs import tariff_spec
from mobility.errors import ValidationFailed

UTC_ZONE = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")


def comp(kind, price, step=1, vat="20"):
    return {"type": kind, "price": price, "step_size": step, "vat": vat}


def test_ocpi_cdr_example_two_euro_per_hour_in_five_minute_steps():
    # OCPI 2.2.1 CDR example: tariff 2.00 EUR/h, step 300 s, 10% VAT;
    # session 21:39:09 -> 23:37:32 (1 h 58 m 23 s) bills 2 h: 4.00 excl, 4.40 incl VAT.
    spec = tariff_spec("12", "EUR", [{"price_components": [comp("TIME", "2.00", 300, "10.0")]}])
    start = datetime(2015, 6, 29, 21, 39, 9, tzinfo=UTC)
    end = datetime(2015, 6, 29, 23, 37, 32, tzinfo=UTC)
    price = price_session(spec, rental_periods(start, end), UTC_ZONE)
    assert (price.excl_vat_minor, price.vat_minor, price.total_minor) == (400, 40, 440)
    assert price.lines[0].quantity == Decimal(2)


OCPI_COMPLEX = [
    {"price_components": [comp("FLAT", "2.50")]},
    {"price_components": [comp("TIME", "1.00", 900)], "restrictions": {"max_power": 32.00}},
    {
        "price_components": [comp("TIME", "2.00", 600)],
        "restrictions": {
            "min_power": 32.00,
            "day_of_week": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
        },
    },
    {
        "price_components": [comp("TIME", "1.25", 600)],
        "restrictions": {"min_power": 32.00, "day_of_week": ["SATURDAY", "SUNDAY"]},
    },
    {
        "price_components": [comp("PARKING_TIME", "5.00", 300)],
        "restrictions": {
            "start_time": "09:00",
            "end_time": "18:00",
            "day_of_week": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
        },
    },
    {
        "price_components": [comp("PARKING_TIME", "6.00", 300)],
        "restrictions": {"start_time": "10:00", "end_time": "17:00", "day_of_week": ["SATURDAY"]},
    },
]


def test_ocpi_complex_tariff_fast_charging_on_a_weekday_then_parking():
    # OCPI "complex tariff" example: 2.50 start fee; >= 32 kW on weekdays 2.00/h per 10 min;
    # parking on weekdays 09:00-18:00 5.00/h per 5 min.
    spec = tariff_spec("11", "EUR", OCPI_COMPLEX)
    start = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday
    periods = [
        # 50 kW for 52 minutes (43.333 kWh) -> 60 min billed at 2.00/h = 2.00
        Period(start=start, duration_s=52 * 60, energy_wh=Decimal("43333")),
        # parked 21 minutes -> 25 min billed at 5.00/h = 2.0833.. -> 2.08
        Period(start=start + timedelta(minutes=52), duration_s=21 * 60, parking=True),
    ]
    price = price_session(spec, periods, UTC_ZONE)
    by = {ln.component: ln for ln in price.lines}
    assert by["FLAT"].amount_excl_vat_minor == 250
    assert by["TIME"].amount_excl_vat_minor == 200
    assert by["PARKING_TIME"].amount_excl_vat_minor == 208
    assert price.excl_vat_minor == 658


def test_ocpi_complex_tariff_slow_charging_on_saturday_evening_parking_is_free():
    spec = tariff_spec("11", "EUR", OCPI_COMPLEX)
    start = datetime(2026, 11, 28, 17, 30, tzinfo=UTC)  # Saturday, after 17:00
    periods = [
        Period(start=start, duration_s=3600, energy_wh=Decimal("11000")),  # 11 kW < 32
        Period(start=start + timedelta(hours=1), duration_s=1800, parking=True),
    ]
    price = price_session(spec, periods, UTC_ZONE)
    comps = {ln.component: ln.amount_excl_vat_minor for ln in price.lines}
    assert comps == {"FLAT": 250, "TIME": 100}


def test_parking_crossing_into_paid_window_is_split_at_the_boundary():
    spec = tariff_spec("11", "EUR", OCPI_COMPLEX)
    start = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)  # Tuesday 08:30 parking until 09:30
    price = price_session(spec, [Period(start=start, duration_s=3600, parking=True)], UTC_ZONE)
    parking = [ln for ln in price.lines if ln.component == "PARKING_TIME"]
    assert len(parking) == 1 and parking[0].quantity == Decimal("0.5")
    assert parking[0].amount_excl_vat_minor == 250


def test_demo_ebike_tariff_unlock_plus_per_minute_with_vat():
    spec = tariff_spec(
        "EBIKE",
        "EUR",
        [
            {"price_components": [comp("FLAT", "1.00")]},
            {"price_components": [comp("TIME", "9.00", 60)]},
        ],
    )
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    price = price_session(spec, rental_periods(start, start + timedelta(seconds=61)), PARIS)
    # 61 s -> 2 minutes at 0.15 = 0.30; + 1.00 unlock = 1.30 net, VAT 20% = 0.26
    assert (price.excl_vat_minor, price.vat_minor, price.total_minor) == (130, 26, 156)


def test_distance_priced_per_km_in_steps_of_100_m():
    spec = tariff_spec("CAR", "EUR", [{"price_components": [comp("DISTANCE", "0.25", 100)]}])
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    periods = rental_periods(start, start + timedelta(minutes=30), Decimal("12.34"))
    price = price_session(spec, periods, UTC_ZONE)
    assert price.lines[0].quantity == Decimal("12.4")
    assert price.excl_vat_minor == 310


def test_daily_cap_limits_time_and_distance_per_started_day():
    spec = tariff_spec(
        "CAR",
        "EUR",
        [{"price_components": [comp("TIME", "18.00", 60)]}],
        daily_cap=Decimal("60.00"),
    )
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    price = price_session(spec, rental_periods(start, start + timedelta(hours=30)), UTC_ZONE)
    assert price.excl_vat_minor == 12000  # two started days x 60.00
    assert price.lines[-1].component == "CAP"


def test_min_and_max_price_add_adjustment_lines():
    elements = [{"price_components": [comp("TIME", "6.00", 60)]}]
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    short = tariff_spec("T", "EUR", elements, min_price=Decimal("1.00"))
    p = price_session(short, rental_periods(start, start + timedelta(minutes=2)), UTC_ZONE)
    assert p.excl_vat_minor == 100 and p.lines[-1].component == "MIN_PRICE"
    long = tariff_spec("T", "EUR", elements, max_price=Decimal("5.00"))
    p = price_session(long, rental_periods(start, start + timedelta(hours=2)), UTC_ZONE)
    assert p.excl_vat_minor == 500 and p.lines[-1].component == "MAX_PRICE"


def test_time_of_day_uses_local_time():
    night = {
        "price_components": [comp("TIME", "3.00", 60)],
        "restrictions": {"start_time": "22:00", "end_time": "06:00"},
    }
    day = {"price_components": [comp("TIME", "6.00", 60)]}
    spec = tariff_spec("TOD", "EUR", [night, day])
    # 21:30 UTC is 22:30 in Paris in winter: the night rate applies.
    start = datetime(2026, 11, 24, 21, 30, tzinfo=UTC)
    p = price_session(spec, rental_periods(start, start + timedelta(hours=1)), PARIS)
    assert p.excl_vat_minor == 300


def test_energy_and_idle_time_for_charging_sessions():
    spec = tariff_spec(
        "CH",
        "EUR",
        [
            {"price_components": [comp("ENERGY", "0.35")]},
            {"price_components": [comp("PARKING_TIME", "6.00", 60)]},
        ],
    )
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    periods = charging_periods(
        start, start + timedelta(hours=2), Decimal(20500), start + timedelta(minutes=90)
    )
    p = price_session(spec, periods, UTC_ZONE)
    by = {ln.component: ln.amount_excl_vat_minor for ln in p.lines}
    assert by == {"ENERGY": 718, "PARKING_TIME": 300}  # 20.5 kWh x 0.35 = 7.175 -> 7.18


def test_rounding_is_half_up_to_cents():
    assert to_minor(Decimal("0.005"), "EUR") == 1
    assert to_minor(Decimal("0.0049"), "EUR") == 0
    assert to_minor(Decimal("12"), "JPY") == 12
    assert vat_of(125, Decimal("20")) == 25
    assert vat_of(2, Decimal("25")) == 1  # 0.5 cent rounds up
    assert vat_of(-125, Decimal("20")) == -25


@given(
    seconds=st.integers(min_value=1, max_value=3 * 86400),
    km=st.decimals(min_value=0, max_value=500, places=1),
)
def test_totals_always_equal_sum_of_lines(seconds, km):
    spec = tariff_spec(
        "CAR",
        "EUR",
        [
            {"price_components": [comp("FLAT", "1.00")]},
            {"price_components": [comp("TIME", "18.00", 60), comp("DISTANCE", "0.25", 100)]},
        ],
        daily_cap=Decimal("60"),
    )
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    p = price_session(spec, rental_periods(start, start + timedelta(seconds=seconds), km), PARIS)
    assert p.excl_vat_minor == sum(ln.amount_excl_vat_minor for ln in p.lines)
    assert p.total_minor == p.excl_vat_minor + p.vat_minor
    assert p.excl_vat_minor <= 100 + 6000 * (-(-seconds // 86400))


@pytest.mark.parametrize(
    ("elements", "message"),
    [
        ([], "at least one element"),
        ([{"price_components": []}], "price_components"),
        ([{"price_components": [comp("BOGUS", "1")]}], "type must be one of"),
        ([{"price_components": [comp("TIME", "abc")]}], "decimal number"),
        ([{"price_components": [comp("TIME", "-1")]}], "not be negative"),
        ([{"price_components": [comp("TIME", "1", 0)]}], "step_size"),
        ([{"price_components": [comp("TIME", "1", 1, "120")]}], "percentage"),
        (
            [{"price_components": [comp("TIME", "1")], "restrictions": {"start_time": "25h"}}],
            "HH:MM",
        ),
        (
            [{"price_components": [comp("TIME", "1")], "restrictions": {"day_of_week": ["FUN"]}}],
            "day_of_week",
        ),
    ],
)
def test_invalid_tariffs_are_rejected_clearly(elements, message):
    with pytest.raises(ValidationFailed, match=message):
        tariff_spec("X", "EUR", elements)
