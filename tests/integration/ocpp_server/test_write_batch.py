"""Batched persistence of status/meter reports on the real database."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from mobility.demo import seed_demo
from mobility.models import Connector, ConnectorStatusEvent, MeterValue
from ocpp_server.events import MeterReport, MeterSample, StatusReport
from ocpp_server.reports import write_batch

T = datetime(2026, 11, 24, 10, tzinfo=UTC)
METER = MeterReport(1, (MeterSample(T, "Energy.Active.Import.Register", Decimal(12500), "Wh"),))


def test_batch_stores_known_chargers_reports_and_newest_status_wins(db):
    seed_demo(db)
    later = datetime(2026, 11, 24, 10, 5, tzinfo=UTC)
    items = [
        ("CP-LYON-001", StatusReport(1, "Charging", later)),
        ("CP-LYON-001", StatusReport(1, "Available", T)),  # late report of an older state
        ("CP-UNKNOWN", METER),  # unknown charger: nothing to attach it to
        ("CP-LYON-002", METER),
    ]
    assert write_batch(db, items) == 3
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ConnectorStatusEvent)) == 2
        values = s.scalars(select(MeterValue)).all()
        assert [(v.value, v.unit) for v in values] == [(Decimal("12500.0000"), "Wh")]
        live = s.scalars(select(Connector.status).where(Connector.connector_id == 1)).all()
        assert "Charging" in live and "Available" not in live
