"""Opening-hours intervals and their next change, across midnight and days."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from mobility.hours import next_change, open_intervals, within_hours

PARIS = ZoneInfo("Europe/Paris")
# Monday 2026-11-23 09:00 in Paris (UTC+1).
MONDAY_9 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_windows_touching_at_midnight_merge_into_one_interval():
    hours = {"mon": [["20:00", "24:00"]], "tue": [["00:00", "06:00"]]}
    found = open_intervals(hours, MONDAY_9, MONDAY_9 + timedelta(days=2), PARIS)
    assert found == [
        (datetime(2026, 11, 23, 20, tzinfo=PARIS), datetime(2026, 11, 24, 6, tzinfo=PARIS))
    ]


def test_intervals_are_clipped_to_the_asked_span():
    hours = {"mon": [["07:00", "19:00"]]}
    found = open_intervals(hours, MONDAY_9, MONDAY_9 + timedelta(hours=1), PARIS)
    assert found == [(MONDAY_9, MONDAY_9 + timedelta(hours=1))]


def test_next_change_is_the_next_closing_or_opening():
    hours = {"mon": [["07:00", "19:00"]], "wed": [["10:00", "12:00"]]}
    assert within_hours(hours, MONDAY_9, PARIS)
    closing = next_change(hours, MONDAY_9, PARIS)
    assert closing == datetime(2026, 11, 23, 19, tzinfo=PARIS)
    assert next_change(hours, closing, PARIS) == datetime(2026, 11, 25, 10, tzinfo=PARIS)


def test_always_open_never_changes():
    assert next_change(None, MONDAY_9, PARIS) is None
    assert open_intervals(None, MONDAY_9, MONDAY_9 + timedelta(hours=2), PARIS) == [
        (MONDAY_9, MONDAY_9 + timedelta(hours=2))
    ]
