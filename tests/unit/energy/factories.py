"""Small builders for planner inputs: a day from midnight UTC, slots of 15 minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from energy import Booking, Connector, Problem, Series, Site, Vehicle

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    """T0 plus some hours."""
    return T0 + timedelta(hours=hours)


def series(values: list[float]) -> Series:
    """A per-slot series from T0."""
    return Series(T0, tuple(values))


def tou(cheap_from: int, cheap_to: int, cheap: float = 0.10, dear: float = 0.30) -> Series:
    """Flat `dear` price for a day, `cheap` in slots [cheap_from, cheap_to)."""
    return series([cheap if cheap_from <= t < cheap_to else dear for t in range(96)])


def site(limit: float = 100.0, n: int = 1, kw: float = 11.0, **kwargs: object) -> Site:
    """A site with n three-phase connectors c0.. of `kw` each, flat price by default."""
    connectors = tuple(Connector(f"c{i}", kw) for i in range(n))
    price = kwargs.pop("price", series([0.25] * 96))
    return Site("s", limit, connectors, price, **kwargs)  # type: ignore[arg-type]


def car(
    i: int = 0, soc: float = 0.2, cap: float = 40.0, kw: float = 11.0, **kwargs: object
) -> Vehicle:
    """A car on connector c<i> of site s, 18 kWh/100 km."""
    return Vehicle(f"v{i}", "s", f"c{i}", cap, 18.0, soc, kw, **kwargs)  # type: ignore[arg-type]


def trip(i: int, car_i: int, start: float, end: float, **kwargs: object) -> Booking:
    """Booking b<i> of car v<car_i> from `start` to `end` hours after T0."""
    return Booking(f"b{i}", f"v{car_i}", at(start), at(end), **kwargs)  # type: ignore[arg-type]


def problem(site_: Site, cars: list[Vehicle], bookings: list[Booking], sessions=()) -> Problem:
    """A one-site problem starting at T0."""
    return Problem(T0, (site_,), tuple(cars), tuple(bookings), tuple(sessions))
