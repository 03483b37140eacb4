"""Finished days' figures are remembered a while; only the days lacking and today are asked."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from console.services.day_figures import DayMemo, per_day

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAYS = [date(2026, 3, 10) - timedelta(days=4 - i) for i in range(5)]  # ends today


class Figures:
    """A figure that says which days it was asked for (what a query would read)."""

    def __init__(self) -> None:
        self.asked: list[list[date]] = []
        self.value = 1

    def __call__(self, s, days, tz, now):
        self.asked.append(list(days))
        return {d: (self.value if d.day % 2 else None) for d in days}


def test_only_lacking_days_and_today_are_computed():
    memo, figure = DayMemo(), Figures()
    first = per_day(memo, "f", figure, None, DAYS, NOW, PARIS)
    assert first == [1 if d.day % 2 else None for d in DAYS]
    assert figure.asked == [DAYS]
    figure.value = 2  # the database moved on: only today shows it
    again = per_day(memo, "f", figure, None, DAYS, NOW, PARIS)
    assert figure.asked[-1] == [DAYS[-1]]  # None is remembered too
    assert again == [*first[:-1], None if DAYS[-1].day % 2 == 0 else 2]
    longer = [DAYS[0] - timedelta(days=1), *DAYS]
    per_day(memo, "f", figure, None, longer, NOW, PARIS)
    assert figure.asked[-1] == longer  # from the first day not remembered, in one go


def test_remembered_days_expire():
    memo, figure = DayMemo(keep=-1), Figures()  # nothing is kept
    per_day(memo, "f", figure, None, DAYS, NOW, PARIS)
    per_day(memo, "f", figure, None, DAYS, NOW, PARIS)
    assert figure.asked == [DAYS, DAYS]
    assert (
        per_day(DayMemo(), "g", figure, None, DAYS, NOW, ZoneInfo("UTC"))
        and figure.asked[-1] == DAYS
    )  # another figure or timezone is another key
