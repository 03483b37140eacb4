"""A 2.0.1 station's local authorisation list is kept in step with our tokens, as for 1.6:
Full when it never had ours or lost it, Differential changes through the job, versions and
entries recorded per station from its answers."""

from __future__ import annotations

import asyncio
from typing import Any

from ocpp.exceptions import NotSupportedError
from ocpp.routing import on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action
from sqlalchemy import delete, select, update

from mobility.models import Charger, ChargerCommand, ChargerVariable, IdToken, LocalListEntry
from ocpp_server import jobs, local_lists
from tests.e2e.ocpp_server.station201 import Station, connect201

STATION = {"model": "Eve 2", "vendor_name": "Alfen"}
FLEET = "RFID-CONFLUENCE-0001"


class ListStation(Station):
    """Holds a local list: its version and entries follow what it accepts."""

    version = 0
    answer = "Accepted"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries: dict[str, dict[str, Any]] = {}

    @on(Action.get_local_list_version)
    async def on_local_list_version(self, **kw: Any) -> Any:
        answer = call_result.GetLocalListVersion(version_number=self.version)
        return await self._answer("GetLocalListVersion", kw, answer)

    @on(Action.send_local_list)
    async def on_send_local_list(self, **kw: Any) -> Any:
        if self.answer == "Accepted":
            if kw["update_type"] == "Full":
                self.entries = {}
            for item in kw.get("local_authorization_list") or []:
                tag = item["id_token"]["id_token"]
                if "id_token_info" in item:
                    self.entries[tag] = item
                else:
                    self.entries.pop(tag, None)
            self.version = kw["version_number"]
        return await self._answer("SendLocalList", kw, call_result.SendLocalList(self.answer))


class NoListStation(Station):
    """A station without a local list: it says so with a CallError (2.0.1 has no status)."""

    @on(Action.get_local_list_version)
    async def on_local_list_version(self, **kw: Any) -> Any:
        raise NotSupportedError(description="no local authorization list")


async def _booted(station: Station, server: Any) -> None:
    await station.call(call.BootNotification(charging_station=STATION, reason="PowerUp"))
    await server.flush_reports()  # the boot's details (ocpp_version) are stored in batches


def _synced(db: Any, version: int) -> Any:
    """Whether our records say the station took list `version` (its answer is recorded)."""
    return lambda: _charger(db).local_list_synced_version == version


async def _until(check: Any, seconds: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def _charger(db: Any) -> Charger:
    with db.sessions() as s:
        return s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-001"))


def _held(db: Any) -> dict[str, tuple[str, str | None]]:
    with db.sessions() as s:
        rows = s.scalars(select(LocalListEntry).where(LocalListEntry.charger_id == _charger(db).id))
        return {r.id_tag: (r.status, r.parent_id_tag) for r in rows}


async def test_a_station_without_our_list_gets_it_full_after_its_boot(server, db):
    with db.transaction() as s:
        s.add(IdToken(id_tag="CHILD-1", kind="ISO15693", parent_id_tag=FLEET))
        s.add(IdToken(id_tag="BLOCKED-1", status="Blocked"))
    async with connect201(server, station_class=ListStation) as st:
        st.version = 3  # someone else's list, or one it kept from a previous life
        await _booted(st, server)
        await _until(_synced(db, 4))
    asked, sent = st.received[0], st.received[1]
    assert asked[0] == "GetLocalListVersion" and sent[0] == "SendLocalList"
    assert (sent[1]["version_number"], sent[1]["update_type"]) == (4, "Full")
    child = st.entries["CHILD-1"]
    assert child["id_token"] == {"id_token": "CHILD-1", "type": "ISO15693"}
    assert child["id_token_info"]["group_id_token"] == {"id_token": FLEET, "type": "Central"}
    assert st.entries["BLOCKED-1"]["id_token_info"]["status"] == "Blocked"
    charger = _charger(db)
    assert charger.local_list_version == charger.local_list_synced_version == 4
    assert charger.local_list_status == "Accepted"
    assert _held(db) == {
        FLEET: ("Accepted", None),
        "CHILD-1": ("Accepted", FLEET),
        "BLOCKED-1": ("Blocked", None),
    }
    assert local_lists.due(db) == []  # in step: the job has nothing to send


async def test_a_station_that_holds_our_list_is_asked_nothing_after_its_boot(server, db):
    # After a restart every station boots at once: those in step get no list traffic.
    with db.transaction() as s:
        s.execute(
            update(Charger)
            .where(Charger.charge_point_id == "CP-LYON-001")
            .values(local_list_version=1, local_list_synced_version=1, local_list_status="Accepted")
        )
    async with connect201(server, station_class=ListStation) as st:
        st.version = 1
        await _booted(st, server)
        # A plain request afterwards: anything sent after the boot came before its answer.
        await server.bus.call("CP-LYON-001", "ClearCache", {}, timeout=5)
    assert [action for action, _ in st.received] == ["ClearCache"]


async def test_changes_go_out_as_differential_updates_through_the_job(server, db, settings):
    async with connect201(server, station_class=ListStation) as st:
        await _booted(st, server)
        await _until(_synced(db, 1))
        await server.presence.flush()  # the station is online for the job
        with db.transaction() as s:
            s.execute(update(IdToken).where(IdToken.id_tag == FLEET).values(status="Blocked"))
            s.add(IdToken(id_tag="NEW-1", kind="KeyCode"))
        assert local_lists.due(db) == [("CP-LYON-001", "2.0.1")]
        sent = await asyncio.to_thread(jobs.sync_local_lists, server.charging, server.bus)
        assert sent == 1
        update_sent = st.received[-1][1]
        assert (update_sent["version_number"], update_sent["update_type"]) == (2, "Differential")
        assert [i["id_token"]["id_token"] for i in update_sent["local_authorization_list"]] == [
            "NEW-1",
            FLEET,
        ]
        with db.transaction() as s:
            s.execute(delete(IdToken).where(IdToken.id_tag == "NEW-1"))
        await asyncio.to_thread(jobs.sync_local_lists, server.charging, server.bus)
        removal = st.received[-1][1]["local_authorization_list"]
        # A removal names the token with the type it was sent with, and no IdTokenInfo.
        assert removal == [{"id_token": {"id_token": "NEW-1", "type": "KeyCode"}}]
    assert set(st.entries) == {FLEET}
    assert _held(db) == {FLEET: ("Blocked", None)}
    assert _charger(db).local_list_version == 3


async def test_items_per_message_split_the_list_and_a_disabled_list_gets_nothing(server, db):
    charger_pk = _charger(db).id
    with db.transaction() as s:
        s.add_all(IdToken(id_tag=f"CARD-{n}") for n in range(5))
        s.add(
            ChargerVariable(
                charger_id=charger_pk,
                component="LocalAuthListCtrlr",
                variable="ItemsPerMessage",
                value="2",
            )
        )
    async with connect201(server, station_class=ListStation) as st:
        await _booted(st, server)
        await _until(_synced(db, 3))
    lists = [kw for action, kw in st.received if action == "SendLocalList"]
    assert [(kw["update_type"], len(kw["local_authorization_list"])) for kw in lists] == [
        ("Full", 2),
        ("Differential", 2),
        ("Differential", 2),
    ]
    assert len(_held(db)) == 6
    with db.transaction() as s:
        s.add(
            ChargerVariable(
                charger_id=charger_pk,
                component="LocalAuthListCtrlr",
                variable="Enabled",
                value="false",
            )
        )
        s.add(IdToken(id_tag="LATE-1"))
    assert local_lists.updates_for(db, "CP-LYON-001", "2.0.1") == []


async def test_a_station_without_a_list_is_left_alone_and_a_refused_update_is_sent_full(server, db):
    async with connect201(server, station_class=NoListStation) as st:
        await _booted(st, server)
        await _until(lambda: _charger(db).local_list_status == "NotSupported")
        assert not [a for a, _ in st.received if a == "SendLocalList"]
    assert local_lists.due(db) == []
    with db.transaction() as s:
        s.execute(update(Charger).values(local_list_status=None))
    async with connect201(server, station_class=ListStation) as st:
        st.answer = "VersionMismatch"
        await server.bus.call("CP-LYON-001", "GetLocalListVersion", {}, timeout=5)
        [first] = [u for u in local_lists.updates_for(db, "CP-LYON-001", "2.0.1")]
        payload = {"versionNumber": first.version, "updateType": "Full"}
        answer = await server.bus.call("CP-LYON-001", "SendLocalList", payload, timeout=5)
        assert answer == {"status": "VersionMismatch"}
    charger = _charger(db)
    assert (charger.local_list_status, charger.local_list_synced_version) == (
        "VersionMismatch",
        None,
    )
    [again] = local_lists.updates_for(db, "CP-LYON-001", "2.0.1")
    assert again.full


async def test_a_station_that_lost_its_list_is_found_by_the_audit_and_gets_it_again(server, db):
    async with connect201(server, station_class=ListStation) as st:
        await _booted(st, server)
        await _until(_synced(db, 1))
        await server.presence.flush()
        st.version, st.entries = 0, {}  # a factory reset
        asked = await asyncio.to_thread(jobs.audit_local_lists, server.charging, server.bus)
        assert asked == 1
        await asyncio.to_thread(jobs.sync_local_lists, server.charging, server.bus)
        assert st.received[-1][1]["update_type"] == "Full"
        assert FLEET in st.entries and st.version == 2
    with db.sessions() as s:
        versions = s.scalars(
            select(ChargerCommand.response).where(ChargerCommand.action == "GetLocalListVersion")
        ).all()
    assert {"versionNumber": 0} in versions


async def test_clear_cache_and_list_commands_from_the_operator_catalogue(server, db):
    async with connect201(server, station_class=ListStation) as st:
        await _booted(st, server)
        await _until(_synced(db, 1))
        cleared = await server.bus.call("CP-LYON-001", "ClearCache", {}, timeout=5)
        version = await server.bus.call("CP-LYON-001", "GetLocalListVersion", {}, timeout=5)
    assert cleared == {"status": "Accepted"} and version == {"versionNumber": 1}
    with db.sessions() as s:
        done = s.scalars(
            select(ChargerCommand.action)
            .where(ChargerCommand.status == "answered")
            .order_by(ChargerCommand.id)  # no order without one (PostgreSQL moves updated rows)
        )
        assert list(done) == [
            "GetLocalListVersion",
            "SendLocalList",
            "ClearCache",
            "GetLocalListVersion",
        ]
