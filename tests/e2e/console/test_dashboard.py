"""The dashboard's plots carry the district's figures: energy, site load, availability,
utilisation, bookings and revenue, each checked against what was seeded."""

import html as markup
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.console.district import seed_district


@pytest.fixture
def district(app, db, settings):
    return seed_district(db, app.extensions["console"].billing, ZoneInfo(settings.timezone))


def charts_of(html: str) -> dict[str, dict]:
    """Every chart's data as the page carries it (data-chart), by figure id."""
    found = {}
    for part in html.split('<figure class="chart" id="')[1:]:
        chart_id = part.split('"')[0]
        found[chart_id] = json.loads(markup.unescape(part.split('data-chart="')[1].split('"')[0]))
    return found


def value_at(chart: dict, x: int, series: int = 0):
    return chart["series"][series]["values"][chart["x"].index(x)]


def day_x(chart: dict, day, tz) -> int:
    from datetime import datetime, time

    return int(datetime.combine(day, time(), tz).timestamp())


def test_dashboard_is_the_console_home_and_first_in_the_menu(operator, district):
    html = operator.get("/console/").get_data(as_text=True)
    menu = html.split('aria-label="Console"')[1]
    assert menu.index(">Dashboard<") < menu.index(">Chargers<")
    assert "<h1>Dashboard</h1>" in html
    assert "/console/static/vendor/uplot/uPlot.iife.min.js" in html  # served by us, no CDN
    assert "https://" not in html.split("<body")[1].split("</main>")[0].replace(
        "https://firmware", ""
    )


def test_energy_per_hour_and_day(operator, district, settings):
    tz = ZoneInfo(settings.timezone)
    charts = charts_of(operator.get("/console/").get_data(as_text=True))
    hourly = charts["energy-hourly"]
    h0 = int(district.first_hour.timestamp())
    assert len(hourly["x"]) == 48 and hourly["kind"] == "bars"
    # The register rose 1 -> 5 kWh in the first hour and 5 -> 9 in the next.
    assert (value_at(hourly, h0), value_at(hourly, h0 + 3600)) == (4.0, 4.0)
    assert sum(hourly["series"][0]["values"]) == 8.0
    daily = charts["energy-daily"]
    assert len(daily["x"]) == 14 and daily["axis"] == "day"
    # A finished session's 8 kWh, on the day it started.
    started = (district.first_hour + timedelta(minutes=5)).astimezone(tz).date()
    assert value_at(daily, day_x(daily, started, tz)) == 8.0
    assert sum(daily["series"][0]["values"]) == 8.0


def test_availability_and_utilisation_per_day(operator, district, settings):
    tz = ZoneInfo(settings.timezone)
    charts = charts_of(operator.get("/console/?days=7").get_data(as_text=True))
    availability, use = charts["availability"], charts["utilisation"]
    assert len(availability["x"]) == 7
    yesterday = day_x(availability, district.yesterday, tz)
    # Six connectors, one Faulted for six hours of the day.
    known = 6 * district.yesterday_hours
    assert value_at(availability, yesterday) == round(100 * (known - 6) / known, 2)
    assert availability["series"][0]["values"][-1] == 100.0  # today: all in service
    assert availability["series"][0]["values"][0] == 100.0  # the five others, known
    # One car on a six-hour trip, booked for the same six hours.
    share = round(100 * 6 / (district.fleet * district.yesterday_hours), 2)
    assert value_at(use, yesterday, 0) == share and value_at(use, yesterday, 1) == share
    assert [s["label"] for s in use["series"]] == ["On trips", "Booked"]


def test_bookings_and_revenue(operator, district, settings):
    tz = ZoneInfo(settings.timezone)
    html = operator.get("/console/").get_data(as_text=True)
    charts = charts_of(html)
    bookings = charts["bookings"]
    yesterday = day_x(bookings, district.yesterday, tz)
    assert [value_at(bookings, yesterday, i) for i in range(3)] == [2, 1, 0]
    assert [s["values"][-1] for s in bookings["series"]] == [1, 0, 1]  # today's no-show
    revenue = charts["revenue-daily"]
    assert revenue["series"][0]["label"] == "EUR"
    assert revenue["series"][0]["values"][-1] == district.revenue_minor / 100  # refund deducted
    tariffs = charts["revenue-tariff"]
    assert tariffs["axis"] == "category" and tariffs["categories"] == ["CHARGE-STD"]
    assert tariffs["series"][0]["values"] == [district.revenue_minor / 100]
    tiles = html.split('aria-label="Now"')[1].split("</ul>")[0]
    assert "8.0 kWh" in tiles and f"{district.revenue_minor / 100:.2f} EUR" in tiles
    assert "Bookings today</span><strong>1<" in tiles


def test_site_load_against_limit_and_pv(operator, district):
    html = operator.get(f"/console/?site={district.site_id}").get_data(as_text=True)
    charts = charts_of(html)
    site = charts["site-load"]
    assert [s["label"] for s in site["series"]] == [
        "Measured load",
        "Planned load",
        "Grid limit",
        "PV forecast",
    ]
    assert site["kind"] == "steps" and len(site["x"]) == 4 * 48
    reading = district.first_hour + timedelta(minutes=10)
    quarter = int(reading.timestamp()) // 900 * 900
    assert value_at(site, quarter, 0) == 11.0  # the session's 11 kW at the hub
    assert value_at(site, quarter - 900, 0) == 0.0  # nothing drew power before it
    assert value_at(site, now_quarter(district) + 900, 0) is None  # the future is not measured
    now = int(district.quarter.timestamp())
    assert [value_at(site, now, i) for i in (1, 2, 3)] == [1.5, 15.0, 4.0]
    assert [value_at(site, now + 900, i) for i in (1, 2, 3)] == [2.5, 15.0, 5.0]
    assert value_at(site, now - 3600, 2) == 12.0  # the stored limit series
    other = operator.get(f"/console/?site={district.other_site_id}").get_data(as_text=True)
    assert f'<option value="{district.other_site_id}" selected>' in other
    assert all(v is None for v in charts_of(other)["site-load"]["series"][1]["values"])


def now_quarter(district) -> int:
    return int(district.quarter.timestamp())


def test_period_is_validated(operator, district):
    assert operator.get("/console/?days=9").status_code == 422
    assert (
        len(charts_of(operator.get("/console/?days=30").get_data(as_text=True))["bookings"]["x"])
        == 30
    )


def test_dashboard_without_data_or_sites(operator):
    html = operator.get("/console/").get_data(as_text=True)
    assert "No smart-charging site yet" in html and "Nothing to plot yet." in html
    assert "nothing invoiced" in html


def test_hourly_energy_of_a_long_session_and_a_new_reading(operator, db, app):
    from decimal import Decimal

    from sqlalchemy import select

    from mobility.clock import utcnow
    from mobility.models import Charger, ChargingTransaction, MeterValue

    # Running for 60 hours, its register rising 1 kWh an hour: the chart's first hour shows
    # that hour's kWh, not the 12 before the window.
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    with db.transaction() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-003"))
        tx = ChargingTransaction(
            charger_id=charger.id,
            connector_id=1,
            id_tag="RFID-CONFLUENCE-0001",
            started_at=hour - timedelta(hours=60),
            meter_start_wh=0,
        )
        s.add(tx)
        s.flush()

        def read(at, wh):
            s.add(
                MeterValue(
                    charger_id=charger.id,
                    connector_id=1,
                    transaction_id=tx.id,
                    timestamp=at,
                    measurand="Energy.Active.Import.Register",
                    value=Decimal(wh),
                )
            )

        for n in range(60):
            read(hour - timedelta(hours=60 - n, minutes=-30), 1000 * (n + 1))
        tx_id = tx.id
    hourly = charts_of(operator.get("/console/").get_data(as_text=True))["energy-hourly"]
    values = hourly["series"][0]["values"]
    assert values[:-1] == [1.0] * 47 and values[-1] == 0  # nothing read in this hour yet
    with db.transaction() as s:  # a reading now: the running hour moves, finished ones stay
        tx = s.get(ChargingTransaction, tx_id)
        s.add(
            MeterValue(
                charger_id=tx.charger_id,
                connector_id=1,
                transaction_id=tx_id,
                timestamp=utcnow(),
                measurand="Energy.Active.Import.Register",
                value=Decimal(62500),
            )
        )
    again = charts_of(operator.get("/console/").get_data(as_text=True))["energy-hourly"]
    assert again["series"][0]["values"] == [1.0] * 47 + [2.5]
