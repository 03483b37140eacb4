"""Pure account rules: the driving licence an e-car booking needs, the licence a citizen types,
and when an account may be deleted."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from booking import rules
from booking.rules import AccountActivity, check_licence, deletion_problem, licence_problem
from mobility.driving_licence import Licence, check_problem
from mobility.errors import Forbidden, ValidationFailed

PARIS = ZoneInfo("Europe/Paris")
CHECKED = datetime(2026, 1, 5, tzinfo=UTC)
GOOD = Licence("AB123456", date(2027, 3, 31), CHECKED)


@pytest.mark.parametrize(
    ("licence", "code"),
    [
        (Licence(None, None, None), "licence_required"),
        (Licence("AB123456", None, None), "licence_required"),
        (Licence("AB123456", date(2027, 3, 31), None), "licence_not_verified"),
        (Licence("AB123456", date(2027, 3, 30), CHECKED), "licence_expired"),
        (GOOD, None),
    ],
)
def test_an_ecar_needs_a_checked_licence_valid_on_the_last_day(licence, code):
    problem = licence_problem("ecar", licence, date(2027, 3, 31))
    assert (problem[0] if problem else None) == code


def test_ebikes_need_no_licence():
    assert licence_problem("ebike", Licence(None, None, None), date(2030, 1, 1)) is None


def test_the_licence_is_good_through_its_expiry_day_in_local_time():
    # 23:30 Paris on the expiry day is 22:30 UTC: still fine.
    check_licence("ecar", GOOD, datetime(2027, 3, 31, 21, 30, tzinfo=UTC), PARIS)
    # A booking ending exactly at local midnight does not reach into the next day.
    check_licence("ecar", GOOD, datetime(2027, 3, 31, 22, 0, tzinfo=UTC), PARIS)
    with pytest.raises(Forbidden) as refused:
        check_licence("ecar", GOOD, datetime(2027, 3, 31, 22, 1, tzinfo=UTC), PARIS)
    assert refused.value.code == "licence_expired"
    assert refused.value.details["expires_on"] == "2027-03-31"
    assert refused.value.text == rules.LICENCE_EXPIRED


def test_a_typed_licence_is_normalised_and_checked_field_by_field():
    today = date(2026, 11, 27)
    fields = rules.validate_licence(" ab-12 34 56 ", "fr", "2031-05-01", today)
    assert (fields.number, fields.country, fields.expires_on) == (
        "AB123456",
        "FR",
        date(2031, 5, 1),
    )
    assert rules.validate_licence("AB1234", "DE", "2026-11-27", today).expires_on == today
    for args, field in [
        (("A1", "FR", "2031-05-01"), "licence_number"),
        (("AB12345678901234567890X", "FR", "2031-05-01"), "licence_number"),
        (("AB1234", "France", "2031-05-01"), "licence_country"),
        (("AB1234", "", "2031-05-01"), "licence_country"),
        (("AB1234", "FR", "01/05/2031"), "licence_expires_on"),
        (("AB1234", "FR", "2026-11-26"), "licence_expires_on"),
        (("AB1234", "FR", "2090-01-01"), "licence_expires_on"),
    ]:
        with pytest.raises(ValidationFailed) as bad:
            rules.validate_licence(*args, today)
        assert bad.value.details["field"] == field, args


def test_an_operator_checks_only_an_entered_unexpired_licence():
    today = date(2026, 11, 27)
    assert check_problem(Licence(None, None, None), today) == "There is no licence to check."
    assert check_problem(Licence("AB1234", date(2026, 11, 26), None), today)
    assert check_problem(Licence("AB1234", today, None), today) is None


def _activity(**changes):
    base = {
        "open_bookings": 0,
        "active_trips": 0,
        "active_charging": 0,
        "owed_minor": 0,
        "sole_admin_of": 0,
    }
    return AccountActivity(**(base | changes))


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({}, None),
        ({"active_trips": 1, "open_bookings": 1}, "trip_running"),
        ({"active_charging": 1}, "charging_running"),
        ({"open_bookings": 2}, "booking_open"),
        ({"owed_minor": 1}, "money_owed"),
        ({"owed_minor": 0, "sole_admin_of": 1}, "sole_fleet_admin"),
    ],
)
def test_an_account_is_deleted_only_when_nothing_is_under_way_or_owed(changes, code):
    problem = deletion_problem(_activity(**changes))
    assert (problem[0] if problem else None) == code
    if problem:
        text = str(problem[1])
        assert "deleting your account" in text or "admin" in text
