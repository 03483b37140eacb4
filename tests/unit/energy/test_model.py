"""Slot arithmetic and per-slot series."""

from datetime import timedelta

from energy import Series
from energy.model import slot_ceil, slot_floor
from tests.unit.energy.factories import T0, at


def test_slots_round_down_for_departures_and_up_for_returns():
    assert slot_floor(T0, at(1) + timedelta(minutes=10)) == 4
    assert slot_ceil(T0, at(1) + timedelta(minutes=10)) == 5
    assert slot_floor(T0, at(1)) == slot_ceil(T0, at(1)) == 4
    assert slot_floor(T0, at(-0.1)) == -1


def test_series_window_offsets_and_fills():
    s = Series(T0, (1.0, 2.0, 3.0))
    assert s.window(at(0.25), 3) == [2.0, 3.0, 3.0]  # nearest value past the end
    assert s.window(at(-0.25), 2) == [1.0, 1.0]
    assert s.window(at(0.5), 3, fill=0.0) == [3.0, 0.0, 0.0]
    assert Series(T0, ()).window(T0, 2) == [0.0, 0.0]
