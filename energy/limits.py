"""Safety net: clip a plan to its hard limits exactly (solver answers carry float noise)."""

from __future__ import annotations

import math

from energy.model import SLOT_H
from energy.timeline import SiteModel

RESOLUTION = 1e-6  # kW: less is solver noise; cuts round down to it


def within_limits(model: SiteModel, powers: list[list[float]]) -> list[list[float]]:
    """Powers clipped to connector, battery, site and phase limits (noise below 1 mW dropped)."""
    out = [
        [
            hi if kw > hi else (kw if kw > RESOLUTION else 0.0)
            for kw, hi in zip(row, load.max_kw, strict=True)
        ]
        for row, load in zip(powers, model.loads, strict=True)
    ]
    for row, load in zip(out, model.loads, strict=True):
        for slot, most in load.caps:
            _trim_energy(row, slot, max(0.0, most))
    totals = [sum(col) for col in zip(*out, strict=True)] if out else []
    for t, total in enumerate(totals):
        if total > model.limit[t]:
            _scale(out, t, [1.0] * len(out), model.limit[t])
        if model.phase_kw is not None:
            for phase in range(3):
                shares = [load.shares[phase] for load in model.loads]
                _scale(out, t, shares, model.phase_kw)
    return out


def _down(kw: float) -> float:
    """kw rounded down to the resolution, never above kw even after float rounding."""
    steps = math.floor(kw / RESOLUTION)
    while steps > 0 and steps * RESOLUTION > kw:
        steps -= 1
    return max(0.0, steps * RESOLUTION)


def _trim_energy(row: list[float], slot: int, most_kwh: float) -> None:
    """Take energy off the latest slots before `slot` until at most most_kwh is drawn."""
    excess = sum(row[:slot]) * SLOT_H - most_kwh
    for t in range(slot - 1, -1, -1):
        if excess <= 0:
            return
        cut = min(row[t], excess / SLOT_H)
        row[t] = max(0.0, _down(row[t] - cut))
        excess -= cut


def _scale(out: list[list[float]], t: int, shares: list[float], limit: float) -> None:
    """Scale slot t down proportionally if its weighted total is over the limit."""
    total = sum(share * row[t] for share, row in zip(shares, out, strict=True))
    if total <= limit:
        return
    factor = limit / total
    for share, row in zip(shares, out, strict=True):
        if share > 0:
            row[t] = _down(row[t] * factor)
    # rounding may still leave a hair over: take it off the largest load
    while (over := sum(s * row[t] for s, row in zip(shares, out, strict=True)) - limit) > 0:
        share, row = max(
            ((s, r) for s, r in zip(shares, out, strict=True) if s > 0), key=lambda x: x[1][t]
        )
        row[t] = _down(max(0.0, row[t] - over / share - RESOLUTION))
