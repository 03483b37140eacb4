"""A roaming session is invoiced to its partner, charged to nobody, and its CDR is queued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from mobility.models import (
    ChargingTransaction,
    Invoice,
    OutboxItem,
    PartnerStatus,
    Payment,
    RoamingPartner,
    RoamingToken,
)
from mobility.roaming import CDR_DUE, roaming_grant
from tests.integration.billing.conftest import make_session


def _partner(s, status: str = PartnerStatus.REGISTERED, party: str = "EMS") -> RoamingPartner:
    partner = RoamingPartner(name="eMSP", status=status, country_code="NL", party_id=party)
    s.add(partner)
    s.flush()
    return partner


def _token(s, partner: RoamingPartner, uid: str, valid: bool = True, whitelist: str = "ALWAYS"):
    s.add(
        RoamingToken(
            partner_id=partner.id,
            country_code="NL",
            party_id="EMS",
            uid=uid,
            type="RFID",
            contract_id=f"C-{uid}",
            valid=valid,
            whitelist=whitelist,
            data={},
            last_updated=datetime.now(UTC),
        )
    )
    s.flush()


def test_partner_session_is_invoiced_to_the_partner_without_any_payment(db, core, demo):
    with db.transaction() as s:
        partner = _partner(s)
        tx = make_session(s, demo["charger"], wh=20000)
        tx.roaming_partner_id = partner.id
        invoice = core.billing.settle_charging(s, tx)
        again = core.billing.settle_charging(s, tx)
        assert invoice is not None and again is not None and again.id == invoice.id
        assert invoice.total_minor == 840 and invoice.user_id is None
        assert invoice.bill_to == {"name": "eMSP", "ocpi_party": "NL*EMS"}
        assert tx.billed
        tx_id = tx.id
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 0
        keys = list(s.scalars(select(OutboxItem.key).where(OutboxItem.kind == CDR_DUE)))
        assert keys == [f"{CDR_DUE}:{tx_id}"]


def test_a_free_partner_session_has_no_invoice_but_still_a_cdr(db, core, demo):
    with db.transaction() as s:
        partner = _partner(s)
        tx = make_session(s, demo["charger"], wh=0)
        tx.roaming_partner_id = partner.id
        assert core.billing.settle_charging(s, tx) is None
        assert tx.billed
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Invoice)) == 0
        assert (
            s.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.kind == CDR_DUE))
            == 1
        )


def test_roaming_grant_follows_the_partners_word(db):
    with db.transaction() as s:
        partner = _partner(s)
        gone = _partner(s, PartnerStatus.UNREGISTERED, party="OLD")
        _token(s, partner, "OK-1")
        _token(s, partner, "BLOCKED-1", valid=False)
        _token(s, partner, "REALTIME-1", whitelist="NEVER")
        _token(s, gone, "GONE-1")
        partner_id = partner.id
    with db.sessions() as s:
        ok = roaming_grant(s, "OK-1")
        assert ok is not None and (ok.status, ok.partner_id) == ("Accepted", partner_id)
        assert roaming_grant(s, "BLOCKED-1").status == "Blocked"
        assert roaming_grant(s, "REALTIME-1").status == "Blocked"  # real-time only: not offered
        assert roaming_grant(s, "GONE-1") is None and roaming_grant(s, "NOBODY") is None


def test_cost_so_far_of_a_running_session_prices_up_to_now(db, core, demo):
    with db.transaction() as s:
        tx = make_session(s, demo["charger"], wh=20000)
        tx.stopped_at, tx.meter_stop_wh, tx.status = None, None, "active"
        tx.started_at = datetime.now(UTC) - timedelta(hours=1)
        s.flush()
        running = core.billing.priced_charging(s, tx, until=datetime.now(UTC))
        assert running.price.total_minor == 0  # no reading yet: nothing delivered
        assert running.tariff.code == "CHARGE-STD" and running.periods
        assert s.get(ChargingTransaction, tx.id) is tx
