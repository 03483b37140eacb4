"""A charger's uptime: reports into periods, periods clipped to local days, shares, streaks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given
from hypothesis import strategies as st

from console.uptime import (
    AVAILABLE,
    CATEGORIES,
    CHARGER,
    CHARGING,
    FAULTED,
    OFFLINE,
    ONLINE,
    UNAVAILABLE,
    UNRECORDED,
    ChargerRow,
    Day,
    Period,
    Report,
    Streak,
    category,
    day_shares,
    duration,
    opening,
    periods,
    presence_extras,
    seconds_by_day,
    share,
    streak,
    window_days,
    window_shares,
)

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600
C1, C2 = (1, 0), (2, 0)


def _at(*args: int, tz: ZoneInfo = PARIS) -> int:
    return int(datetime(*args, tzinfo=tz).timestamp())


# -- local days ---------------------------------------------------------------------------


def test_window_days_are_local_days_with_their_dst_lengths_and_today_until_now():
    now = datetime(2026, 3, 30, 9, 15, 30, tzinfo=PARIS)
    days = window_days(now, 3, PARIS)
    assert [d.day for d in days] == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    assert [d.seconds for d in days] == [24 * HOUR, 23 * HOUR, 9 * HOUR + 15 * 60 + 30]
    assert days[0].start == _at(2026, 3, 28)
    autumn = window_days(datetime(2026, 10, 26, 0, 0, tzinfo=PARIS), 2, PARIS)
    assert [d.seconds for d in autumn] == [25 * HOUR, 0]  # today has only just begun


def test_window_days_follow_the_hubs_timezone_not_utc():
    now = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # already 3 March in Paris
    assert window_days(now, 1, PARIS)[0].day == date(2026, 3, 3)
    assert window_days(now, 1, ZoneInfo("America/New_York"))[0].day == date(2026, 3, 2)


# -- periods ------------------------------------------------------------------------------


def test_each_report_lasts_until_the_next_of_its_key_and_the_last_until_now():
    reports = [Report(C1, 10, AVAILABLE), Report(C2, 15, FAULTED), Report(C1, 30, CHARGING)]
    assert sorted(periods(reports, until=100)) == [
        Period(C1, 10, 30, AVAILABLE),
        Period(C1, 30, 100, CHARGING),
        Period(C2, 15, 100, FAULTED),
    ]


def test_reports_from_now_on_count_nothing_and_ties_are_ordered_by_state():
    reports = [Report(C1, 10, FAULTED), Report(C1, 10, AVAILABLE), Report(C1, 100, CHARGING)]
    assert periods(reports, until=100) == [Period(C1, 10, 100, FAULTED)]


def test_a_period_is_clipped_to_each_day_it_touches():
    days = [Day(date(2026, 3, 28), 0, 100), Day(date(2026, 3, 29), 100, 150)]
    found = seconds_by_day([Period(C1, -50, 120, AVAILABLE), Period(C1, 120, 150, FAULTED)], days)
    assert found == [{(C1, AVAILABLE): 100}, {(C1, AVAILABLE): 20, (C1, FAULTED): 30}]


def test_a_whole_dst_day_online_is_100_percent_of_its_23_hours():
    days = window_days(datetime(2026, 3, 30, 12, tzinfo=PARIS), 3, PARIS)
    online = [Report(CHARGER, _at(2026, 3, 29), ONLINE), Report(CHARGER, _at(2026, 3, 30), OFFLINE)]
    seconds = seconds_by_day(periods(online, days[-1].end), days)
    assert seconds[1] == {(CHARGER, ONLINE): 23 * HOUR}
    shares = day_shares(seconds, days, CHARGER, (ONLINE, OFFLINE))
    assert shares == [
        {ONLINE: None, OFFLINE: None, UNRECORDED: None},  # nothing recorded that day
        {ONLINE: 100.0, OFFLINE: 0.0, UNRECORDED: 0.0},
        {ONLINE: 0.0, OFFLINE: 100.0, UNRECORDED: 0.0},
    ]


def test_shares_round_down_and_only_recorded_time_counts():
    assert share(1, 3) == 33.33 and share(2, 3) == 66.66 and share(3, 3) == 100.0
    assert share(0, 0) is None
    days = [Day(date(2026, 1, 1), 0, 400)]
    seconds = seconds_by_day(periods([Report(C1, 300, FAULTED)], 400), days)
    assert window_shares(seconds, days, C1, (FAULTED, AVAILABLE)) == {
        FAULTED: 25,
        AVAILABLE: 0,
        UNRECORDED: 75,
    }


def test_statuses_of_both_protocols_fall_in_the_operators_categories():
    assert category("Occupied") == category("SuspendedEVSE") == category("Preparing") == CHARGING
    assert category("Unavailable") == UNAVAILABLE and category("Faulted") == FAULTED
    assert category("SomethingNew") == "SomethingNew"  # in no category: not counted as any


# -- properties ---------------------------------------------------------------------------

# Around the spring and autumn changes in Paris, so some windows hold a 23 or 25-hour day.
NOWS = st.sampled_from([_at(2026, 3, 31, 7), _at(2026, 10, 27, 18), _at(2026, 6, 1, 0)]).flatmap(
    lambda t: st.integers(t - 2 * 86_400, t + 2 * 86_400)
)
KEYS = st.sampled_from([C1, C2, CHARGER])
STATES = st.sampled_from([*CATEGORIES, ONLINE, "Other"])


@st.composite
def timelines(draw: st.DrawFn) -> tuple[list[Report], list[Day]]:
    now = draw(NOWS)
    days = window_days(datetime.fromtimestamp(now, UTC), draw(st.integers(1, 6)), PARIS)
    since = days[0].start
    at = st.integers(since - 3 * 86_400, now + 86_400)
    reports = draw(st.lists(st.builds(Report, KEYS, at, STATES), max_size=30))
    return reports, days


def _by_day(reports: list[Report], days: list[Day]) -> list[dict]:
    return seconds_by_day(periods(reports, days[-1].end), days)


@given(timelines())
def test_shares_of_a_day_never_add_up_to_more_than_100(timeline):
    reports, days = timeline
    seconds = _by_day(reports, days)
    for key in (C1, C2, CHARGER):
        for shares in day_shares(seconds, days, key, [*CATEGORIES, ONLINE, "Other"]):
            assert sum(v or 0 for v in shares.values()) <= 100
            if shares[UNRECORDED] is not None:  # every second is counted somewhere
                assert sum(shares.values()) > 100 - 0.01 * len(shares)
    for per, d in zip(seconds, days, strict=True):
        for key in (C1, C2, CHARGER):
            assert sum(n for (k, _), n in per.items() if k == key) <= d.seconds


@given(timelines(), st.data())
def test_splitting_a_period_at_any_point_changes_nothing(timeline, data):
    reports, days = timeline
    found = periods([Report(C2, days[0].start - 5, AVAILABLE), *reports], days[-1].end)
    p = data.draw(st.sampled_from(found))
    cut = data.draw(st.integers(p.start, p.end))
    split = [q for q in found if q != p] + [p._replace(end=cut), p._replace(start=cut)]
    assert seconds_by_day(split, days) == seconds_by_day(found, days)
    # The same told as reports: the state again at the cut is no change at all.
    if cut < p.end:
        told = [Report(C2, days[0].start - 5, AVAILABLE), *reports]
        assert _by_day([*told, Report(p.key, cut, p.state)], days) == _by_day(told, days)


@given(timelines())
@example(([Report(C1, 9, AVAILABLE), Report(C1, 10, FAULTED)], [Day(date(2026, 1, 1), 10, 20)]))
def test_the_window_from_what_held_as_it_opened_equals_the_whole_history(timeline):
    reports, days = timeline
    since = days[0].start
    later = [r for r in reports if r.at >= since]
    assert _by_day(opening(reports, since) + later, days) == _by_day(reports, days)


@given(timelines())
def test_a_key_reported_before_the_window_is_known_all_through_it(timeline):
    reports, days = timeline
    first = Report(C1, days[0].start - 1, FAULTED)
    seconds = _by_day([first, *reports], days)
    for per, d in zip(seconds, days, strict=True):
        assert sum(n for (k, _), n in per.items() if k == C1) == d.seconds


# -- presence and streaks -----------------------------------------------------------------


def test_the_chargers_row_gives_its_latest_connect_and_disconnect():
    row = ChargerRow(connected_at=500, disconnected_at=200, last_seen_at=900, is_online=True)
    assert sorted(presence_extras(None, row)) == [
        Report(CHARGER, 200, OFFLINE),
        Report(CHARGER, 500, ONLINE),
    ]


def test_a_charger_found_silent_is_offline_from_its_last_sign_of_life():
    row = ChargerRow(connected_at=500, disconnected_at=None, last_seen_at=900, is_online=False)
    extras = presence_extras(None, row)
    assert Report(CHARGER, 900, OFFLINE) in extras
    assert streak(extras, online=False) == Streak(False, 900)
    # An event after the last sign of life: offline from the event on.
    later = presence_extras(Report(CHARGER, 1000, ONLINE), row)
    assert Report(CHARGER, 1000, OFFLINE) in later


def test_events_that_agree_with_the_row_add_nothing_but_the_rows_own_times():
    row = ChargerRow(connected_at=500, disconnected_at=None, last_seen_at=900, is_online=True)
    assert presence_extras(Report(CHARGER, 500, ONLINE), row) == [Report(CHARGER, 500, ONLINE)]
    never = ChargerRow(None, None, None, is_online=False)
    assert presence_extras(None, never) == []
    assert streak([], online=False) == Streak(False, None)


def test_a_streak_begins_at_the_first_report_of_the_current_run():
    reports = [
        Report(CHARGER, 10, ONLINE),
        Report(CHARGER, 20, OFFLINE),
        Report(CHARGER, 30, ONLINE),
        Report(CHARGER, 40, ONLINE),  # a reconnect without a disconnect seen
    ]
    assert streak(reports, online=True) == Streak(True, 30)
    assert streak(reports[:2], online=False) == Streak(False, 20)
    assert streak(reports, online=False) == Streak(False, None)  # the last report disagrees


def test_durations_read_in_their_two_largest_units():
    assert [duration(s) for s in (0, 59, 61, 3_660, 90_000, 86_400 + 300)] == [
        "0 s",
        "59 s",
        "1 min 1 s",
        "1 h 1 min",
        "1 d 1 h",
        "1 d",
    ]
    assert duration(int(timedelta(days=12, hours=5, minutes=7).total_seconds())) == "12 d 5 h"
