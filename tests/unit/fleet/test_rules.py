"""Pure fleet rules: VAT ids, limits, scopes, invitations, card ids."""

from datetime import UTC, datetime, timedelta

import pytest

from booking.fleet import rules
from mobility.errors import ValidationFailed

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def test_vat_ids_are_checked_with_checksums():
    assert rules.normalise_vat_id("FR 40 303 265 045") == "FR40303265045"
    assert rules.normalise_vat_id("DE129273398") == "DE129273398"
    for bad in ("FR00303265045", "XX123", ""):
        with pytest.raises(ValidationFailed, match="valid EU VAT id"):
            rules.normalise_vat_id(bad)


def test_limit_messages_say_what_is_left():
    assert rules.limit_problem("your limit", None, 10**6, 500, "EUR") is None
    assert rules.limit_problem("your limit", 30000, 29000, 1000, "EUR") is None
    msg = rules.limit_problem("your monthly company limit", 30000, 29190, 1240, "EUR")
    assert msg == (
        "This booking (12.40 EUR) would exceed your monthly company limit of 300.00 EUR; "
        "8.10 EUR left."
    )


def test_member_scope():
    assert rules.scope_problem("ecar", 1, None, None) is None
    assert "ecar" in rules.scope_problem("ecar", 1, ["ebike"], None)
    assert "hub" in rules.scope_problem("ebike", 3, ["ebike"], [1, 2])


def test_invitation_states():
    exp = NOW + timedelta(days=7)
    assert rules.invitation_usable(exp, None, None, NOW) is None
    assert "expired" in rules.invitation_usable(NOW, None, None, NOW)
    assert "used" in rules.invitation_usable(exp, NOW, None, NOW)
    assert "withdrawn" in rules.invitation_usable(exp, None, NOW, NOW)


def test_card_ids():
    assert rules.normalise_id_tag(" rfid-0042 ") == "RFID-0042"
    for bad in ("x", "has space", "A" * 21):
        with pytest.raises(ValidationFailed):
            rules.normalise_id_tag(bad)
