"""Pure fleet rules: VAT ids, limits, scopes, invitations, card ids."""

from datetime import UTC, datetime, timedelta

import pytest

from booking import rules as booking_rules
from booking.fleet import rules
from mobility.errors import ValidationFailed
from mobility.money import Money

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def test_vat_ids_are_checked_with_checksums():
    assert rules.normalise_vat_id("FR 40 303 265 045") == "FR40303265045"
    assert rules.normalise_vat_id("DE129273398") == "DE129273398"
    for bad in ("FR00303265045", "XX123", ""):
        with pytest.raises(ValidationFailed, match="valid EU VAT id"):
            rules.normalise_vat_id(bad)


def test_limit_messages_say_what_is_left():
    limit = booking_rules.MEMBER_LIMIT
    assert booking_rules.limit_problem(limit, None, 10**6, 500, "EUR") is None
    assert booking_rules.limit_problem(limit, 30000, 29000, 1000, "EUR") is None
    msg = booking_rules.limit_problem(limit, 30000, 29190, 1240, "EUR")
    assert str(msg) == (
        "This booking (12.40 EUR) would exceed your monthly company limit of 300.00 EUR; "
        "8.10 EUR left."
    )
    # Pages format the amounts in the reader's locale: they travel as money, not text.
    assert msg.params["left"] == Money(810, "EUR")


def test_member_scope():
    assert booking_rules.scope_problem("ecar", 1, None, None) is None
    assert "e-cars" in str(booking_rules.scope_problem("ecar", 1, ["ebike"], None))
    assert "hub" in str(booking_rules.scope_problem("ebike", 3, ["ebike"], [1, 2]))


def test_invitation_states():
    exp = NOW + timedelta(days=7)
    assert rules.invitation_usable(exp, None, None, NOW) is None
    assert "expired" in str(rules.invitation_usable(NOW, None, None, NOW))
    assert "used" in str(rules.invitation_usable(exp, NOW, None, NOW))
    assert "withdrawn" in str(rules.invitation_usable(exp, None, NOW, NOW))


def test_card_ids():
    assert rules.normalise_id_tag(" rfid-0042 ") == "RFID-0042"
    for bad in ("x", "has space", "A" * 21):
        with pytest.raises(ValidationFailed):
            rules.normalise_id_tag(bad)


@pytest.mark.parametrize(
    ("raw", "cents"), [("250", 25000), ("99.50", 9950), ("99,5", 9950), (" ", None), ("0", 0)]
)
def test_limits_typed_in_euros_become_cents(raw, cents):
    assert rules.parse_limit(raw, "limit", "EUR") == cents


def test_limits_follow_the_currency_minor_unit():
    assert rules.parse_limit("2500", "limit", "JPY") == 2500
    assert rules.parse_limit("1.125", "limit", "KWD") == 1125
    with pytest.raises(ValidationFailed):
        rules.parse_limit("10.5", "limit", "JPY")


@pytest.mark.parametrize("raw", ["-1", "abc", "1.001", "NaN", "Infinity"])
def test_bad_limits_are_refused_with_the_field(raw):
    with pytest.raises(ValidationFailed) as info:
        rules.parse_limit(raw, "monthly_limit", "EUR")
    assert info.value.details["field"] == "monthly_limit"


def test_daily_public_hours_are_checked():
    assert rules.daily_hours("07:00", "19:30")["sun"] == [["07:00", "19:30"]]
    for start, end in (("19:00", "07:00"), ("7:00", "19:00"), ("24:00", "25:00")):
        with pytest.raises(ValidationFailed):
            rules.daily_hours(start, end)
