"""The operator's dashboard: energy, site load, availability, utilisation, bookings, revenue."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from console import dashboard as fold
from console.plots import CATEGORY, COLOURS, DAY, Chart, Series
from console.services import dashboard_rows as rows
from mobility.db import Database
from mobility.money import format_minor, to_major

DAY_CHOICES = (7, 14, 30)
HOURLY = 48  # hours in the hourly energy chart
SITE_PAST, SITE_AHEAD = timedelta(hours=24), timedelta(hours=24)


@dataclass(frozen=True)
class Tile:
    """One figure of this moment at the top of the dashboard."""

    label: str
    value: str
    detail: str = ""


@dataclass(frozen=True)
class Window:
    """The days shown: local days ending today, from the first one's midnight until now."""

    now: datetime
    days: list[date]
    tz: ZoneInfo

    @property
    def since(self) -> datetime:
        """Local midnight of the first day."""
        return fold.day_start(self.days[0], self.tz)

    @property
    def x(self) -> tuple[int, ...]:
        """The days' midnights, the x axis of per-day charts."""
        return fold.day_epochs(self.days, self.tz)


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows."""

    days: int
    tiles: list[Tile]
    charts: dict[str, Chart]
    sites: list[tuple[int, str]]
    site_id: int | None


def _day_chart(
    w: Window, chart_id: str, title: str, unit: str, *series: Series, note: str = ""
) -> Chart:
    """A per-day chart: bars for one series of amounts, lines to compare several or shares."""
    kind = "bars" if len(series) == 1 and unit != "%" else "line"
    return Chart(chart_id, title, unit, w.x, series, kind=kind, axis=DAY, step=86_400, note=note)


def _energy(s: Session, w: Window) -> tuple[Chart, Chart, float]:
    """Energy per hour (last 48 h) and per day, and the kWh of the last 24 hours."""
    since = min(w.since, w.now - timedelta(hours=HOURLY))
    readings = rows.energy_readings(s, since)
    starts = {tx: start for tx, _, _, start in readings}
    per_hour = fold.energy_by_hour(((tx, h, wh) for tx, h, wh, _ in readings), starts)
    first = int(w.now.timestamp()) // 3600 - HOURLY + 1
    x, kwh = fold.hour_series(per_hour, first, HOURLY, scale=0.001)
    hourly = Chart(
        "energy-hourly",
        "Energy delivered per hour",
        "kWh",
        x,
        (Series("Energy", kwh, COLOURS[0]),),
        kind="bars",
        step=3600,
        note="The rise of each session's meter register within each hour.",
    )
    daily = fold.fold_days(per_hour.items(), w.days, w.tz)
    by_day = _day_chart(
        w,
        "energy-daily",
        "Energy delivered per day",
        "kWh",
        Series("Energy", tuple(round(v / 1000, 3) for v in daily), COLOURS[0]),
    )
    return hourly, by_day, sum(kwh[-24:])


def _bookings(s: Session, w: Window) -> Chart:
    found = rows.bookings_per_hour(s, w.since, w.now + timedelta(days=1))
    groups = (
        ("Bookings", None, COLOURS[1]),
        ("Cancelled", "cancelled", COLOURS[2]),
        ("No-shows", "no_show", COLOURS[4]),
    )
    series = tuple(
        Series(
            label,
            tuple(
                fold.fold_days(((h, n) for h, st, n in found if status in (None, st)), w.days, w.tz)
            ),
            colour,
        )
        for label, status, colour in groups
    )
    return _day_chart(w, "bookings", "Bookings per day (by start)", "bookings", *series)


def _revenue(s: Session, w: Window) -> tuple[Chart, Chart, list[str]]:
    """Revenue per day and per tariff (incl. VAT, credit notes deducted), and today's."""
    per_currency: dict[str, list[tuple[int, float]]] = defaultdict(list)
    today: dict[str, int] = defaultdict(int)
    midnight = int(fold.day_start(w.days[-1], w.tz).timestamp()) // 3600
    for hour, currency, minor in rows.revenue_per_hour(s, w.since, w.now + timedelta(hours=1)):
        per_currency[currency].append((hour, float(to_major(minor, currency))))
        if hour >= midnight:
            today[currency] += minor
    daily = _day_chart(
        w,
        "revenue-daily",
        "Revenue per day (incl. VAT)",
        "/".join(sorted(per_currency)) or "EUR",
        *(
            Series(
                c,
                tuple(round(v, 2) for v in fold.fold_days(per_currency[c], w.days, w.tz)),
                COLOURS[i],
            )
            for i, c in enumerate(sorted(per_currency))
        ),
    )
    names, amounts = fold.by_category(
        rows.revenue_per_tariff(s, w.since, w.now + timedelta(hours=1))
    )
    tariffs = Chart(
        "revenue-tariff",
        f"Revenue per tariff over {len(w.days)} days (incl. VAT)",
        "/".join(amounts) or "EUR",
        tuple(range(len(names))),
        tuple(Series(c, tuple(v), COLOURS[i]) for i, (c, v) in enumerate(amounts.items())),
        kind="bars",
        axis=CATEGORY,
        categories=names,
        note="Invoices and credit notes by the tariff that priced them (monthly fleet "
        "invoices are not counted again).",
    )
    return daily, tariffs, [format_minor(v, c) for c, v in sorted(today.items())]


def _service(s: Session, w: Window) -> tuple[Chart, Chart]:
    """Connector availability and vehicle utilisation per day."""
    span = (w.since, w.now)
    available = fold.availability_by_day(
        rows.status_changes(s, w.since, w.now),
        rows.steady_connectors(s, w.since),
        w.days,
        w.tz,
        span,
    )
    availability = _day_chart(
        w,
        "availability",
        "Connector availability",
        "%",
        Series("In service", tuple(available), COLOURS[0]),
        note="Share of the connectors' reported time in a status other than Faulted or "
        "Unavailable (OCPP StatusNotification).",
    )
    fleet = rows.fleet_size(s)
    on_trips = fold.share_by_day(rows.trips_between(s, *span), fleet, w.days, w.tz, span)
    booked = fold.share_by_day(rows.bookings_between(s, *span), fleet, w.days, w.tz, span)
    utilisation = _day_chart(
        w,
        "utilisation",
        "Vehicle utilisation",
        "%",
        Series("On trips", tuple(on_trips), COLOURS[1]),
        Series("Booked", tuple(booked), COLOURS[3]),
    )
    return availability, utilisation


def _site(s: Session, site_id: int, now: datetime) -> Chart:
    """A site's load (measured, then planned) against its grid limit and PV, by quarter hour."""
    since, until = now - SITE_PAST, now + SITE_AHEAD
    first = int(since.timestamp()) // fold.QUARTER
    count = int((until - since).total_seconds()) // fold.QUARTER
    measured = fold.filled_until(
        fold.quarter_sums(rows.measured_load(s, site_id, since), first, count, 0.001),
        int(now.timestamp()) // fold.QUARTER - first + 1,
    )
    stored: dict[str, dict[int, float]] = defaultdict(dict)
    for kind, at, value in rows.site_series(s, site_id, since, until):
        stored[kind][int(at.timestamp()) // fold.QUARTER - first] = float(value)
    plan = rows.latest_plan(s, site_id) or {}
    start = datetime.fromisoformat(plan["start"]) if plan.get("start") else now
    planned = fold.on_quarters(start, plan.get("load_kw", []), first, count)
    limit = _overlay(
        stored["limit"], fold.on_quarters(start, plan.get("limit_kw", []), first, count)
    )
    pv = _overlay(stored["pv"], fold.on_quarters(start, plan.get("pv_kw", []), first, count))
    x = tuple((first + i) * fold.QUARTER for i in range(count))
    return Chart(
        "site-load",
        "Site load, grid limit and PV",
        "kW",
        x,
        (
            Series("Measured load", measured, COLOURS[0]),
            Series("Planned load", planned, COLOURS[1]),
            Series("Grid limit", limit, COLOURS[4]),
            Series("PV forecast", pv, COLOURS[2]),
        ),
        kind="steps",
        note="Measured: the site's chargers' power readings; planned, limit and PV: the "
        "smart-charging plan and the site's stored series.",
    )


def _overlay(
    stored: dict[int, float], planned: tuple[float | None, ...]
) -> tuple[float | None, ...]:
    """The stored series where it has a value, the plan's figure elsewhere."""
    return tuple(stored.get(i, v) for i, v in enumerate(planned))


def _tiles(
    now_counts: dict[str, int], energy_24h: float, bookings_today: float, revenue: list[str]
) -> list[Tile]:
    def share(part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f} %" if whole else "—"

    c = now_counts
    return [
        Tile(
            "Chargers online",
            f"{c['online']:,} / {c['chargers']:,}",
            share(c["online"], c["chargers"]),
        ),
        Tile(
            "Connectors in service",
            f"{c['in_service']:,} / {c['connectors']:,}",
            share(c["in_service"], c["connectors"]),
        ),
        Tile("Sessions running", f"{c['running']:,}"),
        Tile("Energy, last 24 h", f"{energy_24h:,.1f} kWh"),
        Tile("Bookings today", f"{bookings_today:,.0f}"),
        Tile("Revenue today", ", ".join(revenue) or "nothing invoiced"),
    ]


def build(db: Database, now: datetime, days: int, site_id: int | None, tz: ZoneInfo) -> Dashboard:
    """The dashboard over the last `days` local days (and a site, the first when none asked)."""
    w = Window(now, fold.local_days(now, days, tz), tz)
    with db.sessions() as s:
        hourly, daily, energy_24h = _energy(s, w)
        bookings = _bookings(s, w)
        revenue, per_tariff, today = _revenue(s, w)
        availability, utilisation = _service(s, w)
        sites = [(i, name) for i, name, _ in rows.sites(s)]
        chosen = site_id if site_id in {i for i, _ in sites} else (sites[0][0] if sites else None)
        charts: dict[str, Any] = {
            c.id: c
            for c in (hourly, daily, availability, utilisation, bookings, revenue, per_tariff)
        }
        if chosen is not None:
            charts["site-load"] = _site(s, chosen, now)
        tiles = _tiles(rows.now_figures(s), energy_24h, bookings.series[0].values[-1] or 0, today)
    return Dashboard(days, tiles, charts, sites, chosen)
