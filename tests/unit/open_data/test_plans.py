"""Tariffs become GBFS pricing plans: numbers where GBFS can say it, sentences where not."""

from decimal import Decimal

from billing.tariffs import tariff_spec
from open_data.model import PublicTariff
from open_data.plans import Segment, convert, describe, pricing_plan


def _comp(kind: str, price: str, step: int = 1, vat: str = "20") -> dict:
    return {"type": kind, "price": price, "vat": vat, "step_size": step}


def test_unlock_fee_and_per_minute_rate_are_published_vat_included():
    spec = tariff_spec(
        "BIKE",
        "EUR",
        [{"price_components": [_comp("FLAT", "1.00"), _comp("TIME", "9.00", step=60)]}],
    )
    plan = convert(spec)
    assert plan.price == Decimal("1.2")
    assert plan.per_min == [Segment(0, Decimal("0.1800"), 1)]
    assert plan.notes == []


def test_duration_tiers_become_segments_first_element_wins():
    spec = tariff_spec(
        "TIERS",
        "EUR",
        [
            {
                "price_components": [_comp("TIME", "0", step=60)],
                "restrictions": {"max_duration": 1800},
            },
            {"price_components": [_comp("TIME", "6.00", step=900, vat="0")]},
        ],
    )
    plan = convert(spec)
    # The first half hour is free; then 1.50 per started quarter of an hour.
    assert plan.per_min == [
        Segment(0, Decimal("0.0000"), 1, 30),
        Segment(30, Decimal("1.5000"), 15),
    ]


def test_what_gbfs_cannot_express_is_said_in_every_language():
    spec = tariff_spec(
        "CAR",
        "EUR",
        [
            {
                "price_components": [_comp("TIME", "30.00", step=60)],
                "restrictions": {"start_time": "22:00", "end_time": "06:00"},
            },
            {"price_components": [_comp("TIME", "18.00", step=90)]},
            {"price_components": [_comp("DISTANCE", "0.25", step=100)]},
        ],
        daily_cap=Decimal("60"),
        min_price=Decimal("2"),
    )
    plan = convert(spec)
    keys = [k for k, _ in plan.notes]
    assert keys == ["conditional", "time_step", "distance_step", "min_price", "daily_cap"]
    assert plan.per_km == [Segment(0, Decimal("0.3000"), 1)]
    en = describe(plan, "EUR", "en")
    assert "Other prices apply" in en and "calendar day" in en and "€72.00" in en
    assert "jour calendaire" in describe(plan, "EUR", "fr")
    assert "Kalendertag" in describe(plan, "EUR", "de")


def test_charging_dimensions_are_not_silently_dropped():
    spec = tariff_spec("X", "EUR", [{"price_components": [_comp("ENERGY", "0.30")]}])
    plan = convert(spec)
    assert plan.price == 0 and not plan.per_min and [k for k, _ in plan.notes] == ["conditional"]


def test_plan_entry_names_the_tariff_in_each_language():
    spec = tariff_spec("FREE", "EUR", [{"price_components": [_comp("FLAT", "0", step=0)]}])
    entry = pricing_plan(PublicTariff(1, "FREE", "Free rides", "ebike", spec), ("en", "de"))
    assert entry["plan_id"] == "FREE" and entry["price"] == 0 and entry["is_taxable"] is False
    assert [n["language"] for n in entry["name"]] == ["en", "de"]
    assert "Free of charge." in entry["description"][0]["text"]
    assert "Kostenlos." in entry["description"][1]["text"]
