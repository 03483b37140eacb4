"""Clear-sky PV helper."""

from datetime import UTC, datetime

import pytest

from energy.pv import clear_sky_pv, cos_zenith

PARIS = (48.86, 2.35)


def test_sun_is_down_at_midnight_and_up_at_solar_noon():
    assert cos_zenith(*PARIS, datetime(2026, 6, 21, 0, 0, tzinfo=UTC)) < 0
    # solar noon in Paris is about 11:50 UTC; zenith there is about 48.86 - 23.44 = 25.4 deg
    assert cos_zenith(*PARIS, datetime(2026, 6, 21, 11, 50, tzinfo=UTC)) == pytest.approx(
        0.903, abs=0.005
    )


def test_pv_day_shape_and_magnitude():
    pv = clear_sky_pv(*PARIS, kwp=100.0, start=datetime(2026, 6, 21, tzinfo=UTC), slots=96)
    values = pv.values
    assert len(values) == 96
    assert values[0] == 0.0 and values[95] == 0.0
    peak_slot = max(range(96), key=values.__getitem__)
    assert 45 <= peak_slot <= 49  # 11:15-12:15 UTC
    assert 70 < max(values) < 85  # 100 kWp x ~900 W/m2 x 0.85
    # a cloudless solstice at 49 N gets about 8-9 kWh/m2 on the horizontal, x 0.85
    assert 680 < sum(values) * 0.25 < 770


def test_naive_start_is_refused():
    with pytest.raises(ValueError):
        clear_sky_pv(*PARIS, kwp=10.0, start=datetime(2026, 6, 21), slots=4)
