"""Opening hours as stored on hubs and company vehicles ({"mon": [["07:00", "19:00"]]}). Pure."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mobility.errors import ValidationFailed

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Hours = dict[str, Any]


def day_windows(hours: Hours, day: str) -> list[tuple[time, time]]:
    """A day's opening windows as times ("24:00" closes at midnight); unreadable ones are shut."""
    out = []
    listed = hours.get(day, []) if isinstance(hours, dict) else []
    for window in listed if isinstance(listed, list) else []:
        try:
            start, end = window
            opens = time.fromisoformat(start)
            closes = time.max if end in ("24:00", "00:00") else time.fromisoformat(end)
        except (TypeError, ValueError):
            continue  # stored data is validated on write; an old bad window just stays shut
        if opens < closes:
            out.append((opens, closes))
    return sorted(out)


_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def validate_hours(raw: Any, field: str = "public_hours") -> Hours:
    """Opening hours as stored: {"mon": [["07:00", "19:00"], ...], ...}, checked on write."""
    if not isinstance(raw, dict) or not raw:
        raise ValidationFailed(
            'Give hours per day, e.g. {"mon": [["07:00", "19:00"]]}.', field=field
        )
    hours: Hours = {}
    for day, windows in raw.items():
        if day not in DAYS:
            raise ValidationFailed(f"Days are {', '.join(DAYS)}; not {day!r}.", field=field)
        if not isinstance(windows, list) or len(windows) > 6:
            raise ValidationFailed(f"Give at most 6 windows for {day}.", field=field)
        checked = []
        for window in windows:
            ok = isinstance(window, list | tuple) and len(window) == 2
            start, end = (window[0], window[1]) if ok else ("", "")
            if not (isinstance(start, str) and isinstance(end, str)):
                ok = False
            if not ok or not (_HHMM.match(start) and _HHMM.match(end)) or start >= end:
                raise ValidationFailed(
                    f"Windows are two times HH:MM, from before until ({day}).", field=field
                )
            checked.append([start, end])
        hours[day] = sorted(checked)
    return hours


def within_hours(hours: Hours | None, when: datetime, tz: ZoneInfo) -> bool:
    """Whether `when` falls in opening hours {"mon": [["06:00","22:00"]], ...} (None = always)."""
    if hours is None:
        return True
    local = when.astimezone(tz)
    now = local.time()
    return any(a <= now < b for a, b in day_windows(hours, DAYS[local.weekday()]))


def covers(hours: Hours | None, start: datetime, end: datetime, tz: ZoneInfo) -> bool:
    """Whether the whole interval [start, end) lies in opening hours (None = always open)."""
    if hours is None:
        return True
    cursor = start.astimezone(tz)
    stop = end.astimezone(tz)
    while cursor < stop:
        window = next(
            (b for a, b in day_windows(hours, DAYS[cursor.weekday()]) if a <= cursor.time() < b),
            None,
        )
        if window is None:
            return False
        if window == time.max:  # open until midnight: carry on next day at 00:00
            cursor = (cursor + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        else:
            cursor = cursor.replace(hour=window.hour, minute=window.minute, second=0, microsecond=0)
    return True


def open_intervals(
    hours: Hours | None, start: datetime, end: datetime, tz: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """The open intervals overlapping [start, end), clipped to it, touching ones merged."""
    if hours is None:
        return [(start, end)] if start < end else []
    first = start.astimezone(tz).date() - timedelta(days=1)
    days = (end - start).days + 3
    found: list[tuple[datetime, datetime]] = []
    for n in range(days):
        day = first + timedelta(days=n)
        for opens, closes in day_windows(hours, DAYS[day.weekday()]):
            a = datetime.combine(day, opens, tz)
            b = (
                datetime.combine(day + timedelta(days=1), time(0), tz)
                if closes == time.max
                else datetime.combine(day, closes, tz)
            )
            a, b = max(a, start), min(b, end)
            if a >= b:
                continue
            if found and a <= found[-1][1]:
                found[-1] = (found[-1][0], max(b, found[-1][1]))
            else:
                found.append((a, b))
    return found


def next_change(hours: Hours | None, after: datetime, tz: ZoneInfo) -> datetime | None:
    """The first opening or closing instant after `after` within a week (None: never changes)."""
    if hours is None:
        return None
    horizon = after + timedelta(days=8)
    for a, b in open_intervals(hours, after, horizon, tz):
        for edge in (a, b):
            if after < edge < horizon:
                return edge
    return None
