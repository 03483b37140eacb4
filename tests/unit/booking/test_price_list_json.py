"""A tariff's price list and the range at pick-up as the vehicle API returns them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from billing.tariff_summary import summarise
from billing.tariffs import tariff_spec
from booking import serializers
from booking.rules import pickup_range


def _c(kind: str, price: str, vat: str = "20", step: int = 1) -> dict:
    return {"type": kind, "price": price, "vat": vat, "step_size": step}


def _row(dimension, unit, incl, excl, vat="20", step=None, step_unit=None, restrictions=None):
    return {
        "dimension": dimension,
        "unit": unit,
        "price_incl_vat": incl,
        "price_excl_vat": excl,
        "vat_percent": vat,
        "step": step,
        "step_unit": step_unit,
        "restrictions": restrictions,
    }


def test_every_component_window_and_bound_in_major_units():
    spec = tariff_spec(
        "CAR-NIGHT",
        "EUR",
        [
            {"price_components": [_c("FLAT", "1.00", step=0)]},
            {
                "price_components": [_c("TIME", "6.00", step=60)],
                "restrictions": {
                    "start_time": "22:00",
                    "end_time": "06:00",
                    "day_of_week": ["SATURDAY", "FRIDAY"],
                    "min_duration": 1800,
                },
            },
            {"price_components": [_c("TIME", "9.00", step=60), _c("DISTANCE", "0.25", step=100)]},
            {"price_components": [_c("PARKING_TIME", "3.00", step=300)]},
        ],
        daily_cap=Decimal("20.00"),
        min_price=Decimal("2.00"),
        max_price=Decimal("41.67"),
        max_price_incl_vat=Decimal("50.00"),
    )
    night = {
        "start_time": "22:00",
        "end_time": "06:00",
        "day_of_week": ["FRIDAY", "SATURDAY"],
        "min_duration": 1800,
    }
    assert serializers.price_list(summarise(spec)) == {
        "tariff": "CAR-NIGHT",
        "currency": "EUR",
        "components": [
            _row("FLAT", "trip", "1.20", "1.00"),
            _row("TIME", "minute", "0.12", "0.10", step=60, step_unit="second", restrictions=night),
            _row("TIME", "minute", "0.18", "0.15", step=60, step_unit="second"),
            _row("DISTANCE", "km", "0.30", "0.25", step=100, step_unit="m"),
            _row("PARKING_TIME", "minute", "0.06", "0.05", step=300, step_unit="second"),
        ],
        "caps": [
            {"kind": "daily_cap", "amount_incl_vat": "24.00", "amount_excl_vat": "20.00"},
            {"kind": "min_price", "amount_incl_vat": "2.40", "amount_excl_vat": "2.00"},
            {"kind": "max_price", "amount_incl_vat": "50.00", "amount_excl_vat": "41.67"},
        ],
        "vat_percents": ["20"],
    }


def test_mixed_vat_rates_leave_a_net_bound_without_its_gross_figure():
    spec = tariff_spec(
        "MIXED",
        "EUR",
        [
            {"price_components": [_c("ENERGY", "0.30", vat="5.5")]},
            {"price_components": [_c("TIME", "1.25", vat="20")]},
        ],
        daily_cap=Decimal("30"),
    )
    shown = serializers.price_list(summarise(spec))
    # 0.30 x 1.055 = 0.3165 per kWh; 1.25 / 60 = 0.02083.. per minute, 0.025 with VAT.
    assert [(c["unit"], c["price_incl_vat"], c["price_excl_vat"]) for c in shown["components"]] == [
        ("kWh", "0.3165", "0.30"),
        ("minute", "0.025", "0.0208"),
    ]
    assert shown["vat_percents"] == ["5.5", "20"]
    assert shown["caps"] == [
        {"kind": "daily_cap", "amount_incl_vat": None, "amount_excl_vat": "30.00"}
    ]


def test_range_at_pickup_says_where_the_charge_comes_from():
    at = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    planned = serializers.pickup(pickup_range(395, Decimal("52"), 40, 0.8), at)
    assert planned == {
        "at": "2026-11-10T09:00:00+00:00",
        "soc_percent": 80,
        "range_km": 316,
        "source": "charging_plan",
        "consumption_kwh_per_100km": "13.2",
    }
    read = serializers.pickup(pickup_range(70, Decimal("0"), 60, None), at)
    assert read["source"] == "last_reading" and read["range_km"] == 42
    assert read["consumption_kwh_per_100km"] is None
