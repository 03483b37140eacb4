"""Fast greedy planner, the fallback when the LP is unavailable, fails or is too slow.

Booking deadlines are served earliest first; each takes the energy it still needs from its
own cheapest free slots (PV surplus counts as free), never above the site or phase limit, the
connector or the battery. Public sessions then share what is left in four rounds of a
quarter of their request each, then standby targets, and cars finally soak up any PV left.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right

from energy.model import SLOT_H, PlannerConfig
from energy.timeline import Load, SiteModel

EPS = 1e-9


class _Battery:
    """How much more a load may draw before each of its caps (battery headroom, request)."""

    def __init__(self, load: Load, slots: int) -> None:
        self.slots = [slot for slot, _ in load.caps]
        self.left = [most for _, most in load.caps]
        # the first cap after slot t: energy drawn in slot t counts against it and later ones
        self.first = [bisect_right(self.slots, t) for t in range(slots)]
        self.suffix = self._suffix()

    def _suffix(self) -> list[float]:
        out = [float("inf")] * (len(self.left) + 1)
        for j in range(len(self.left) - 1, -1, -1):
            out[j] = min(self.left[j], out[j + 1])
        return out

    def kw(self, t: int) -> float:
        """The most this load may draw in slot t, as far as its caps go."""
        return self.suffix[self.first[t]] / SLOT_H

    def take(self, t: int, kw: float) -> None:
        """Book kw in slot t against every later cap."""
        for j in range(self.first[t], len(self.left)):
            self.left[j] -= kw * SLOT_H
        self.suffix = self._suffix()


class _State:
    """Powers planned so far and what each slot, phase and battery still has room for."""

    def __init__(self, model: SiteModel, config: PlannerConfig) -> None:
        self.model = model
        self.tie = config.earlier_eur_kwh_slot
        self.p = [[0.0] * model.slots for _ in model.loads]
        self.room = list(model.limit)
        phase = model.phase_kw
        self.phase_room = None if phase is None else [[phase] * model.slots for _ in range(3)]
        self.pv_left = list(model.pv)
        self.battery = [_Battery(load, model.slots) for load in model.loads]

    def key(self, t: int) -> float:
        """Marginal price of more power in slot t: zero while PV surplus remains."""
        price = 0.0 if self.pv_left[t] > EPS else self.model.price[t]
        return price + self.tie * t

    def headroom(self, u: int, t: int) -> float:
        """kW load u can still take in slot t: connector, site, phases and battery."""
        load = self.model.loads[u]
        kw = min(load.max_kw[t] - self.p[u][t], self.room[t], self.battery[u].kw(t))
        if self.phase_room is not None:
            for phase, share in enumerate(load.shares):
                if share > 0:
                    kw = min(kw, self.phase_room[phase][t] / share)
        return kw

    def add(self, u: int, t: int, kw: float) -> None:
        """Plan kw more for load u in slot t and book it everywhere."""
        self.p[u][t] += kw
        self.room[t] -= kw
        self.pv_left[t] -= kw
        if self.phase_room is not None:
            for phase, share in enumerate(self.model.loads[u].shares):
                self.phase_room[phase][t] -= share * kw
        self.battery[u].take(t, kw)

    def fill(self, u: int, before: int, kwh: float, pv_only: bool = False) -> None:
        """Give load u up to kwh more before slot `before`, cheapest slots first."""
        if kwh <= EPS:
            return  # often: an earlier deadline's charging already covers this one
        hi, mine, room, pv_left = self.model.loads[u].max_kw, self.p[u], self.room, self.pv_left
        price, tie = self.model.price, self.tie
        heap = [
            ((0.0 if pv_left[t] > EPS else price[t]) + tie * t, t)
            for t in range(before)
            if hi[t] - mine[t] > EPS and room[t] > EPS and (pv_left[t] > EPS or not pv_only)
        ]
        heapq.heapify(heap)
        while kwh > EPS and heap:
            key, t = heapq.heappop(heap)
            pv = pv_left[t] > EPS
            if (0.0 if pv else price[t]) + tie * t > key + EPS:  # PV ran out: re-queue
                if not pv_only:
                    heapq.heappush(heap, (price[t] + tie * t, t))
                continue
            kw = min(kwh / SLOT_H, self.headroom(u, t))
            if pv:
                kw = min(kw, pv_left[t])  # the free part first, the rest at the tariff later
            if kw <= EPS:
                continue
            self.add(u, t, kw)
            kwh -= kw * SLOT_H
            if not pv_only:
                heapq.heappush(heap, (self.key(t), t))

    def drawn_before(self, u: int, slot: int) -> float:
        """kWh load u is planned to draw before slot `slot`."""
        return sum(self.p[u][:slot]) * SLOT_H


def plan(model: SiteModel, config: PlannerConfig) -> list[list[float]]:
    """kW per load and slot: bookings earliest deadline first, sessions, standby, then PV."""
    state = _State(model, config)
    for slot, u, need in _due(model, "booking"):
        state.fill(u, slot, need - state.drawn_before(u, slot))
    sessions = _due(model, "session")
    for quarter in (1, 2, 3, 4):  # four rounds of a quarter of each request: a fair share
        for slot, u, need in sessions:
            state.fill(u, slot, need * quarter / 4 - state.drawn_before(u, slot))
    for slot, u, need in _due(model, "standby"):
        state.fill(u, slot, need - state.drawn_before(u, slot))
    if any(pv > EPS for pv in state.pv_left):
        for u, load in enumerate(model.loads):
            if load.kind == "vehicle":
                state.fill(u, model.slots, float("inf"), pv_only=True)
    return state.p


def _due(model: SiteModel, kind: str) -> list[tuple[int, int, float]]:
    """(slot, load, kWh) of every deadline of this kind, earliest first."""
    return sorted(
        (k.slot, u, k.need_kwh)
        for u, load in enumerate(model.loads)
        for k in load.deadlines
        if k.kind == kind
    )
