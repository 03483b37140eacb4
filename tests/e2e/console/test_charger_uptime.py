"""A charger's page: uptime per local day of its hub (chart and tables), the current streak,
and a 2.0.1 station's EVSEs with the connectors inside them."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from mobility.models import (
    Charger,
    ChargerConnectionEvent,
    Connector,
    ConnectorStatusEvent,
    Hub,
)
from tests.e2e.console.conftest import FROZEN_NOW
from tests.e2e.ocpp_server.test_v201_evse import _announce, _status

PARIS = ZoneInfo("Europe/Paris")
CP = "CP-LYON-001"


def _local(*args: int, tz: ZoneInfo = PARIS) -> datetime:
    return datetime(*args, tzinfo=tz).astimezone(UTC)


def seed_history(db: Any) -> None:
    """Online from 28 March, off for the second half of the 23-hour 29th, back at 06:00 on the
    30th; connector 1 Available, Faulted all of the 29th, Charging from 06:00 on the 30th."""
    online = [
        (_local(2026, 3, 28), True),
        (_local(2026, 3, 29, 12, 30), False),  # 11.5 of the day's 23 hours behind it
        (_local(2026, 3, 30, 6), True),
    ]
    statuses = [
        (_local(2026, 3, 20), "Available"),
        (_local(2026, 3, 29), "Faulted"),
        (_local(2026, 3, 30), "Available"),
        (_local(2026, 3, 30, 6), "Charging"),
    ]
    with db.transaction() as s:
        pk = s.scalar(select(Charger.id).where(Charger.charge_point_id == CP))
        for at, is_online in online:
            s.add(ChargerConnectionEvent(charger_id=pk, online=is_online, at=at))
        for at, status in statuses:
            s.add(ConnectorStatusEvent(charger_id=pk, connector_id=1, status=status, timestamp=at))
        s.execute(
            update(Charger)
            .where(Charger.id == pk)
            .values(
                is_online=True,
                connected_at=online[2][0],
                disconnected_at=online[1][0],
                last_seen_at=FROZEN_NOW,
            )
        )
        s.execute(
            update(Connector)
            .where(Connector.charger_id == pk, Connector.connector_id == 1)
            .values(status="Charging", status_at=statuses[-1][0])
        )


def _chart(html: str) -> dict[str, Any]:
    found = re.search(r'id="uptime-chart" data-chart="([^"]+)"', html)
    assert found, "no uptime chart on the page"
    return json.loads(unescape(found.group(1)))


def _row(html: str, table_start: str, label: str) -> list[str]:
    """The cells of the row headed `label` in the table opening at `table_start`."""
    table = html.split(table_start, 1)[1].split("</table>", 1)[0]
    row = table.split(f'<th scope="row">{label}</th>', 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td[^>]*>(.*?)</td>", row)


def test_uptime_per_local_day_with_the_dst_day_and_the_streak(operator, db, frozen):
    seed_history(db)
    html = operator.get(f"/console/chargers/{CP}").get_data(as_text=True)
    chart = _chart(html)
    days = [datetime.fromtimestamp(x, PARIS).date().isoformat() for x in chart["x"]]
    assert len(days) == 30 and days[-1] == "2026-03-30"
    online = dict(zip(days, chart["series"][0]["values"], strict=True))
    assert online["2026-03-27"] is None  # nothing recorded yet
    assert (online["2026-03-28"], online["2026-03-29"]) == (100, 50)
    assert online["2026-03-30"] == 50  # 6 of the 12 hours so far today
    in_service = dict(zip(days, chart["series"][1]["values"], strict=True))
    assert chart["series"][1]["label"] == "Connector 1 in service"
    assert (in_service["2026-03-28"], in_service["2026-03-29"], in_service["2026-03-30"]) == (
        100,
        0,
        100,
    )
    # The table under the chart is the chart's text alternative: the same figures.
    assert _row(html, 'id="uptime-chart"', "2026-03-29")[:2] == ["50", "0"]
    # Connector 1's status per day: all of the 23-hour day Faulted; today half Charging.
    assert _row(html, '<table data-outlet="1-0">', "2026-03-29") == [
        "0 %",
        "0 %",
        "0 %",
        "100 %",
        "0 %",
        "0 %",  # not recorded
    ]
    assert _row(html, '<table data-outlet="1-0">', "2026-03-30")[:2] == ["50 %", "50 %"]
    streak = html.split('id="streak">', 1)[1].split("</p>", 1)[0]
    assert "Online" in streak and "for 6 h, since 2026-03-30 06:00 (Europe/Paris)" in streak


def test_days_are_the_hubs_local_days(operator, db, frozen):
    seed_history(db)
    with db.transaction() as s:
        hub = s.scalar(select(Charger.hub_id).where(Charger.charge_point_id == CP))
        s.execute(update(Hub).where(Hub.id == hub).values(timezone="America/New_York"))
    html = operator.get(f"/console/chargers/{CP}").get_data(as_text=True)
    chart = _chart(html)
    new_york = ZoneInfo("America/New_York")
    days = [datetime.fromtimestamp(x, new_york) for x in chart["x"]]
    assert all((d.hour, d.minute) == (0, 0) for d in days)  # local midnights there
    dates = [d.date().isoformat() for d in days]
    online = dict(zip(dates, chart["series"][0]["values"], strict=True))
    # Online from midnight in Paris: 19:00 on the 27th in New York, 5 of its 24 hours.
    assert online["2026-03-27"] == 20.83  # 20.833... rounded down
    assert 'data-timezone="America/New_York"' in html
    assert "since 2026-03-30 00:00 (America/New_York)" in html


def test_a_charger_without_history_says_nothing_is_recorded(operator, frozen):
    html = operator.get("/console/chargers/CP-LYON-002").get_data(as_text=True)
    assert "since a time not recorded" in html
    assert all(v is None for s in _chart(html)["series"] for v in s["values"])
    assert "Nothing to plot yet." in html.split('id="uptime-chart"', 1)[1]
    assert _row(html, 'id="uptime-connectors"', "Connector 1") == ["—"] * 6


def test_a_1_6_charger_keeps_its_connector_list(operator):
    html = operator.get(f"/console/chargers/{CP}").get_data(as_text=True)
    assert '<h2 id="connectors-title">Connectors</h2>' in html
    assert "data-evse=" not in html


def test_a_2_0_1_station_shows_each_evse_with_its_connectors(operator, live201, db):
    t0 = datetime.now(UTC) - timedelta(minutes=10)
    live201.run(_announce(live201.cp, t0))
    live201.run(_status(live201.cp, 1, 2, "Occupied", t0 + timedelta(minutes=1)))
    live201.run(_status(live201.cp, 2, 1, "Faulted", t0 + timedelta(minutes=2)))
    live201.run(live201.server.flush_reports())
    html = operator.get(f"/console/chargers/{CP}").get_data(as_text=True)
    assert "EVSEs and their connectors" in html
    evse1 = html.split('<tr data-evse="1">', 1)[1].split("</tr>", 1)[0]
    assert "Occupied" in evse1.split("<ul", 1)[0]  # the EVSE sums up its connectors
    inside = re.findall(r'<li data-evse-connector="(\d+-\d+)">(.*?)</li>', html)
    text = {key: re.sub(r"<[^>]+>", "", item) for key, item in inside}
    assert text == {
        "1-1": "Connector 1 · cCCS2 · Available",
        "1-2": "Connector 2 · sCHAdeMO · Occupied",
        "2-1": "Connector 1 · cType2 · Faulted",
    }
    # Uptime per connector inside the EVSEs.
    outlets = re.findall(r'<tr data-outlet="(\d+-\d+)"><th scope="row">([^<]+)</th>', html)
    assert outlets == [
        ("1-1", "EVSE 1 connector 1"),
        ("1-2", "EVSE 1 connector 2"),
        ("2-1", "EVSE 2 connector 1"),
    ]
