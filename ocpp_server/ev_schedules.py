"""An ISO 15118 vehicle's charging schedule against the limits we set for it. Pure.

After we send a charging profile, the vehicle plans its own schedule within it and the
station forwards it (NotifyEVChargingSchedule). We check that it stays within our limits
(K15/K16: Accepted when it does, Rejected - and a new negotiation - when it does not) and
note the vehicle's own limit: when it plans to draw less than we allowed, the planner need
not keep the difference for it.

Schedules are step functions: (from this moment, at most this many watts), in time order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

NOMINAL_VOLTAGE = 230.0  # per phase, to compare limits given in amperes with ours in watts
DEFAULT_PHASES = 3  # OCPP: numberPhases 3 unless another number is given
# Rounding on either side (the vehicle's watts from our amperes...) is not a breach.
TOLERANCE = 0.01

Step = tuple[datetime, float]


def to_watts(limit: float, unit: str, phases: int | None) -> float:
    """A schedule limit in watts (amperes are per phase)."""
    if unit.upper() == "A":
        return limit * NOMINAL_VOLTAGE * (phases or DEFAULT_PHASES)
    return limit


def steps(start: datetime, periods_w: Iterable[tuple[int, float]]) -> list[Step]:
    """(start s, W) periods from `start` -> steps in time order."""
    return sorted((start + timedelta(seconds=s), float(w)) for s, w in periods_w)


def _at(found: Sequence[Step], moment: datetime) -> float | None:
    """The limit in force at `moment` (None before the first step)."""
    current = None
    for at, watts in found:
        if at > moment:
            break
        current = watts
    return current


def exceeds(ev: Sequence[Step], ours: Sequence[Step]) -> bool:
    """Whether the vehicle plans more than our limit at any moment of its schedule."""
    if not ev or not ours:
        return False
    moments = sorted({at for at, _ in ev} | {at for at, _ in ours if at >= ev[0][0]})
    for moment in moments:
        planned, allowed = _at(ev, moment), _at(ours, moment)
        if planned is not None and allowed is not None and planned > allowed * (1 + TOLERANCE):
            return True
    return False


def own_limit(ev: Sequence[Step], ours: Sequence[Step]) -> int | None:
    """The most the vehicle plans to draw, when that is its own choice: below the most we
    allowed over its schedule (None when our limit is what holds it back, or no plan)."""
    if not ev:
        return None
    peak = max(watts for _, watts in ev)
    allowed = [w for at, w in ours if at > ev[0][0]]
    first = _at(ours, ev[0][0])
    if first is not None:
        allowed.append(first)
    if allowed and peak >= max(allowed) * (1 - TOLERANCE):
        return None
    return int(peak)
