"""Properties of any plan, LP or greedy: hard limits hold, batteries never overfill,
requests are never exceeded, and targets that can be met are met."""

from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from energy import (
    Booking,
    Connector,
    Plan,
    PlannerConfig,
    Problem,
    PublicSession,
    Series,
    Site,
    Vehicle,
    plan,
)
from energy.model import SLOT, SLOT_H
from tests.unit.energy.factories import T0

SLOTS = 32  # 8 hours keeps each example quick
LP = PlannerConfig(slots=SLOTS)
GREEDY = PlannerConfig(slots=SLOTS, use_solver=False)
HEDGED = [replace(c, standby_soc=0.7, return_margin=timedelta(minutes=30)) for c in (LP, GREEDY)]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

kw = st.floats(1.0, 50.0)
slot = st.integers(-8, SLOTS + 4)


@st.composite
def connectors(draw):
    n = draw(st.integers(1, 5))
    out = []
    for i in range(n):
        phases = draw(st.sampled_from([1, 3]))
        out.append(Connector(f"c{i}", draw(kw), phases, draw(st.integers(1, 3))))
    return tuple(out)


@st.composite
def bookings_for(draw, vehicle_id):
    """Up to three non-overlapping trips on the 15-minute grid, some already started."""
    out, t = [], draw(st.integers(-6, 10))
    for k in range(draw(st.integers(0, 3))):
        length = draw(st.integers(1, 8))
        energy = draw(st.one_of(st.none(), st.floats(0.0, 40.0)))
        target = draw(st.one_of(st.none(), st.floats(0.0, 1.0)))
        distance = draw(st.floats(0.0, 200.0))
        out.append(
            Booking(
                f"{vehicle_id}b{k}",
                vehicle_id,
                T0 + t * SLOT,
                T0 + (t + length) * SLOT,
                distance,
                energy,
                target,
            )
        )
        t += length + draw(st.integers(0, 10))
    return out


@st.composite
def problems(draw, generous=False):
    cons = draw(connectors())
    price = Series(T0, tuple(draw(st.lists(st.floats(-0.05, 0.6), min_size=SLOTS, max_size=SLOTS))))
    pv = draw(st.one_of(st.none(), st.lists(st.floats(0.0, 40.0), min_size=SLOTS, max_size=SLOTS)))
    if generous:
        cons = tuple(replace(c, phases=3) for c in cons)
        site = Site("s", sum(c.max_kw for c in cons), cons, price)
    else:
        dynamic = draw(
            st.one_of(st.none(), st.lists(st.floats(0.0, 60.0), min_size=SLOTS, max_size=SLOTS))
        )
        site = Site(
            "s",
            draw(st.floats(0.0, 80.0)),
            cons,
            price,
            pv_kw=None if pv is None else Series(T0, tuple(pv)),
            limit_kw=None if dynamic is None else Series(T0, tuple(dynamic)),
            phase_limit_a=draw(st.one_of(st.none(), st.floats(6.0, 63.0))),
        )
    vehicles, bookings, sessions = [], [], []
    for c in cons:
        if draw(st.booleans()):
            v = Vehicle(
                f"v{c.id}",
                "s",
                c.id,
                draw(st.floats(10.0, 90.0)),
                draw(st.floats(12.0, 25.0)),
                draw(st.floats(0.0, 1.0)),
                draw(kw),
                plugged_in=generous or draw(st.booleans()),
                efficiency=draw(st.floats(0.8, 1.0)),
            )
            vehicles.append(v)
            books = draw(bookings_for(v.id))
            bookings += [b for b in books if b.start >= T0] if generous else books
        elif draw(st.booleans()):
            a, stay = draw(slot), draw(st.integers(1, 20))
            sessions.append(
                PublicSession(
                    f"p{c.id}",
                    "s",
                    c.id,
                    T0 + a * SLOT,
                    T0 + (a + stay) * SLOT,
                    draw(st.one_of(st.none(), st.floats(0.0, 60.0))),
                    draw(kw),
                )
            )
    return Problem(T0, (site,), tuple(vehicles), tuple(bookings), tuple(sessions))


def check_hard_limits(problem: Problem, p: Plan) -> None:
    site = problem.sites[0]
    sp = p.sites[0]
    by_id = {c.connector_id: c.kw for c in sp.connectors}
    dynamic = site.limit_kw.window(T0, SLOTS) if site.limit_kw else [site.grid_limit_kw] * SLOTS
    for t in range(SLOTS):
        total = sum(kws[t] for kws in by_id.values())
        assert total <= min(site.grid_limit_kw, max(0.0, dynamic[t])) + 1e-9
        if site.phase_limit_a is not None:
            for line in (1, 2, 3):
                phase = sum(
                    by_id[c.id][t] * (1 / 3 if c.phases == 3 else float(c.line == line))
                    for c in site.connectors
                )
                assert phase <= site.phase_limit_a * site.voltage_v / 1000 + 1e-9
    for c in site.connectors:
        assert all(0.0 <= x <= c.max_kw for x in by_id[c.id])
    for v in problem.vehicles:
        assert all(x <= v.max_kw for x in p.vehicle(v.id).kw)


def check_batteries_and_requests(problem: Problem, p: Plan) -> None:
    for v in p.sites[0].vehicles:
        kwh = v.start_kwh
        for t in range(SLOTS):
            now = T0 + t * SLOT
            kwh -= sum(trip.kwh for trip in v.trips if now - SLOT < trip.start <= now)
            if t == 0:
                kwh -= sum(trip.kwh for trip in v.trips if trip.start <= now)
            kwh += v.efficiency * v.kw[t] * SLOT_H
            assert kwh <= v.capacity_kwh + 1e-6
    for s in p.sessions:
        assert s.planned_kwh <= s.requested_kwh + 1e-6


@SETTINGS
@given(problems(), st.sampled_from([LP, GREEDY, *HEDGED]))
def test_any_plan_keeps_every_hard_limit(problem, config):
    p = plan(problem, config)
    check_hard_limits(problem, p)
    check_batteries_and_requests(problem, p)


def _meetable(problem: Problem) -> set[str]:
    """Bookings met when each car charges at full power as soon as it can (no site limit)."""
    ok = set()
    for v in problem.vehicles:
        books = sorted((b for b in problem.bookings if b.vehicle_id == v.id), key=lambda b: b.start)
        kwh, t, hi = (
            v.soc * v.capacity_kwh,
            T0,
            min(v.max_kw, problem.sites[0].connectors[int(v.connector_id[1:])].max_kw),
        )
        for b in books:
            if b.start >= T0 + SLOTS * SLOT:
                break
            hours = max(0.0, (b.start - t) / timedelta(hours=1))
            kwh = min(v.capacity_kwh, kwh + v.efficiency * hi * hours)
            if kwh >= b.target_soc * v.capacity_kwh - 1e-6:
                ok.add(b.id)
            kwh -= b.energy_kwh
            t = b.end
    return ok


def _explicit(problem: Problem) -> Problem:
    """Bookings with explicit trip energy and target, so the test needs no trip model."""
    books = tuple(
        replace(
            b,
            energy_kwh=b.energy_kwh or 5.0,
            target_soc=0.5 if b.target_soc is None else b.target_soc,
        )
        for b in problem.bookings
    )
    return replace(problem, bookings=books)


@SETTINGS
@given(problems(generous=True), st.sampled_from([LP, GREEDY]))
def test_bookings_that_can_be_met_are_met(problem, config):
    problem = _explicit(problem)
    p = plan(problem, config)
    outcome = {b.booking_id: b for b in p.bookings}
    for booking_id in _meetable(problem):
        assert outcome[booking_id].shortfall_kwh <= 1e-3


@SETTINGS
@given(problems())
def test_lp_is_never_short_where_the_greedy_is_not(problem):
    greedy = plan(problem, GREEDY)
    if any(b.short for b in greedy.bookings):
        return
    assert all(not b.short for b in plan(problem, LP).bookings)
