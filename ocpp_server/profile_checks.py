"""Is a charger doing what we asked? Pure checks of schedules, measured current and pauses.

Chargers answer SetChargingProfile with Accepted and then sometimes do not apply it (a
profile for another connector, a stack level below one they keep, a firmware bug). These
rules compare what we expect with what the charger reports (its composite schedule) and
with what it measures, and choose how to pause a session that must resume.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ocpp_server.events import MeterSample


@dataclass(frozen=True)
class Step:
    """A limit in force from `start` until `end` (None: open-ended)."""

    start: datetime
    end: datetime | None
    limit: float


@dataclass(frozen=True)
class ScheduleDifference:
    """A stretch where the charger's schedule is not ours (None: no limit there)."""

    start: datetime
    end: datetime | None
    actual: float | None
    expected: float | None


def _value_at(steps: Sequence[Step], at: datetime) -> float | None:
    for step in steps:
        if step.start <= at and (step.end is None or at < step.end):
            return step.limit
    return None


def schedule_differences(
    actual: Sequence[Step], expected: Sequence[Step], tolerance: float = 0.1
) -> list[ScheduleDifference]:
    """Where the charger's composite schedule differs from the expected one (same unit).

    Compared over the stretch the composite covers; limits within `tolerance` are equal
    (chargers round to their own resolution). Adjacent stretches with the same values merge.
    """
    if not actual:
        return [ScheduleDifference(s.start, s.end, None, s.limit) for s in expected]
    window_end = actual[-1].end
    cuts = {s.start for s in (*actual, *expected)} | {
        s.end for s in (*actual, *expected) if s.end is not None
    }
    bounds = sorted(
        c for c in cuts if c >= actual[0].start and (window_end is None or c <= window_end)
    )
    out: list[ScheduleDifference] = []
    for n, begin in enumerate(bounds):
        end = bounds[n + 1] if n + 1 < len(bounds) else window_end
        if end == begin:
            continue
        got, want = _value_at(actual, begin), _value_at(expected, begin)
        if got is None and want is None:
            continue
        if got is not None and want is not None and abs(got - want) <= tolerance:
            continue
        last = out[-1] if out else None
        if last is not None and last.end == begin and (last.actual, last.expected) == (got, want):
            out[-1] = ScheduleDifference(last.start, end, got, want)
        else:
            out.append(ScheduleDifference(begin, end, got, want))
    return out


@dataclass(frozen=True)
class AppliedVerdict:
    """Whether measurements show a limit is applied: True, False, or None (cannot tell yet)."""

    applied: bool | None
    measured: float | None
    reason: str


CURRENT, POWER = "Current.Import", "Power.Active.Import"


def _readings(samples: Iterable[MeterSample], unit: str, since: datetime) -> list[float]:
    """One reading per instant: the highest phase current (A) or the total power (W)."""
    measurand = CURRENT if unit == "A" else POWER
    by_time: dict[datetime, list[MeterSample]] = {}
    for s in samples:
        if s.measurand == measurand and s.timestamp >= since:
            by_time.setdefault(s.timestamp, []).append(s)
    out = []
    for at in sorted(by_time):
        group = by_time[at]
        totals = [float(s.value) for s in group if s.phase is None]
        if unit == "A":
            out.append(max(float(s.value) for s in group))
        else:
            out.append(totals[0] if totals else sum(float(s.value) for s in group))
    return out


def limit_applied(
    limit: float,
    unit: str,
    applied_at: datetime,
    samples: Iterable[MeterSample],
    grace: timedelta = timedelta(seconds=60),
    tolerance: float = 0.1,
    needed: int = 2,
) -> AppliedVerdict:
    """Judge an accepted limit by what the charger then measured.

    Readings from `grace` after the profile was accepted count (cars take time to follow);
    the limit is not applied when the last `needed` readings all exceed it by more than
    `tolerance` (a fraction, plus 0.5 A / 100 W of meter noise). Fewer readings: None.
    """
    readings = _readings(samples, unit, applied_at + grace)
    if len(readings) < needed:
        return AppliedVerdict(None, max(readings, default=None), "not enough readings yet")
    slack = 0.5 if unit == "A" else 100.0
    ceiling = limit * (1 + tolerance) + slack
    recent = readings[-needed:]
    if all(r > ceiling for r in recent):
        return AppliedVerdict(
            False, max(recent), f"measured {max(recent):g} {unit} above {limit:g}"
        )
    return AppliedVerdict(True, max(recent), f"measured at most {max(recent):g} {unit}")


class Fallback(StrEnum):
    """What to do about a limit the charger accepted but does not apply."""

    RESEND = "resend"  # once more, as it was
    CLEAR_AND_RESEND = "clear_and_resend"  # clear its profiles, then send ours as the only one
    STOP = "stop"  # the site limit is at stake: stop the session and tell the operator


def fallback(attempts: int) -> Fallback:
    """The next step after `attempts` failed enforcements of the same limit."""
    if attempts <= 0:
        return Fallback.RESEND
    if attempts == 1:
        return Fallback.CLEAR_AND_RESEND
    return Fallback.STOP


class PauseAction(StrEnum):
    """How to stop energy flowing on a connector."""

    ZERO_LIMIT = "zero_limit"  # a TxProfile with limit 0: the session stays open
    REMOTE_STOP = "remote_stop"  # the session ends
    NOTHING = "nothing"


_NOT_CHARGING = ("Available", "Unavailable", "Faulted", "Reserved")


def pause_action(connector_status: str, must_resume: bool) -> PauseAction:
    """Pause with a 0 A / 0 W profile when the session must resume, stop it otherwise.

    Some chargers stay in Finishing after a RemoteStopTransaction until the cable is
    re-plugged: a session that is to resume (a smart-charging pause, a later departure)
    must never be stopped, only limited to zero.
    """
    if connector_status in _NOT_CHARGING:
        return PauseAction.NOTHING
    if must_resume:
        return PauseAction.ZERO_LIMIT
    return PauseAction.REMOTE_STOP


def stuck_in_finishing(
    connector_status: str, status_since: datetime, now: datetime, patience: timedelta
) -> bool:
    """A connector left in Finishing longer than `patience` (after a stop) needs an operator."""
    return connector_status == "Finishing" and now - status_since > patience
