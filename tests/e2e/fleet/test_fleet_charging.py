"""A fleet card issued by an admin authorises at a real charger and bills the company."""

from datetime import UTC, datetime, timedelta

from ocpp.v16 import call
from sqlalchemy import select

from booking.fleet import services
from mobility.models import Company, Invoice, User
from tests.e2e.ocpp_server.conftest import connect


async def test_fleet_card_authorises_and_session_goes_on_company_invoice(server, db):
    with db.sessions() as s:
        admin = s.scalar(select(User).where(User.email == "fleet-admin@example.org"))
        driver = s.scalar(select(User).where(User.email == "driver@example.org"))
        company = s.scalar(select(Company))
    services.issue_card(db, admin, company.id, "ALPHA-7777", user_id=driver.id)
    start = datetime.now(UTC) - timedelta(minutes=70)
    async with connect(server) as cp:
        auth = await cp.call(call.Authorize(id_tag="ALPHA-7777"))
        assert auth.id_tag_info["status"] == "Accepted"
        tx = await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag="ALPHA-7777", meter_start=0, timestamp=start.isoformat()
            )
        )
        await cp.call(
            call.StopTransaction(
                meter_stop=10000,
                transaction_id=tx.transaction_id,
                timestamp=datetime.now(UTC).isoformat(),
            )
        )
        services.set_card_status(db, admin, company.id, "ALPHA-7777", blocked=True)
        blocked = await cp.call(call.Authorize(id_tag="ALPHA-7777"))
        assert blocked.id_tag_info["status"] == "Blocked"
    with db.sessions() as s:
        invoice = s.scalar(
            select(Invoice).where(Invoice.charging_transaction_id == tx.transaction_id)
        )
        assert invoice.company_id == company.id and invoice.user_id == driver.id
        assert invoice.bill_to["vat_id"] == company.vat_id and invoice.total_minor == 420
