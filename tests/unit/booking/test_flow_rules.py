"""Pure rules of the booking flow: extensions, accepted fees, range at pick-up, reports, photos."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking import report_rules, rules
from booking.rules import DEFAULT_POLICY as P
from mobility.errors import ValidationFailed

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_an_extension_must_end_later_than_now_and_the_current_end():
    start, end = NOW - timedelta(hours=1), NOW + timedelta(minutes=10)
    rules.validate_extension(start, end, end + timedelta(minutes=15), NOW, P)
    with pytest.raises(ValidationFailed, match="after the current end"):
        rules.validate_extension(start, end, end, NOW, P)
    past_end = NOW - timedelta(minutes=30)  # overran: the new end must still be ahead
    with pytest.raises(ValidationFailed, match="already past"):
        rules.validate_extension(start, past_end, NOW - timedelta(minutes=5), NOW, P)
    with pytest.raises(ValidationFailed, match="cannot last that long"):
        rules.validate_extension(start, end, start + P.max_duration + timedelta(minutes=1), NOW, P)
    with pytest.raises(ValidationFailed, match="timezone"):
        rules.validate_extension(start, end, datetime(2026, 11, 28, 12), NOW, P)


@given(fee=st.integers(0, 10_000), accepted=st.none() | st.integers(0, 10_000))
def test_a_fee_is_charged_only_up_to_what_was_accepted(fee, accepted):
    ok = rules.fee_accepted(fee, accepted)
    if fee == 0 or accepted is None:
        assert ok  # free, or an old client that does not confirm fees
    else:
        assert ok == (fee <= accepted)


def test_range_at_pickup_from_the_plan_else_the_last_reading():
    now = rules.pickup_range(390, Decimal("52.00"), 85, None)
    assert (now.soc_percent, now.range_km, now.planned) == (85, 331, False)
    assert now.consumption_kwh_per_100km == Decimal("13.3")
    planned = rules.pickup_range(390, Decimal("52.00"), 40, 0.8)
    assert (planned.soc_percent, planned.range_km, planned.planned) == (80, 312, True)
    bike = rules.pickup_range(70, Decimal("0.50"), 60, None)
    assert (bike.range_km, bike.consumption_kwh_per_100km) == (42, Decimal("0.7"))
    assert rules.pickup_range(0, Decimal(0), 50, None).consumption_kwh_per_100km is None


@given(soc=st.integers(0, 100), expected=st.none() | st.floats(-1, 2), km=st.integers(1, 1000))
def test_range_never_exceeds_the_full_range(soc, expected, km):
    r = rules.pickup_range(km, Decimal("40"), soc, expected)
    assert 0 <= r.soc_percent <= 100 and 0 <= r.range_km <= km


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
WEBP = b"RIFF\x00\x01\x00\x00WEBPVP8 " + b"\x00" * 100


def test_photos_are_recognised_by_their_bytes_not_their_name():
    assert report_rules.check_photo(JPEG).content_type == "image/jpeg"
    assert report_rules.check_photo(PNG).extension == "png"
    assert report_rules.check_photo(WEBP).content_type == "image/webp"
    assert report_rules.check_photo(b"") is None
    for bad in (b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"GIF89a....", b"%PDF-1.7"):
        with pytest.raises(ValidationFailed) as refused:
            report_rules.check_photo(bad)
        assert refused.value.details["field"] == "photo"


def test_photos_over_the_limit_are_refused():
    big = JPEG + b"\x00" * report_rules.MAX_PHOTO_BYTES
    with pytest.raises(ValidationFailed, match="too large"):
        report_rules.check_photo(big)


def test_a_report_needs_a_known_category_and_brakes_are_always_unsafe():
    facts = report_rules.check_report("damage", "  scratch on the door ", False)
    assert facts == report_rules.ReportFacts("damage", "scratch on the door", False)
    assert report_rules.check_report("brakes", "", False).safety
    assert report_rules.check_report("lock", "", True).safety
    with pytest.raises(ValidationFailed) as refused:
        report_rules.check_report("fire!", "x", False)
    assert refused.value.details["field"] == "category"
    with pytest.raises(ValidationFailed, match="Describe"):
        report_rules.check_report("other", "   ", False)
    with pytest.raises(ValidationFailed, match="2000"):
        report_rules.check_report("dirty", "x" * 2001, False)
