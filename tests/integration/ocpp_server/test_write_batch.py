"""Batched persistence of status/meter reports: one bad report never sinks the batch."""

from sqlalchemy import func, select

from mobility.demo import seed_demo
from mobility.models import ConnectorStatusEvent, MeterValue
from ocpp_server.services import write_batch

STATUS = {
    "connector_id": 1,
    "error_code": "NoError",
    "status": "Available",
    "timestamp": "2026-11-24T10:00:00Z",
}
METER = {
    "connector_id": 1,
    "meter_value": [
        {"timestamp": "2026-11-24T10:00:00Z", "sampled_value": [{"value": "12.5", "unit": "kWh"}]}
    ],
}


def test_batch_keeps_good_reports_and_skips_bad_ones(db):
    seed_demo(db)
    items = [
        ("CP-LYON-001", "status", STATUS),
        ("CP-LYON-001", "status", {"status": "Faulted"}),  # no connector id
        ("CP-UNKNOWN", "meter", METER),  # unknown charger
        ("CP-LYON-002", "meter", METER),
        (
            "CP-LYON-002",
            "meter",
            {
                "connector_id": 1,
                "meter_value": [
                    {"timestamp": "2026-11-24T10:00:00Z", "sampled_value": [{"value": "NaNish"}]}
                ],
            },
        ),
    ]
    assert write_batch(db, items) == 2  # the two readable reports
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ConnectorStatusEvent)) == 1
        values = s.scalars(select(MeterValue)).all()
        assert [(str(v.value), v.unit) for v in values] == [("12.5000", "kWh")]
