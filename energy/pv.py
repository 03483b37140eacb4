"""A clear-sky PV forecast from latitude, longitude and peak power (no weather, no I/O).

Sun position from the NOAA general solar position equations, clear-sky irradiance from the
Haurwitz model, panels treated as horizontal with a flat performance ratio. Good enough as an
upper bound or a default forecast; a weather-based forecast can replace it as a Series.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from energy.model import SLOT, Series

SAMPLES = (1 / 6, 3 / 6, 5 / 6)  # points inside a slot averaged for its mean power


def cos_zenith(lat: float, lon: float, at: datetime) -> float:
    """Cosine of the sun's zenith angle at `at` (aware); negative when below the horizon."""
    utc = at.astimezone(UTC).timetuple()
    hour = utc.tm_hour + utc.tm_min / 60 + utc.tm_sec / 3600
    gamma = 2 * math.pi / 365 * (utc.tm_yday - 1 + (hour - 12) / 24)
    eqtime = 229.18 * (
        0.000075
        + 0.001868 * math.cos(gamma)
        - 0.032077 * math.sin(gamma)
        - 0.014615 * math.cos(2 * gamma)
        - 0.040849 * math.sin(2 * gamma)
    )
    decl = (
        0.006918
        - 0.399912 * math.cos(gamma)
        + 0.070257 * math.sin(gamma)
        - 0.006758 * math.cos(2 * gamma)
        + 0.000907 * math.sin(2 * gamma)
        - 0.002697 * math.cos(3 * gamma)
        + 0.00148 * math.sin(3 * gamma)
    )
    solar_minutes = hour * 60 + eqtime + 4 * lon  # true solar time
    hour_angle = math.radians(solar_minutes / 4 - 180)
    phi = math.radians(lat)
    return math.sin(phi) * math.sin(decl) + math.cos(phi) * math.cos(decl) * math.cos(hour_angle)


def clear_sky_ghi(cos_z: float) -> float:
    """Global horizontal irradiance W/m2 under a clear sky (Haurwitz)."""
    if cos_z <= 0:
        return 0.0
    return 1098.0 * cos_z * math.exp(-0.059 / cos_z)


def clear_sky_pv(
    lat: float,
    lon: float,
    kwp: float,
    start: datetime,
    slots: int,
    performance_ratio: float = 0.85,
) -> Series:
    """Average PV kW per 15-minute slot from `start` under a clear sky."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    values = []
    for i in range(slots):
        begin = start + i * SLOT
        ghi = [clear_sky_ghi(cos_zenith(lat, lon, begin + f * SLOT)) for f in SAMPLES]
        values.append(kwp * performance_ratio * sum(ghi) / len(ghi) / 1000)
    return Series(start, tuple(values))


def scaled(series: Series, factors: list[float]) -> Series:
    """A PV series scaled per slot (cloud cover, a forecast error)."""
    return Series(series.start, tuple(v * f for v, f in zip(series.values, factors, strict=True)))
