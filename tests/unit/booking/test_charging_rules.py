"""Citizen charging's pure rules: usable cards, when a start may be asked, prices, figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from billing.tariffs import tariff_spec
from booking.charging.rules import (
    Card,
    app_tag,
    hours,
    incl_vat,
    live_figures,
    price_items,
    restricted,
    start_refusal,
    usable,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _card(**kw) -> Card:
    base = {"id_tag": "RFID-1", "label": "", "kind": "ISO14443", "status": "Accepted"}
    return Card(**{**base, "expires_at": None, **kw})


def test_usable_cards():
    assert usable(_card(), NOW)
    assert usable(_card(expires_at=NOW + timedelta(days=1)), NOW)
    assert not usable(_card(expires_at=NOW), NOW)
    assert not usable(_card(status="Blocked"), NOW)
    assert not usable(_card(id_tag="X" * 21), NOW)  # no OCPP 1.6 charger could take it


@pytest.mark.parametrize(
    ("online", "availability", "status", "running", "refusal"),
    [
        (True, "Operative", "Available", False, None),
        (True, "Operative", "Preparing", False, None),  # cable in first
        (True, "Operative", "Occupied", False, None),  # 2.0.1 cable in, no session
        (True, "Operative", "Occupied", True, "connector_busy"),
        (True, "Operative", "Charging", False, "connector_busy"),
        (True, "Operative", "Reserved", False, "connector_busy"),
        (True, "Operative", "Faulted", False, "connector_out_of_order"),
        (True, "Inoperative", "Available", False, "connector_out_of_order"),
        (False, "Operative", "Available", False, "charger_offline"),
    ],
)
def test_start_refusal(online, availability, status, running, refusal):
    assert start_refusal(online, availability, status, running) == refusal


def test_app_tags_fit_ocpp_16():
    tag = app_tag("0123456789abcdef")
    assert tag == "APP-0123456789ABCDEF" and len(tag) == 20
    with pytest.raises(ValueError):
        app_tag("abc")


def test_price_items_include_vat_and_keep_restrictions():
    spec = tariff_spec(
        "CHARGE",
        "EUR",
        [
            {
                "price_components": [
                    {"type": "ENERGY", "price": "0.35", "vat": "20", "step_size": 1},
                    {"type": "FLAT", "price": "0", "vat": "20", "step_size": 0},
                ]
            },
            {
                "price_components": [
                    {"type": "PARKING_TIME", "price": "6.00", "vat": "20", "step_size": 60}
                ],
                "restrictions": {"start_time": "22:00", "end_time": "06:00"},
            },
            {"price_components": [{"type": "TIME", "price": "0", "vat": "20", "step_size": 60}]},
        ],
    )
    items = price_items(spec)
    # A free flat fee still says so; a free time price is left out.
    assert [(i.dimension, i.price_incl_vat) for i in items] == [
        ("ENERGY", Decimal("0.4200")),
        ("FLAT", Decimal("0.0000")),
        ("PARKING_TIME", Decimal("7.2000")),
    ]
    assert not restricted(items[0].restrictions) and restricted(items[2].restrictions)
    assert [f"{t:%H:%M}" for t in hours(items[2].restrictions)] == ["22:00", "06:00"]
    assert hours(items[0].restrictions) is None


def test_incl_vat_keeps_tenths_of_cents():
    assert incl_vat(Decimal("0.2899"), Decimal("19")) == Decimal("0.3450")
    assert incl_vat(Decimal("1"), Decimal("0")) == Decimal("1.0000")


def test_live_figures():
    f = live_figures(1000, Decimal("13345"), Decimal("7400"), NOW - timedelta(minutes=95), NOW)
    assert (f.energy_kwh, f.power_kw, f.minutes) == (Decimal("12.345"), Decimal("7.4"), 95)
    none_yet = live_figures(1000, None, None, NOW, NOW)
    assert (none_yet.energy_kwh, none_yet.power_kw, none_yet.minutes) == (Decimal("0.000"), None, 0)
    # A register below the start (a meter swap) never shows negative energy.
    assert live_figures(1000, 500, None, NOW, NOW).energy_kwh == Decimal("0.000")
