"""OCPI commands reach our OCPP 1.6 charger through the command bus; results go to the eMSP."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action
from sqlalchemy import select

from mobility.models import ChargerCommand, Hub, Reservation
from tests.e2e.ocpp_server.conftest import Charger, connect
from tests.e2e.roaming.conftest import register
from tests.e2e.roaming.test_roaming_charge import UID, _token


class Stubborn(Charger):
    """A charger whose connector stays locked."""

    @on(Action.unlock_connector)
    async def on_unlock(self, **kw: Any) -> Any:
        return call_result.UnlockConnector(status="UnlockFailed")


async def _results(cpo, emsp, count: int) -> list[dict[str, Any]]:
    """Wait until the eMSP has `count` command results (two outbox hops each)."""
    for _ in range(100):
        await asyncio.to_thread(cpo.core.outbox.flush, 5)
        if len(emsp.command_results) >= count:
            return emsp.command_results
        await asyncio.sleep(0.05)
    raise AssertionError(f"only {emsp.command_results} arrived")


async def _command(cpo, emsp, name: str, ref: str, **body: Any) -> dict[str, Any]:
    body["response_url"] = f"{emsp.url}/ocpi/emsp/2.2.1/commands/{name}/{ref}"
    answer = await asyncio.to_thread(emsp.call, "POST", cpo.module(f"commands/{name}"), body)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def _hub_id(cpo) -> str:
    with cpo.core.db.sessions() as s:
        return str(s.scalar(select(Hub.id).where(Hub.slug == "confluence-nautique")))


async def test_start_unlock_and_stop_session_reach_the_charger(cpo, emsp):
    await asyncio.to_thread(register, cpo, emsp)
    where = {"location_id": _hub_id(cpo), "evse_uid": "CP-LYON-001-1"}
    async with connect(cpo.ocpp) as cp:
        await cp.call(call.BootNotification(charge_point_vendor="Alfen", charge_point_model="Eve"))
        started = await _command(
            cpo, emsp, "START_SESSION", "s1", token=_token(type="APP_USER"), **where
        )
        assert started == {"result": "ACCEPTED", "timeout": 5}
        results = await _results(cpo, emsp, 1)
        assert results[0] == {"command": "START_SESSION", "ref": "s1", "result": "ACCEPTED"}
        # The charger starts with the token it was given: accepted, a roaming session.
        begun = await cp.call(
            call.StartTransaction(
                connector_id=1,
                id_tag=UID,
                meter_start=0,
                timestamp=datetime.now(UTC).isoformat(),
            )
        )
        assert begun.id_tag_info["status"] == "Accepted"
        unlocked = await _command(cpo, emsp, "UNLOCK_CONNECTOR", "u1", connector_id="1", **where)
        assert unlocked["result"] == "ACCEPTED"
        stopped = await _command(
            cpo, emsp, "STOP_SESSION", "x1", session_id=str(begun.transaction_id)
        )
        assert stopped["result"] == "ACCEPTED"
        results = await _results(cpo, emsp, 3)
    assert {r["ref"]: r["result"] for r in results} == {
        "s1": "ACCEPTED",
        "u1": "ACCEPTED",
        "x1": "ACCEPTED",
    }
    with cpo.core.db.sessions() as s:
        sent = s.execute(select(ChargerCommand.action, ChargerCommand.payload)).all()
    assert ("RemoteStartTransaction", {"connectorId": 1, "idTag": UID}) in sent
    assert ("RemoteStopTransaction", {"transactionId": begun.transaction_id}) in sent
    assert ("UnlockConnector", {"connectorId": 1}) in sent
    assert emsp.last_session(str(begun.transaction_id))["auth_method"] == "COMMAND"


async def test_reserve_and_cancel_map_onto_our_reservations(cpo, emsp):
    await asyncio.to_thread(register, cpo, emsp)
    where = {"location_id": _hub_id(cpo), "evse_uid": "CP-LYON-001-2"}
    expiry = (datetime.now(UTC) + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    async with connect(cpo.ocpp) as cp:
        await cp.call(call.BootNotification(charge_point_vendor="Alfen", charge_point_model="Eve"))
        reserved = await _command(
            cpo,
            emsp,
            "RESERVE_NOW",
            "r1",
            token=_token(),
            expiry_date=expiry,
            reservation_id="R-77",
            **where,
        )
        assert reserved["result"] == "ACCEPTED"
        await _results(cpo, emsp, 1)
        cancelled = await _command(cpo, emsp, "CANCEL_RESERVATION", "c1", reservation_id="R-77")
        assert cancelled["result"] == "ACCEPTED"
        results = await _results(cpo, emsp, 2)
    assert [r["result"] for r in results] == ["ACCEPTED", "ACCEPTED"]
    with cpo.core.db.sessions() as s:
        res = s.scalar(select(Reservation))
        assert (res.connector_id, res.id_tag, res.status) == (2, UID, "cancelled")
        sent = dict(s.execute(select(ChargerCommand.action, ChargerCommand.payload)).all())
    assert sent["ReserveNow"]["reservationId"] == res.id and sent["ReserveNow"]["idTag"] == UID
    assert sent["CancelReservation"] == {"reservationId": res.id}


async def test_refusals_unknown_session_and_failed_unlock(cpo, emsp):
    await asyncio.to_thread(register, cpo, emsp)
    unknown = await _command(cpo, emsp, "STOP_SESSION", "x9", session_id="999")
    assert unknown["result"] == "UNKNOWN_SESSION"
    nowhere = await asyncio.to_thread(
        emsp.call,
        "POST",
        cpo.module("commands/UNLOCK_CONNECTOR"),
        {
            "response_url": f"{emsp.url}/x",
            "location_id": "9999",
            "evse_uid": "CP-LYON-001-1",
            "connector_id": "1",
        },
    )
    assert nowhere.json()["status_code"] == 2003
    odd = await _command(cpo, emsp, "SET_CHARGING_PROFILE", "p1")
    assert odd["result"] == "NOT_SUPPORTED"
    where = {"location_id": _hub_id(cpo), "evse_uid": "CP-LYON-001-1", "connector_id": "1"}
    offline = await _command(cpo, emsp, "UNLOCK_CONNECTOR", "u0", **where)
    assert offline["result"] == "ACCEPTED"  # the charger's part comes asynchronously
    results = await _results(cpo, emsp, 1)
    assert results[0]["result"] == "FAILED"  # not connected
    async with connect(cpo.ocpp, charger_class=Stubborn) as cp:
        await cp.call(call.BootNotification(charge_point_vendor="Alfen", charge_point_model="Eve"))
        await _command(cpo, emsp, "UNLOCK_CONNECTOR", "u1", **where)
        results = await _results(cpo, emsp, 2)
    assert results[1] == {"command": "UNLOCK_CONNECTOR", "ref": "u1", "result": "FAILED"}
