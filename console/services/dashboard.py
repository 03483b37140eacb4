"""The operator's dashboard: energy, site load, availability, utilisation, bookings, revenue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from console import dashboard as fold
from console.plots import CATEGORY, COLOURS, DAY, Chart, Series
from console.services import dashboard_rows as rows
from console.services import day_figures as figures
from console.services.day_figures import DayMemo
from console.services.site_load import site_chart
from mobility.db import Database
from mobility.money import format_minor, to_major

DAY_CHOICES = (7, 14, 30)
HOURLY = 48  # hours in the hourly energy chart


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
    memo: DayMemo

    @property
    def x(self) -> tuple[int, ...]:
        """The days' midnights, the x axis of per-day charts."""
        return fold.day_epochs(self.days, self.tz)

    def per_day(self, s: Session, name: str, compute: figures.Compute) -> list[Any]:
        """A figure for each day shown (finished days remembered a while)."""
        return figures.per_day(self.memo, name, compute, s, self.days, self.now, self.tz)


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


def _column(values: Sequence[Any], i: int) -> tuple[Any, ...]:
    return tuple(v[i] for v in values)


def _energy(s: Session, w: Window) -> tuple[Chart, Chart, float]:
    """Energy per hour (last 48 h) and per day, and the kWh of the last 24 hours."""
    first = int(w.now.timestamp()) // 3600 - HOURLY + 1
    hours = list(range(first, first + HOURLY))
    kwh = tuple(
        figures.remembered(
            w.memo, ("energy-hour", "UTC"), hours, lambda some: figures.energy_hours(s, some, w.now)
        )
    )
    x = tuple(h * fold.HOUR for h in hours)
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
    daily = w.per_day(s, "energy", figures.energy)
    by_day = _day_chart(
        w,
        "energy-daily",
        "Energy delivered per day",
        "kWh",
        Series("Energy", tuple(daily), COLOURS[0]),
        note="Finished sessions' energy, on the day they started.",
    )
    return hourly, by_day, sum(kwh[-24:])


def _bookings(s: Session, w: Window) -> Chart:
    found = w.per_day(s, "bookings", figures.bookings)
    labels = (("Bookings", COLOURS[1]), ("Cancelled", COLOURS[2]), ("No-shows", COLOURS[4]))
    series = [Series(label, _column(found, i), c) for i, (label, c) in enumerate(labels)]
    return _day_chart(w, "bookings", "Bookings per day (by start)", "bookings", *series)


def _revenue(s: Session, w: Window) -> tuple[Chart, Chart, list[str]]:
    """Revenue per day and per tariff (incl. VAT, credit notes deducted), and today's."""
    found: list[dict[tuple[str | None, str], int]] = w.per_day(s, "revenue", figures.revenue)
    daily: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(found))
    for i, day in enumerate(found):
        for (_, currency), minor in day.items():
            daily[currency][i] += float(to_major(minor, currency))
    currencies = sorted(daily)
    per_day = _day_chart(
        w,
        "revenue-daily",
        "Revenue per day (incl. VAT)",
        "/".join(currencies) or "EUR",
        *(
            Series(c, tuple(round(v, 2) for v in daily[c]), COLOURS[i])
            for i, c in enumerate(currencies)
        ),
    )
    totals: dict[tuple[str | None, str], int] = defaultdict(int)
    for day in found:
        for key, minor in day.items():
            totals[key] += minor
    names, amounts = fold.by_category(totals.items())
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
    today: dict[str, int] = defaultdict(int)
    for (_, currency), minor in found[-1].items():
        today[currency] += minor
    return per_day, tariffs, [format_minor(v, c) for c, v in sorted(today.items())]


def _service(s: Session, w: Window) -> tuple[Chart, Chart]:
    """Connector availability and vehicle utilisation per day."""
    available = w.per_day(s, "availability", figures.availability)
    availability = _day_chart(
        w,
        "availability",
        "Connector availability",
        "%",
        Series("In service", tuple(available), COLOURS[0]),
        note="Share of the connectors' reported time in a status other than Faulted or "
        "Unavailable (OCPP StatusNotification).",
    )
    used = w.per_day(s, "utilisation", figures.utilisation)
    utilisation = _day_chart(
        w,
        "utilisation",
        "Vehicle utilisation",
        "%",
        Series("On trips", _column(used, 0), COLOURS[1]),
        Series("Booked", _column(used, 1), COLOURS[3]),
    )
    return availability, utilisation


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


def build(
    db: Database, memo: DayMemo, now: datetime, days: int, site_id: int | None, tz: ZoneInfo
) -> Dashboard:
    """The dashboard over the last `days` local days (and a site, the first when none asked)."""
    w = Window(now, fold.local_days(now, days, tz), tz, memo)
    with db.sessions() as s:
        hourly, daily, energy_24h = _energy(s, w)
        bookings = _bookings(s, w)
        revenue, per_tariff, today = _revenue(s, w)
        availability, utilisation = _service(s, w)
        sites = [(i, name) for i, name, _ in rows.sites(s)]
        chosen = site_id if site_id in {i for i, _ in sites} else (sites[0][0] if sites else None)
        charts = {
            c.id: c
            for c in (hourly, daily, availability, utilisation, bookings, revenue, per_tariff)
        }
        if chosen is not None:
            charts["site-load"] = site_chart(s, memo, chosen, now)
        tiles = _tiles(rows.now_figures(s), energy_24h, bookings.series[0].values[-1] or 0, today)
    return Dashboard(days, tiles, charts, sites, chosen)
