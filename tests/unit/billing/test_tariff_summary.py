"""A tariff as a price list: every component per minute / km / trip, with VAT, and its caps."""

from __future__ import annotations

from decimal import Decimal

from billing.tariff_summary import summarise, with_vat
from billing.tariffs import tariff_spec


def _c(kind: str, price: str, vat: str = "20", step: int = 1) -> dict:
    return {"type": kind, "price": price, "vat": vat, "step_size": step}


def test_every_component_and_cap_is_listed_per_shown_unit():
    spec = tariff_spec(
        "T",
        "EUR",
        [
            {"price_components": [_c("FLAT", "1.00", step=0)]},
            {"price_components": [_c("TIME", "9.00", step=60)]},
            {"price_components": [_c("DISTANCE", "0.25", step=100)]},
        ],
        daily_cap=Decimal("20.00"),
        min_price=Decimal("2.00"),
        max_price_incl_vat=Decimal("50.00"),
        max_price=Decimal("41.67"),
    )
    s = summarise(spec)
    shown = [(c.dimension, c.unit, c.excl_vat, c.incl_vat, c.step) for c in s.components]
    assert shown == [
        ("FLAT", "trip", Decimal("1.00"), Decimal("1.2000"), 0),
        ("TIME", "minute", Decimal("0.15"), Decimal("0.18"), 60),
        ("DISTANCE", "km", Decimal("0.25"), Decimal("0.3000"), 100),
    ]
    caps = {c.kind: (c.excl_vat, c.incl_vat) for c in s.caps}
    assert caps == {
        "daily_cap": (Decimal("20.00"), Decimal("24.0000")),
        "min_price": (Decimal("2.00"), Decimal("2.4000")),
        "max_price": (Decimal("41.67"), Decimal("50.00")),  # the tariff's own incl. figure
    }
    assert s.vat_percents == (Decimal("20"),)


def test_restricted_elements_are_flagged_and_mixed_vat_leaves_net_caps_alone():
    spec = tariff_spec(
        "N",
        "EUR",
        [
            {
                "price_components": [_c("TIME", "6.00", vat="10")],
                "restrictions": {"start_time": "22:00", "end_time": "06:00"},
            },
            {"price_components": [_c("TIME", "12.00")]},
        ],
        daily_cap=Decimal("30"),
    )
    s = summarise(spec)
    assert [c.restricted for c in s.components] == [True, False]
    assert s.components[0].restrictions.start_time.hour == 22
    assert s.vat_percents == (Decimal("10"), Decimal("20"))
    assert [(c.kind, c.incl_vat) for c in s.caps] == [("daily_cap", None)]
    assert with_vat(Decimal("10"), Decimal("5.5")) == Decimal("10.55")
