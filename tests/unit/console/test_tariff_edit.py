"""The console's tariff edit, validated with billing's rules: price bounds excl. and incl. VAT."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from console.services.tariffs import Example, TariffEdit, preview, validated
from mobility.errors import ValidationFailed
from mobility.models import Tariff

ENERGY = [{"price_components": [{"type": "ENERGY", "price": "0.40", "vat": "20.0"}]}]
PARIS = ZoneInfo("Europe/Paris")


def _edit(**bounds: str) -> TariffEdit:
    values = {k: Decimal(v) for k, v in bounds.items()}
    return TariffEdit(
        name="Charging",
        elements=ENERGY,
        min_price_excl_vat=values.get("min_excl"),
        max_price_excl_vat=values.get("max_excl"),
        min_price_incl_vat=values.get("min_incl"),
        max_price_incl_vat=values.get("max_incl"),
        daily_cap_excl_vat=None,
        default_vat_percent=Decimal(20),
        valid_from=None,
        valid_to=None,
        is_active=True,
    )


TARIFF = Tariff(code="CHARGE-STD", currency="EUR", scope="charging")


def _total(edit: TariffEdit, kwh: str) -> int:
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    example = Example(start=start, minutes=60, kwh=Decimal(kwh), km=Decimal(0), idle_minutes=0)
    return preview(validated(TARIFF, edit), "charging", example, PARIS).total_minor


def test_bounds_incl_vat_reach_the_priced_total():
    assert _total(_edit(), "1") == 48  # 0.40 + 20 % VAT
    assert _total(_edit(min_incl="5.00"), "1") == 500
    assert _total(_edit(max_incl="3.00"), "20") == 300
    assert _total(_edit(min_excl="1.00", min_incl="1.50"), "1") == 150


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ({"min_incl": "6", "max_incl": "5"}, "min_price must not exceed max_price"),
        ({"min_excl": "2", "min_incl": "1"}, "incl. VAT must not be below"),
        ({"max_excl": "9", "max_incl": "8"}, "incl. VAT must not be below"),
    ],
)
def test_bounds_that_billing_refuses_are_refused(bounds, message):
    with pytest.raises(ValidationFailed, match=message):
        validated(TARIFF, _edit(**bounds))
