"""A roaming driver charges at our charger over OCPP 1.6; the eMSP gets Sessions and the CDR."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ocpp.v16 import call
from sqlalchemy import func, select

from mobility.models import ChargingTransaction, Invoice, Payment, RoamingPartner
from roaming.jobs import push_running_sessions
from tests.e2e.ocpp_server.conftest import connect
from tests.e2e.roaming.conftest import register
from tests.e2e.roaming.emsp import COUNTRY, PARTY

UID = "04A2B3C4D5E6F7"


def _token(**changes: object) -> dict[str, object]:
    token = {
        "country_code": COUNTRY,
        "party_id": PARTY,
        "uid": UID,
        "type": "RFID",
        "contract_id": "NL-EMS-C12345678-X",
        "issuer": "Test eMSP",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": "2026-11-01T10:00:00Z",
    }
    token.update(changes)
    return token


def _energy(kwh: str, at: datetime) -> list[dict[str, object]]:
    return [
        {
            "timestamp": at.isoformat(),
            "sampledValue": [
                {"value": kwh, "measurand": "Energy.Active.Import.Register", "unit": "kWh"},
                {"value": "7400", "measurand": "Power.Active.Import", "unit": "W"},
            ],
        }
    ]


async def _push_token(cpo, emsp, **changes: object) -> None:
    url = cpo.module(f"tokens/{COUNTRY}/{PARTY}/{UID}")
    answer = await asyncio.to_thread(emsp.call, "PUT", url, _token(**changes))
    assert answer.status_code == 200 and answer.json()["status_code"] == 1000, answer.text


async def _charge(cpo, start: datetime) -> int:
    """Authorize, start, one meter reading, stop: 20 kWh over two hours."""
    async with connect(cpo.ocpp) as cp:
        auth = await cp.call(call.Authorize(id_tag=UID))
        assert auth.id_tag_info["status"] == "Accepted"
        started = await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag=UID, meter_start=1000, timestamp=start.isoformat()
            )
        )
        tx_id = started.transaction_id
        await cp.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=tx_id,
                meter_value=_energy("11.5", start + timedelta(minutes=30)),
            )
        )
        await cpo.ocpp.writes.flush()
        await asyncio.to_thread(push_running_sessions, cpo.core.db, cpo.core.outbox)
        await asyncio.to_thread(cpo.core.outbox.flush, 10)
        stopped = await cp.call(
            call.StopTransaction(
                meter_stop=21000,
                timestamp=(start + timedelta(hours=2)).isoformat(),
                transaction_id=tx_id,
                id_tag=UID,
                reason="EVDisconnected",
            )
        )
        assert stopped.id_tag_info["status"] == "Accepted"
    await asyncio.to_thread(cpo.core.outbox.flush, 10)
    return int(tx_id)


async def test_roaming_driver_is_accepted_billed_to_the_partner_and_gets_a_cdr(cpo, emsp):
    await asyncio.to_thread(register, cpo, emsp)
    await _push_token(cpo, emsp)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    tx_id = await _charge(cpo, start)

    # Session pushes: live with cost so far, then completed.
    sessions = [s for s in emsp.sessions if s["id"] == str(tx_id)]
    live = [s for s in sessions if s["status"] == "ACTIVE"]
    assert live and live[-1]["kwh"] == 10.5 and live[-1]["total_cost"]["excl_vat"] > 0
    final = emsp.last_session(str(tx_id))
    assert final["status"] == "COMPLETED" and final["kwh"] == 20
    assert final["cdr_token"]["uid"] == UID and final["cdr_token"]["contract_id"].startswith("NL")
    assert final["evse_uid"] == "CP-LYON-001-1" and final["auth_method"] == "WHITELIST"

    # The CDR: priced exactly as we price and invoice the session, and nobody here is charged.
    assert len(emsp.cdrs) == 1 and emsp.refused == 0
    cdr = emsp.cdrs[0]
    with cpo.core.db.sessions() as s:
        tx = s.get(ChargingTransaction, tx_id)
        partner = s.scalar(select(RoamingPartner))
        assert tx.roaming_partner_id == partner.id and tx.billed and tx.user_id is None
        price = cpo.core.billing.price_charging(s, tx)
        invoice = s.scalar(select(Invoice).where(Invoice.charging_transaction_id == tx_id))
        assert (
            invoice.bill_to["ocpi_party"] == "NL*EMS" and invoice.total_minor == price.total_minor
        )
        assert s.scalar(select(func.count()).select_from(Payment)) == 0
    assert Decimal(str(cdr["total_cost"]["incl_vat"])) * 100 == price.total_minor
    assert Decimal(str(cdr["total_cost"]["excl_vat"])) * 100 == price.excl_vat_minor
    assert cdr["invoice_reference_id"] == invoice.number
    assert cdr["total_energy"] == 20 and cdr["total_time"] == 2
    assert cdr["tariffs"][0]["id"] == price.tariff_code
    dims = [d for p in cdr["charging_periods"] for d in p["dimensions"] if d["type"] == "ENERGY"]
    assert sum(Decimal(str(d["volume"])) for d in dims) == 20
    assert cdr["cdr_location"]["country"] == "FRA" and cdr["cdr_location"]["evse_id"]

    # Pull gives the same CDR and the completed session.
    pulled = await asyncio.to_thread(emsp.call, "GET", cpo.module("cdrs"))
    assert pulled.headers["X-Total-Count"] == "1"
    assert pulled.json()["data"][0]["total_cost"] == cdr["total_cost"]
    listed = await asyncio.to_thread(emsp.call, "GET", cpo.module("sessions"))
    assert [x["status"] for x in listed.json()["data"]] == ["COMPLETED"]


async def test_a_token_the_partner_invalidates_is_refused_at_the_charger(cpo, emsp):
    await asyncio.to_thread(register, cpo, emsp)
    await _push_token(cpo, emsp)
    url = cpo.module(f"tokens/{COUNTRY}/{PARTY}/{UID}")
    patch = {"valid": False, "last_updated": "2026-11-02T10:00:00Z"}
    patched = await asyncio.to_thread(emsp.call, "PATCH", url, patch)
    assert patched.status_code == 200
    got = (await asyncio.to_thread(emsp.call, "GET", url)).json()["data"]
    assert got["valid"] is False and got["contract_id"] == "NL-EMS-C12345678-X"
    async with connect(cpo.ocpp) as cp:
        auth = await cp.call(call.Authorize(id_tag=UID))
        unknown = await cp.call(call.Authorize(id_tag="NOT-A-KNOWN-TAG"))
    assert auth.id_tag_info["status"] == "Blocked"
    assert unknown.id_tag_info["status"] == "Invalid"


async def test_tokens_of_another_party_or_with_mismatched_ids_are_refused(cpo, emsp):
    await asyncio.to_thread(register, cpo, emsp)
    other = cpo.module(f"tokens/DE/XYZ/{UID}")
    foreign = await asyncio.to_thread(
        emsp.call, "PUT", other, _token(country_code="DE", party_id="XYZ")
    )
    assert foreign.status_code == 404
    url = cpo.module(f"tokens/{COUNTRY}/{PARTY}/{UID}")
    mismatched = await asyncio.to_thread(emsp.call, "PUT", url, _token(uid="SOMETHING-ELSE"))
    assert mismatched.json()["status_code"] == 2001
    incomplete = await asyncio.to_thread(emsp.call, "PUT", url, _token(whitelist=None))
    assert incomplete.json()["status_code"] == 2001
    async with connect(cpo.ocpp) as cp:
        auth = await cp.call(call.Authorize(id_tag=UID))
    assert auth.id_tag_info["status"] == "Invalid"
