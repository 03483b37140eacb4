"""The smart-charging LP of one site: every variable, constraint and objective term, top-down.

One site, slots t = 0..T-1 of 15 minutes (dt = 0.25 h). A "load" u is a shared car on its
bay or a public session on a public connector (see energy.timeline).

Variables
  p[u,t]    kW drawn by load u in slot t; 0 <= p <= its max (connector and car limit),
            and no variable at all while the car is away or the session is not there.
  g[t]      kW imported from the grid in slot t, >= 0; only where PV may cover part of the
            load: elsewhere the import is the load itself, and its price goes on p[u,t].
  peak      kW, the highest grid import of the horizon, at most the highest site limit.
  short[k]  kWh a car is short of its target at departure k (or of its standby SoC), >= 0.
  unmet[s]  kWh a public session goes without, in three tranches of a third of its request.

Constraints
  1. Site limit (hard): sum_u p[u,t] <= limit[t] in every slot, limit = the lower of the grid
     connection and the dynamic limit. PV does not raise it: a wrong forecast must never
     overload the connection. With single-phase connectors each phase also has its own limit:
     sum_u share[u,phase] * p[u,t] <= phase limit.
  2. Grid import and peak: where PV may cover part of the load, g[t] >= sum_u p[u,t] - pv[t]
     (PV is used first, its surplus is not bought; with a negative price also g[t] <= load)
     and peak >= g[t]. Elsewhere the import is the load: sum_u p[u,t] <= peak, which is also
     row 1 there when limit[t] is the highest limit (one row instead of two: faster).
  3. Departures: need[k] <= dt * sum_{t < d_k} p[u,t] + short[k] <= headroom[k]: by departure
     k the car has drawn what it needs to leave with its target SoC given the trips before
     (grid kWh), and never more than fits in the battery. Same for the horizon end, without
     a need. A public session: dt * sum_{t < departure} p[s,t] + unmet[s] = its request.
     Standby (optional): a car back on its bay has what it needs for the standby SoC within
     standby_within, or a penalised slack.

Objective (minimise, EUR); the weights make it lexicographic in practice:
  1000-2000 EUR/kWh * short    every booking leaves with its target first (earlier count more)
  + 5/10/15 EUR/kWh * unmet    then public sessions, dearer per tranche so they share fairly
  + 1 EUR/kWh * standby short  then (if set) idle cars at a standby SoC for walk-up bookings
  + price[t] * dt * g[t]       then the energy bill; PV is free, so it is used first
  + 0.005 EUR/kW * peak        then the highest import: smooths peaks among equal costs
  - 0.002 EUR/kWh into cars    soaks up PV surplus that would otherwise be lost (below any price)
  + 1e-5 EUR/kWh per slot      among equal prices charge earlier: robust to late surprises
(values are PlannerConfig defaults). If the solver is missing, fails or hits its time limit,
`solve` returns None and the planner uses the greedy plan (energy.greedy) instead.
"""

from __future__ import annotations

from types import ModuleType

from energy.model import SLOT_H, PlannerConfig
from energy.timeline import SiteModel

highspy: ModuleType | None
try:
    import highspy as _highspy

    highspy = _highspy
except ImportError:  # pragma: no cover - the greedy planner takes over
    highspy = None

INF = 1e30  # HiGHS treats anything >= 1e20 as infinite


class _Lp:
    """Columns and row-wise constraints being assembled for HiGHS."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.starts: list[int] = [0]
        self.index: list[int] = []
        self.value: list[float] = []

    def column(self, cost: float, upper: float = INF) -> int:
        """Add a variable >= 0 and return its index."""
        self.cost.append(cost)
        self.lower.append(0.0)
        self.upper.append(upper)
        return len(self.cost) - 1

    def row(self, cols: list[int], coefs: list[float], lower: float, upper: float) -> None:
        """Add lower <= sum coefs * cols <= upper."""
        self.index.extend(cols)
        self.value.extend(coefs)
        self.starts.append(len(self.index))
        self.row_lower.append(lower)
        self.row_upper.append(upper)


def solve(model: SiteModel, config: PlannerConfig) -> tuple[list[list[float]] | None, str]:
    """Optimal kW per load and slot, or None and why (solver missing, failed, too slow)."""
    if highspy is None:
        return None, "highspy is not installed"
    lp = _Lp()
    p = _power(lp, model, config)
    in_slot = [[row[t] for row in p if row[t] >= 0] for t in range(model.slots)]
    peak = lp.column(config.peak_eur_kw, max(model.limit, default=0.0))
    _site_limit(lp, model, p, in_slot, peak)  # 1
    _grid_import(lp, model, in_slot, peak)  # 2
    _departures(lp, model, p)  # 3
    try:
        return _run(lp, p, config)
    except Exception as exc:  # any solver failure: the greedy plan is the answer
        return None, f"solver failed: {exc}"


def _power(lp: _Lp, model: SiteModel, config: PlannerConfig) -> list[list[int]]:
    """p[u,t] columns (-1 where the load is absent): tie-breaks, and the price without PV."""
    cols = []
    tie = config.earlier_eur_kwh_slot
    # with PV, g[t] carries the price instead
    price = [0.0 if pv > 0 else x for x, pv in zip(model.price, model.pv, strict=True)]
    for load in model.loads:
        store = config.pv_store_eur_kwh * load.efficiency if load.kind == "vehicle" else 0.0
        present = [t for t, hi in enumerate(load.max_kw) if hi > 0]
        row = [-1] * model.slots
        for i, t in enumerate(present, start=len(lp.cost)):
            row[t] = i
        # the columns in bulk (one lp.column call each is measurably slower at scale)
        lp.cost.extend((price[t] + tie * t - store) * SLOT_H for t in present)
        lp.lower.extend([0.0] * len(present))
        lp.upper.extend(load.max_kw[t] for t in present)
        cols.append(row)
    return cols


def _site_limit(
    lp: _Lp, model: SiteModel, p: list[list[int]], in_slot: list[list[int]], peak: int
) -> None:
    """1. Total power, and each phase's power, within the site limit in every slot."""
    for t, cols in enumerate(in_slot):
        if not cols:
            continue
        if model.pv[t] > 0 or model.limit[t] < lp.upper[peak]:  # else row 2 does it
            lp.row(cols, [1.0] * len(cols), -INF, model.limit[t])
        if model.phase_kw is not None:
            for phase in range(3):
                pairs = [
                    (row[t], load.shares[phase])
                    for row, load in zip(p, model.loads, strict=True)
                    if row[t] >= 0 and load.shares[phase] > 0
                ]
                if pairs:
                    lp.row([c for c, _ in pairs], [s for _, s in pairs], -INF, model.phase_kw)


def _grid_import(lp: _Lp, model: SiteModel, in_slot: list[list[int]], peak: int) -> None:
    """2. g[t] >= load - pv[t] and peak >= g[t] with PV; load <= peak without."""
    for t, cols in enumerate(in_slot):
        if not cols:
            continue
        if model.pv[t] <= 0:
            lp.row([*cols, peak], [1.0] * len(cols) + [-1.0], -INF, 0.0)
            continue
        g = lp.column(model.price[t] * SLOT_H)
        # a negative price would pay for importing nothing: cap g at the load there
        upper = 0.0 if model.price[t] < 0 else INF
        lp.row([g, *cols], [1.0] + [-1.0] * len(cols), -model.pv[t], upper)
        lp.row([peak, g], [1.0, -1.0], 0.0, INF)


def _departures(lp: _Lp, model: SiteModel, p: list[list[int]]) -> None:
    """3. Energy drawn before each deadline covers its need (or a penalised slack) and fits."""
    for load, row in zip(model.loads, p, strict=True):
        caps: dict[int, float] = {}
        for slot, most in load.caps:  # a departure right at the horizon end shares its slot
            caps[slot] = min(most, caps.get(slot, INF))
        for k in load.deadlines:
            cols = [c for c in row[: k.slot] if c >= 0]
            if k.kind == "session":  # tranches at 1x, 2x, 3x: sessions go without evenly
                slack = [lp.column(k.weight * n, k.need_kwh / 3) for n in (1, 2, 3)]
            else:
                slack = [lp.column(k.weight, k.need_kwh)]
            most = max(k.need_kwh, caps.pop(k.slot, INF))
            lp.row(cols + slack, [SLOT_H] * len(cols) + [1.0] * len(slack), k.need_kwh, most)
        for slot, most in caps.items():  # battery caps where nothing is due
            if SLOT_H * sum(load.max_kw[:slot]) <= most:
                continue  # can never bind: leave it out, a smaller LP solves faster
            cols = [c for c in row[:slot] if c >= 0]
            lp.row(cols, [SLOT_H] * len(cols), -INF, max(0.0, most))


def _run(
    lp: _Lp, p: list[list[int]], config: PlannerConfig
) -> tuple[list[list[float]] | None, str]:
    """Hand the LP to HiGHS and read p back, or None with the reason."""
    assert highspy is not None
    # the bare binding: highspy.Highs adds Python callbacks and a class-wide lock that
    # serialise solves in parallel threads
    h = getattr(highspy, "_Highs", highspy.Highs)()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(config.time_limit_s))
    h.setOptionValue("threads", 1)  # sites run in parallel instead
    h.setOptionValue("presolve", "off")  # small LPs: presolve costs more than it saves
    h.setOptionValue("simplex_dual_edge_weight_strategy", 1)  # Devex: ~10% faster here
    h.passModel(_highs_lp(lp))
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return None, f"solver: {h.modelStatusToString(status)}"
    values = h.getSolution().col_value
    powers = [[max(0.0, values[c]) if c >= 0 else 0.0 for c in row] for row in p]
    return powers, "optimal"


def _highs_lp(lp: _Lp) -> object:
    """The assembled LP as a HiGHS row-wise model."""
    assert highspy is not None
    model = highspy.HighsLp()
    model.num_col_ = len(lp.cost)
    model.num_row_ = len(lp.row_lower)
    model.col_cost_ = lp.cost
    model.col_lower_ = lp.lower
    model.col_upper_ = lp.upper
    model.row_lower_ = lp.row_lower
    model.row_upper_ = lp.row_upper
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.num_col_ = len(lp.cost)
    model.a_matrix_.num_row_ = len(lp.row_lower)
    model.a_matrix_.start_ = lp.starts
    model.a_matrix_.index_ = lp.index
    model.a_matrix_.value_ = lp.value
    return model
