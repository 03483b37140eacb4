"""Hand-checkable plans: cheapest hours, site and phase limits, PV first, shortfalls."""

from dataclasses import replace
from datetime import timedelta

import pytest

from energy import Connector, PlannerConfig, PublicSession, Reason, plan
from energy.model import SLOT_H
from tests.unit.energy.factories import T0, at, car, problem, series, site, tou, trip

LP = PlannerConfig()
GREEDY = PlannerConfig(use_solver=False)
BOTH = pytest.mark.parametrize("config", [LP, GREEDY], ids=["lp", "greedy"])


def energy(kw) -> float:
    return sum(kw) * SLOT_H


@BOTH
def test_one_car_charges_only_in_the_cheapest_hours(config):
    # 8 kWh in a 40 kWh battery, leaves at 12:00 for 80%: needs 24 kWh; 06:00-09:00 is cheap
    p = plan(
        problem(site(price=tou(24, 36)), [car(soc=0.2)], [trip(1, 0, 12, 14, target_soc=0.8)]),
        config,
    )
    kw = p.connectors[0].kw
    assert energy(kw) == pytest.approx(24.0)
    assert all(kw[t] == 0 for t in range(96) if not 24 <= t < 36)
    assert p.sites[0].cost_eur == pytest.approx(2.40)
    assert p.short_bookings == ()
    assert p.sites[0].method == ("lp" if config.use_solver else "greedy")


@BOTH
def test_binding_site_limit_is_never_exceeded_and_fills_the_cheap_hours(config):
    # three cars need 15 kWh each by 04:00 on a 20 kW site; 01:00-02:00 is cheap
    cars = [car(i, soc=0.5, kw=22.0) for i in range(3)]
    bookings = [trip(i, i, 4, 6, target_soc=0.875) for i in range(3)]
    p = plan(problem(site(limit=20.0, n=3, kw=22.0, price=tou(4, 8)), cars, bookings), config)
    load = p.sites[0].load_kw
    assert max(load) <= 20.0
    assert all(load[t] == pytest.approx(20.0) for t in range(4, 8))  # the cheap hour is full
    assert energy(load) == pytest.approx(45.0)
    assert p.short_bookings == ()


@BOTH
def test_pv_is_used_first(config):
    # flat price, 6 kW of PV 10:00-12:00 (12 kWh free); the car needs 10 kWh by 14:00
    pv = series([6.0 if 40 <= t < 48 else 0.0 for t in range(96)])
    p = plan(problem(site(pv_kw=pv), [car(soc=0.5)], [trip(1, 0, 14, 15, target_soc=0.75)]), config)
    kw = p.connectors[0].kw
    assert all(kw[t] == 0 for t in range(96) if not 40 <= t < 48)
    assert max(p.sites[0].grid_kw[:56]) == 0.0
    assert p.sites[0].cost_eur == pytest.approx(0.0)
    assert {s.reason for s in p.connectors[0].segments if s.kw > 0} == {Reason.PV}


@BOTH
def test_pv_surplus_is_stored_in_cars_without_bookings(config):
    pv = series([4.0 if 40 <= t < 44 else 0.0 for t in range(96)])
    p = plan(problem(site(pv_kw=pv), [car(soc=0.5)], []), config)
    assert energy(p.connectors[0].kw) == pytest.approx(4.0)
    assert p.sites[0].cost_eur == pytest.approx(0.0)


@BOTH
def test_impossible_booking_is_flagged_with_its_shortfall(config):
    # 4 kWh on board, leaves in 1 h wanting 90% of 40 kWh: 11 kW x 1 h = 11 kWh, 21 kWh short
    p = plan(problem(site(), [car(soc=0.1)], [trip(1, 0, 1, 3, target_soc=0.9)]), config)
    (short,) = p.short_bookings
    assert short.booking_id == "b1"
    assert short.shortfall_kwh == pytest.approx(21.0)
    assert short.expected_soc == pytest.approx(15 / 40)
    reasons = {s.reason for s in p.connectors[0].segments if s.end <= at(1)}
    assert reasons == {Reason.SHORT}


@BOTH
def test_site_limit_sets_the_shortfall(config):
    p = plan(problem(site(limit=7.0), [car(soc=0.1)], [trip(1, 0, 1, 3, target_soc=0.9)]), config)
    assert p.short_bookings[0].shortfall_kwh == pytest.approx(25.0)
    assert max(p.sites[0].load_kw) <= 7.0


@BOTH
def test_shortfall_when_two_cars_compete_is_exactly_the_missing_energy(config):
    # 11 kW site for 2 h = 22 kWh, the cars need 20 + 10 kWh: 8 kWh short in total
    cars = [car(0, soc=0.0), car(1, soc=0.0)]
    bookings = [trip(0, 0, 2, 3, target_soc=0.5), trip(1, 1, 2, 3, target_soc=0.25)]
    p = plan(problem(site(limit=11.0, n=2), cars, bookings), config)
    assert sum(b.shortfall_kwh for b in p.bookings) == pytest.approx(8.0)


def test_earlier_departure_is_served_before_a_later_one():
    # the 01:00 car and the 02:00 car share 11 kW: the earlier one is met, the later one short
    cars = [car(0, soc=0.0), car(1, soc=0.0)]
    bookings = [trip(0, 0, 1, 3, target_soc=0.25), trip(1, 1, 2, 3, target_soc=0.5)]
    p = plan(problem(site(limit=11.0, n=2), cars, bookings), LP)
    outcome = {b.booking_id: b for b in p.bookings}
    assert not outcome["b0"].short
    assert outcome["b1"].shortfall_kwh == pytest.approx(8.0)


@BOTH
def test_phase_limit_with_single_phase_connectors(config):
    # 16 A per phase = 3.68 kW; two single-phase cars on L1 and a three-phase car
    connectors = (
        Connector("c0", 7.4, phases=1, line=1),
        Connector("c1", 7.4, phases=1, line=1),
        Connector("c2", 11.0),
    )
    s = replace(site(n=0), connectors=connectors, phase_limit_a=16.0)
    cars = [car(i, soc=0.0) for i in range(3)]
    p = plan(problem(s, cars, [trip(i, i, 4, 5, target_soc=1.0) for i in range(3)]), config)
    c0, c1, c2 = (c.kw for c in p.connectors)
    for t in range(96):
        assert c0[t] + c1[t] + c2[t] / 3 <= 3.68 + 1e-9
        assert c2[t] / 3 <= 3.68 + 1e-9
    # every car is short, so L1 is used to its limit
    assert max(a + b + c / 3 for a, b, c in zip(c0, c1, c2, strict=True)) == pytest.approx(3.68)


@BOTH
def test_dynamic_limit_is_respected(config):
    limit = series([0.0 if t < 8 else 5.0 for t in range(96)])
    p = plan(
        problem(site(limit_kw=limit), [car(soc=0.0)], [trip(1, 0, 6, 7, target_soc=0.5)]), config
    )
    load = p.sites[0].load_kw
    assert all(x == 0 for x in load[:8])
    assert max(load) <= 5.0
    assert p.short_bookings == ()


@BOTH
def test_booking_comes_before_a_public_session(config):
    s = site(limit=11.0, n=2)
    session = PublicSession("p1", "s", "c1", T0, at(2), energy_kwh=20.0, max_kw=11.0)
    p = plan(problem(s, [car(soc=0.0)], [trip(1, 0, 2, 3, target_soc=0.5)], [session]), config)
    assert p.short_bookings == ()
    assert p.sessions[0].planned_kwh == pytest.approx(2.0)
    assert p.sessions[0].unmet_kwh == pytest.approx(18.0)


@BOTH
def test_public_sessions_share_a_tight_site(config):
    # 5 kW for 2 h = 10 kWh for two sessions asking 10 kWh each: neither is starved
    sessions = [
        PublicSession(f"p{i}", "s", f"c{i}", T0, at(2), energy_kwh=10.0, max_kw=11.0)
        for i in range(2)
    ]
    p = plan(problem(site(limit=5.0, n=2), [], [], sessions), config)
    planned = [x.planned_kwh for x in p.sessions]
    assert sum(planned) == pytest.approx(10.0)
    assert min(planned) >= 10 / 3 - 1e-6


@BOTH
def test_car_on_a_trip_charges_only_after_it_is_back(config):
    # left at 23:00 with 80% (32 kWh), 20 kWh trip, back 02:00 with 12 kWh; leaves 05:00 at 90%
    away = car(soc=0.8, plugged_in=False)
    bookings = [trip(1, 0, -1, 2, energy_kwh=20.0), trip(2, 0, 5, 6, target_soc=0.9)]
    p = plan(problem(site(kw=22.0), [replace(away, max_kw=22.0)], bookings), config)
    kw = p.connectors[0].kw
    assert all(x == 0 for x in kw[:8])
    assert energy(kw[8:20]) == pytest.approx(36.0 - 12.0)
    assert p.short_bookings == ()
    assert {s.reason for s in p.connectors[0].segments if s.end <= at(2)} == {Reason.AWAY}


@BOTH
def test_overdue_car_is_not_planned_before_its_grace(config):
    late = car(soc=0.5, plugged_in=False)
    p = plan(problem(site(), [late], [trip(1, 0, -3, -1, energy_kwh=5.0)]), config)
    assert p.connectors[0].kw[0] == 0.0


def test_reasons_explain_waiting_charging_done_and_away():
    p = plan(problem(site(price=tou(24, 36)), [car(soc=0.2)], [trip(1, 0, 12, 14, target_soc=0.8)]))
    segments = p.connectors[0].segments
    assert segments[0].reason is Reason.WAITING and segments[0].serves == "b1"
    assert segments[0].start == T0 and segments[0].end == at(6)
    charging = [s for s in segments if s.kw > 0]
    assert {s.reason for s in charging} == {Reason.CHEAPEST}
    assert {s.serves for s in charging} == {"b1"}
    assert any(s.reason is Reason.DONE for s in segments if at(9) <= s.start < at(12))
    assert [s.reason for s in segments if at(12) <= s.start < at(14)] == [Reason.AWAY]


def test_one_connector_cannot_hold_two_loads_at_once():
    session = PublicSession("p1", "s", "c0", T0, at(2), energy_kwh=5.0)
    with pytest.raises(ValueError, match="overlap"):
        plan(problem(site(), [car()], [], [session]))


def test_booking_without_distance_uses_the_default_trip_with_margin():
    # 40 km x 18 kWh/100 km x 1.15 = 8.28 kWh = 20.7% of 40 kWh, plus the 10% reserve
    p = plan(problem(site(), [car(soc=0.0)], [trip(1, 0, 10, 12)]))
    assert p.bookings[0].target_soc == pytest.approx(0.307)
    assert p.bookings[0].expected_soc == pytest.approx(0.307)


@BOTH
def test_standby_brings_an_idle_car_up_soon_even_at_a_higher_price(config):
    # 8 kWh on board, no booking; standby 50% (20 kWh) within 2 h although 06:00 is cheaper
    config = replace(config, standby_soc=0.5, standby_within=timedelta(hours=2))
    p = plan(problem(site(price=tou(24, 36)), [car(soc=0.2)], []), config)
    kw = p.connectors[0].kw
    assert energy(kw[:8]) == pytest.approx(12.0)
    assert energy(kw[8:]) == pytest.approx(0.0)


@BOTH
def test_standby_gives_way_to_a_booking(config):
    # 11 kW site: car 0 must take 11 kWh in the first hour, car 1 only wants its standby
    config = replace(config, standby_soc=0.8, standby_within=timedelta(hours=1))
    cars = [car(0, soc=0.0), car(1, soc=0.0)]
    p = plan(problem(site(limit=11.0, n=2), cars, [trip(0, 0, 1, 3, target_soc=0.275)]), config)
    assert p.short_bookings == ()
    assert energy(p.connectors[1].kw[:4]) == pytest.approx(0.0)


@BOTH
def test_return_margin_plans_a_car_back_later(config):
    config = replace(config, return_margin=timedelta(minutes=30))
    away = car(soc=0.8, plugged_in=False)
    bookings = [trip(1, 0, -1, 2, energy_kwh=20.0), trip(2, 0, 5, 6, target_soc=0.9)]
    p = plan(problem(site(), [away], bookings), config)
    assert all(x == 0 for x in p.connectors[0].kw[:10])
    assert p.short_bookings == ()


@BOTH
def test_session_without_a_request_takes_what_it_can(config):
    session = PublicSession("p1", "s", "c0", T0, at(1), energy_kwh=None, max_kw=7.0)
    p = plan(problem(site(), [], [], [session]), config)
    assert p.sessions[0].requested_kwh == pytest.approx(7.0)
    assert p.sessions[0].planned_kwh == pytest.approx(7.0)
