"""Locations and Tariffs pulled over real HTTP: live status, pagination headers, date filters."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ocpp.v16 import call
from sqlalchemy import select

from mobility.models import Company, Hub, Tariff, TariffScope
from tests.e2e.ocpp_server.conftest import connect
from tests.e2e.roaming.conftest import register


async def _get(emsp, url: str):
    return await asyncio.to_thread(emsp.call, "GET", url)


async def test_locations_are_paginated_with_link_and_count_headers(cpo, emsp):
    await asyncio.to_thread(register, cpo, emsp)
    first = await _get(emsp, cpo.module("locations?limit=2"))
    assert first.status_code == 200
    assert (first.headers["X-Total-Count"], first.headers["X-Limit"]) == ("3", "2")
    assert len(first.json()["data"]) == 2
    link = first.headers["Link"]
    assert link.endswith('>; rel="next"') and "offset=2" in link and "limit=2" in link
    second = await _get(emsp, link[1 : link.index(">")])
    assert len(second.json()["data"]) == 1 and "Link" not in second.headers
    ids = [x["id"] for x in first.json()["data"] + second.json()["data"]]
    assert len(set(ids)) == 3

    capped = await _get(emsp, cpo.module("locations?limit=5000"))
    assert capped.headers["X-Limit"] == "100"
    bad = await _get(emsp, cpo.module("locations?offset=-1"))
    assert bad.status_code == 400 and bad.json()["status_code"] == 2001


async def test_date_filters_select_by_last_updated(cpo, emsp):
    await asyncio.to_thread(register, cpo, emsp)
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    past = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = await _get(emsp, cpo.module(f"locations?date_from={future}"))
    assert later.headers["X-Total-Count"] == "0" and later.json()["data"] == []
    earlier = await _get(emsp, cpo.module(f"tariffs?date_to={past}"))
    assert earlier.json()["data"] == []
    window = await _get(emsp, cpo.module(f"locations?date_from={past}&date_to={future}"))
    assert window.headers["X-Total-Count"] == "3"
    wrong = await _get(emsp, cpo.module("sessions?date_from=yesterday"))
    assert wrong.json()["status_code"] == 2001


async def test_a_location_shows_live_evse_status_hours_and_tariffs(cpo, emsp):
    await asyncio.to_thread(register, cpo, emsp)
    with cpo.core.db.transaction() as s:
        hub = s.scalar(select(Hub).where(Hub.slug == "confluence-nautique"))
        hub.opening_hours = {"mon": [["06:00", "22:00"]], "sun": [["08:00", "12:00"]]}
        hub_id = str(hub.id)
    offline = (await _get(emsp, cpo.module(f"locations/{hub_id}"))).json()["data"]
    assert {e["status"] for e in offline["evses"]} == {"UNKNOWN"}
    async with connect(cpo.ocpp) as cp:
        await cp.call(call.BootNotification(charge_point_vendor="Alfen", charge_point_model="Eve"))
        for connector, status in ((1, "Charging"), (2, "Available")):
            await cp.call(
                call.StatusNotification(
                    connector_id=connector,
                    error_code="NoError",
                    status=status,
                    timestamp=datetime.now(UTC).isoformat(),
                )
            )
        await cpo.ocpp.writes.flush()
        await cpo.ocpp.presence.flush()
        location = (await _get(emsp, cpo.module(f"locations/{hub_id}"))).json()["data"]
    statuses = {e["uid"]: e["status"] for e in location["evses"]}
    assert statuses == {"CP-LYON-001-1": "CHARGING", "CP-LYON-001-2": "AVAILABLE"}
    assert location["coordinates"] == {"latitude": "45.741200", "longitude": "4.817900"}
    assert location["country"] == "FRA" and location["time_zone"] == "Europe/Paris"
    hours = location["opening_times"]
    assert hours["twentyfourseven"] is False
    assert {"weekday": 7, "period_begin": "08:00", "period_end": "12:00"} in hours["regular_hours"]
    connector = (await _get(emsp, cpo.module(f"locations/{hub_id}/CP-LYON-001-1/1"))).json()
    assert connector["data"]["tariff_ids"] == ["CHARGE-STD"]
    assert connector["data"]["power_type"] == "AC_3_PHASE"
    assert connector["data"]["max_electric_power"] == 11000
    unknown = await _get(emsp, cpo.module(f"locations/{hub_id}/CP-NOPE-1"))
    assert unknown.status_code == 404 and unknown.json()["status_code"] == 2003


async def test_tariffs_export_our_public_charging_tariffs_as_stored(cpo, emsp):
    await asyncio.to_thread(register, cpo, emsp)
    with cpo.core.db.transaction() as s:
        company = Company(name="Acme", vat_id="FR00000000000", contact_email="a@example.org")
        s.add(company)
        s.flush()
        s.add(
            Tariff(
                code="CHARGE-ACME",
                name="negotiated",
                scope=TariffScope.CHARGING,
                currency="EUR",
                elements=[{"price_components": [{"type": "ENERGY", "price": "0.20"}]}],
                company_id=company.id,
                min_price_excl_vat=Decimal("0.50"),
            )
        )
    tariffs = (await _get(emsp, cpo.module("tariffs"))).json()["data"]
    assert [t["id"] for t in tariffs] == ["CHARGE-STD"]
    tariff = tariffs[0]
    assert (tariff["country_code"], tariff["party_id"], tariff["currency"]) == ("FR", "MOB", "EUR")
    components = [c for e in tariff["elements"] for c in e["price_components"]]
    assert {"type": "ENERGY", "price": 0.35, "vat": 20, "step_size": 1} in components
    assert {"type": "PARKING_TIME", "price": 6, "vat": 20, "step_size": 60} in components
