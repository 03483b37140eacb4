"""Why each connector gets what it gets: a reason per slot, merged into schedule segments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from energy.model import SLOT, ConnectorPlan, Reason, Segment
from energy.timeline import SiteModel

EPS = 1e-3  # kW

Run = tuple[int, int, float, Reason, str | None]  # first slot, end slot, kW, reason, serves


@dataclass(frozen=True)
class _Site:
    at_limit: list[bool]  # the site draws its limit in this slot
    pv_covers: list[bool]  # PV covers the whole site load in this slot


def connector_plans(
    model: SiteModel, powers: list[list[float]], load_kw: list[float], short: set[str]
) -> tuple[ConnectorPlan, ...]:
    """Each connector's kW per slot and its segments with reasons (load_kw: the site's)."""
    site = _Site(
        at_limit=[kw >= limit - EPS for kw, limit in zip(load_kw, model.limit, strict=True)],
        pv_covers=[pv >= kw - EPS for kw, pv in zip(load_kw, model.pv, strict=True)],
    )
    on: dict[str, list[int]] = {}
    for u, load in enumerate(model.loads):
        on.setdefault(load.connector_id, []).append(u)
    times = [model.start + t * SLOT for t in range(model.slots + 1)]
    plans = []
    for connector in model.site.connectors:
        loads = on.get(connector.id, [])
        rows = [powers[u] for u in loads]
        kw = tuple(map(sum, zip(*rows, strict=True))) if rows else (0.0,) * model.slots
        runs = sorted(run for u in loads for run in _runs(model, u, powers[u], site, short))
        segments = _segments(times, _with_free(runs, model.slots))
        plans.append(ConnectorPlan(connector.id, model.site.id, kw, segments))
    return tuple(plans)


def _runs(model: SiteModel, u: int, row: list[float], site: _Site, short: set[str]) -> list[Run]:
    """Runs of equal power and reason for load u: a car over the horizon, a session its stay.

    Walks back from the horizon end, so it knows whether the load charges later.
    """
    load = model.loads[u]
    vehicle = load.kind == "vehicle"
    charging = Reason.CHEAPEST if vehicle else Reason.PUBLIC
    due = _next_deadline(model, u)
    max_kw, pv_covers, at_limit = load.max_kw, site.pv_covers, site.at_limit
    runs: list[Run] = []
    next_on = len(row)  # first slot after t with power planned
    for t in range(len(row) - 1, -1, -1):
        kw, hi = row[t], max_kw[t]
        slot, ref = due[t]
        if hi <= 0:
            if not vehicle:
                continue  # not a session's slot: the connector is free or someone else's
            reason, ref = Reason.AWAY, None
        elif kw > EPS:
            if pv_covers[t]:
                reason = Reason.PV
            elif at_limit[t] and kw < hi - EPS:
                reason = Reason.SITE_LIMIT
            else:
                reason = Reason.SHORT if ref in short else charging
            next_on = t
        elif at_limit[t]:
            reason = Reason.SITE_LIMIT
        else:
            reason = Reason.WAITING if next_on < slot else Reason.DONE
        last = runs[-1] if runs else None
        if (
            last
            and last[0] == t + 1
            and last[3] is reason
            and last[4] == ref
            and abs(last[2] - kw) <= EPS
        ):
            runs[-1] = (t, last[1], last[2], reason, ref)
        else:
            runs.append((t, t + 1, kw, reason, ref))
    return runs


def _next_deadline(model: SiteModel, u: int) -> list[tuple[int, str | None]]:
    """For each slot, the next departure (slot, id) load u's energy is for."""
    load = model.loads[u]
    if load.kind == "session":
        return [(load.caps[0][0], load.id)] * model.slots
    timeline = next(v for v in model.vehicles if v.load == u)
    out: list[tuple[int, str | None]] = []
    ahead = list(timeline.departures)
    for t in range(model.slots):
        while ahead and ahead[0].slot <= t:
            ahead.pop(0)
        out.append((ahead[0].slot, ahead[0].booking_id) if ahead else (model.slots, None))
    return out


def _with_free(runs: list[Run], slots: int) -> list[Run]:
    """Sorted runs with FREE runs filling the gaps between them."""
    out: list[Run] = []
    at = 0
    for run in runs:
        if run[0] > at:
            out.append((at, run[0], 0.0, Reason.FREE, None))
        out.append(run)
        at = run[1]
    if at < slots:
        out.append((at, slots, 0.0, Reason.FREE, None))
    return out


def _segments(times: list[datetime], runs: list[Run]) -> tuple[Segment, ...]:
    """Runs as timed segments (times: the start of every slot and the horizon end)."""
    return tuple(Segment(times[a], times[b], kw, reason, ref) for a, b, kw, reason, ref in runs)
