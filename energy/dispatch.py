"""A site plan as power schedules for its connectors. Pure.

A running session gets a TxProfile with its planned power; a connector with a parked shared
car and no session gets a TxDefaultProfile with the car's plan (a session it starts follows it
from the first second); a free connector gets a TxDefaultProfile with an equal share of the
site's headroom, so that cars plugging in between two plans can never overload the site.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from energy.model import SLOT
from mobility.charging_schedule import (
    TX_DEFAULT,
    TX_PROFILE,
    PowerSchedule,
    SchedulePeriod,
)

DEFAULT_PROFILE_ID = 9100  # + connector number: one TxDefault of ours per connector
TX_PROFILE_ID = 9200  # + connector number: one TxProfile of ours per connector
STACK_LEVEL = 1  # operators' manual profiles go above


def periods(kw: Iterable[float]) -> tuple[SchedulePeriod, ...]:
    """Per-slot kW as schedule periods in whole watts, equal neighbours merged."""
    out: list[SchedulePeriod] = []
    for i, value in enumerate(kw):
        watts = max(0, int(value * 1000))  # round down: never above the plan
        if not out or out[-1].limit_w != watts:
            out.append(SchedulePeriod(int((SLOT * i).total_seconds()), watts))
    return tuple(out) or (SchedulePeriod(0, 0),)


def headroom(limit_kw: list[float], load_kw: list[float], free: int, max_kw: float) -> list[float]:
    """Per slot: what is left under the limit, shared by `free` connectors, capped."""
    return [
        min(max_kw, max(0.0, limit - load) / free)
        for limit, load in zip(limit_kw, load_kw, strict=True)
    ]


def schedules(
    body: Mapping[str, Any],
    numbers: Mapping[str, int],
    running: Mapping[str, str],
    max_kw: Mapping[str, float],
) -> dict[str, PowerSchedule]:
    """Planner connector id -> the schedule to send, from a stored plan (steered ones only)."""
    start = datetime.fromisoformat(body["start"])
    planned = {c["id"]: c["kw"] for c in body["connectors"] if c["id"] in numbers}
    loaded = {v["connector_id"] for v in body["vehicles"]} | set(running)
    free = [key for key in planned if key not in loaded]
    out: dict[str, PowerSchedule] = {}
    for key, kw in planned.items():
        number = numbers[key]
        if key in running:
            purpose, profile_id, ref = TX_PROFILE, TX_PROFILE_ID + number, running[key]
        else:
            purpose, profile_id, ref = TX_DEFAULT, DEFAULT_PROFILE_ID + number, None
        if key not in loaded:
            kw = headroom(body["limit_kw"], body["load_kw"], len(free), max_kw[key])
        out[key] = PowerSchedule(
            connector_id=number,
            purpose=purpose,
            profile_id=profile_id,
            stack_level=STACK_LEVEL,
            start=start,
            periods=periods(kw),
            transaction_ref=ref,
        )
    return out


FOLLOW_SLACK_W = 500  # meter noise and rounding a charger may show above its limit
FOLLOW_RATIO = 1.1


def limit_at(schedule: PowerSchedule, at: datetime) -> int:
    """The schedule's limit in force at `at` (before its start: the first period's)."""
    offset = (at - schedule.start).total_seconds()
    found = schedule.periods[0].limit_w
    for period in schedule.periods:
        if period.start_s <= offset:
            found = period.limit_w
    return found


def overdraws(limit_w: int, measured_w: float) -> bool:
    """A charger drawing clearly more than its profile allows is not following it."""
    return measured_w > limit_w * FOLLOW_RATIO + FOLLOW_SLACK_W
