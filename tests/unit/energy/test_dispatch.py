"""A stored plan as schedules: TxProfile for sessions, TxDefault otherwise, under the limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from energy import Booking, Problem, plan_site
from energy.dispatch import DEFAULT_PROFILE_ID, TX_PROFILE_ID, periods, schedules
from energy.planner import soc_at
from energy.plot import HEIGHT, WIDTH, chart
from energy.store import plan_body, vehicle_plan
from mobility.charging_schedule import SchedulePeriod
from tests.unit.energy.factories import T0, at, car, site

NUMBERS = {"c0": 1, "c1": 2, "c2": 3}


def _body(load: list[float], limit: list[float], vehicles: tuple[str, ...] = ()) -> dict:
    return {
        "start": T0.isoformat(),
        "load_kw": load,
        "limit_kw": limit,
        "connectors": [
            {"id": key, "kw": load if key in vehicles else [0.0] * len(load)} for key in NUMBERS
        ],
        "vehicles": [{"connector_id": key} for key in vehicles],
    }


def test_periods_merge_equal_slots_and_round_down_to_whole_watts():
    assert periods([1.0, 1.0, 2.5005, 0.0]) == (
        SchedulePeriod(0, 1000),
        SchedulePeriod(1800, 2500),
        SchedulePeriod(2700, 0),
    )
    assert periods([]) == (SchedulePeriod(0, 0),)


def test_running_session_gets_a_tx_profile_parked_car_and_free_bays_a_default():
    body = _body([4.0, 8.0], [10.0, 10.0], vehicles=("c0",))
    out = schedules(body, NUMBERS, {"c1": "77"}, dict.fromkeys(NUMBERS, 11.0))
    assert out["c1"].purpose == "TxProfile" and out["c1"].transaction_ref == "77"
    assert out["c1"].profile_id == TX_PROFILE_ID + 2
    assert (
        out["c0"].purpose == "TxDefaultProfile" and out["c0"].profile_id == DEFAULT_PROFILE_ID + 1
    )
    assert out["c0"].periods == (SchedulePeriod(0, 4000), SchedulePeriod(900, 8000))
    # The one free connector may take what is left under the limit.
    assert out["c2"].periods == (SchedulePeriod(0, 6000), SchedulePeriod(900, 2000))


def test_only_steered_connectors_get_schedules():
    body = _body([0.0], [10.0])
    out = schedules(body, {"c0": 1}, {}, {"c0": 11.0})
    assert set(out) == {"c0"}


@given(
    st.lists(st.tuples(st.floats(0, 50), st.floats(0, 50)), min_size=1, max_size=12),
    st.integers(0, 3),
)
def test_free_bays_together_never_take_more_than_the_headroom(slots, parked):
    load = [min(a, b) for a, b in slots]
    limit = [max(a, b) for a, b in slots]
    vehicles = tuple(list(NUMBERS)[:parked])
    out = schedules(_body(load, limit, vehicles), NUMBERS, {}, dict.fromkeys(NUMBERS, 22.0))
    for t in range(len(load)):
        offset = t * 900
        free_w = sum(
            next(p.limit_w for p in reversed(out[key].periods) if p.start_s <= offset)
            for key in NUMBERS
            if key not in vehicles
        )
        assert free_w <= max(0.0, limit[t] - load[t]) * 1000 + 1e-6


def test_a_stored_plan_tells_the_same_soc_as_the_plan_itself():
    problem = Problem(
        T0,
        (site(limit=11, n=2),),
        (car(0, soc=0.2), car(1, soc=0.5)),
        (Booking("b0", "v0", at(6), at(8), distance_km=120),),
    )
    made = plan_site(problem, "s")
    body = plan_body(made, (0.0,) * 96, (0.25,) * 96)
    for vehicle in made.vehicles:
        back = vehicle_plan(body, "s", vehicle.vehicle_id)
        assert back is not None
        for hours in (0, 1.3, 5.99, 7, 12):
            assert abs(soc_at(back, at(hours)) - soc_at(vehicle, at(hours))) < 1e-3
    assert vehicle_plan(body, "s", "nobody") is None


def test_chart_fits_the_box():
    body = {
        "start": datetime(2026, 6, 1, 14, tzinfo=UTC).isoformat(),
        "load_kw": [0.0, 5.0, 12.0],
        "limit_kw": [10.0, 10.0, 12.0],
        "pv_kw": [0.0, 3.0, 0.0],
    }
    drawn = chart(body)
    for line in (drawn.load, drawn.limit, drawn.pv):
        for point in line.split():
            x, y = map(float, point.split(","))
            assert 0 <= x <= WIDTH and 0 <= y <= HEIGHT
    assert drawn.x_ticks[0][1] == "14:00"
    assert drawn.top_kw >= 12.0
    assert (datetime.fromisoformat(body["start"]) + timedelta(minutes=45)).hour == 14
