"""Expected SoC at a time, the 'can this booking be served' check, and the greedy fallback."""

import pytest

from energy import PlannerConfig, Trip, VehiclePlan, can_serve, expected_soc, plan, soc_at
from energy import lp as lp_module
from tests.unit.energy.factories import T0, at, car, problem, site, tou, trip


def test_soc_at_interpolates_charging_and_drains_during_trips():
    # 20 kWh on board, 4 kW in the first two slots, then a 10 kWh trip from 01:00 to 02:00
    vehicle = VehiclePlan(
        vehicle_id="v0",
        site_id="s",
        connector_id="c0",
        start=T0,
        capacity_kwh=40.0,
        efficiency=1.0,
        start_kwh=20.0,
        kw=(4.0, 4.0) + (0.0,) * 94,
        trips=(Trip("b1", at(1), at(2), 10.0),),
    )
    assert soc_at(vehicle, T0) == pytest.approx(0.5)
    assert soc_at(vehicle, at(0.125)) == pytest.approx(20.5 / 40)
    assert soc_at(vehicle, at(0.5)) == pytest.approx(22 / 40)
    assert soc_at(vehicle, at(1.5)) == pytest.approx(17 / 40)
    assert soc_at(vehicle, at(3)) == pytest.approx(12 / 40)
    with pytest.raises(ValueError):
        soc_at(vehicle, at(-1))


def test_expected_soc_matches_the_plan_at_departure_and_after_the_trip():
    p = plan(
        problem(site(price=tou(24, 36)), [car(soc=0.2)], [trip(1, 0, 12, 14, energy_kwh=10.0)])
    )
    (outcome,) = p.bookings
    assert expected_soc(p, "v0", at(12)) == pytest.approx(outcome.expected_soc)
    assert expected_soc(p, "v0", at(6)) == pytest.approx(0.2)
    assert expected_soc(p, "v0", at(14)) == pytest.approx(outcome.expected_soc - 10 / 40)


def _two_cars(limit: float = 11.0):
    # car 0 leaves at 03:00 needing 22 kWh: fine alone on 11 kW (33 kWh possible)
    return problem(
        site(limit=limit, n=2),
        [car(0, soc=0.0), car(1, soc=0.0)],
        [trip(0, 0, 3, 4, target_soc=0.55)],
    )


def test_can_serve_a_booking_that_fits():
    check = can_serve(_two_cars(), trip(9, 1, 2, 4, energy_kwh=2.0, target_soc=0.125))
    assert check.ok
    assert check.shortfall_kwh == 0
    assert check.newly_short == ()
    assert check.expected_soc == pytest.approx(0.125)


def test_cannot_serve_a_booking_that_would_leave_another_short():
    # car 1 wants 20 kWh by 02:00: together 42 kWh by 03:00 on an 11 kW site (33 kWh)
    check = can_serve(_two_cars(), trip(9, 1, 2, 4, target_soc=0.5))
    assert not check.ok
    assert check.newly_short == ("b0",)


def test_can_serve_reaches_past_the_configured_horizon():
    config = PlannerConfig(slots=8)
    check = can_serve(_two_cars(limit=50.0), trip(9, 1, 20, 22, target_soc=0.5), config)
    assert check.ok


def test_greedy_is_used_when_the_solver_is_disabled():
    p = plan(problem(site(), [car()], [trip(1, 0, 5, 6)]), PlannerConfig(use_solver=False))
    assert (p.sites[0].method, p.sites[0].note) == ("greedy", "solver disabled")
    assert p.short_bookings == ()


def test_greedy_is_used_when_the_solver_times_out():
    p = plan(problem(site(), [car()], [trip(1, 0, 5, 6)]), PlannerConfig(time_limit_s=0.0))
    assert p.sites[0].method == "greedy"
    assert "time limit" in p.sites[0].note.lower()
    assert p.short_bookings == ()


def test_greedy_is_used_when_highspy_is_missing(monkeypatch):
    monkeypatch.setattr(lp_module, "highspy", None)
    p = plan(problem(site(), [car()], [trip(1, 0, 5, 6)]))
    assert (p.sites[0].method, p.sites[0].note) == ("greedy", "highspy is not installed")


def test_replanning_one_site_merges_into_the_plan():
    p = plan(problem(site(), [car()], [trip(1, 0, 5, 6)]))
    again = plan(problem(site(), [car(soc=0.9)], []))
    merged = p.with_site(again.sites[0])
    assert merged.bookings == ()
    assert merged.site("s") is again.sites[0]


def test_parallel_workers_give_the_same_plan():
    one = problem(site(), [car()], [trip(1, 0, 5, 6)])
    assert plan(one, PlannerConfig(workers=2)).bookings == plan(one).bookings


def test_greedy_is_used_when_the_solver_fails(monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(lp_module, "_run", broken)
    p = plan(problem(site(), [car()], [trip(1, 0, 5, 6)]))
    assert (p.sites[0].method, p.sites[0].note) == ("greedy", "solver failed: boom")
    assert p.short_bookings == ()
