"""The dashboard sums connector availability in SQL exactly as the pure fold does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from console import dashboard as fold
from console.services import dashboard_rows as rows
from mobility.demo import seed_demo
from mobility.models import Connector, ConnectorStatusEvent

PARIS = ZoneInfo("Europe/Paris")
DAYS = [date(2026, 3, 28), date(2026, 3, 29)]  # the second one has 23 hours (DST)
SINCE = datetime(2026, 3, 28, tzinfo=PARIS)
UNTIL = datetime(2026, 3, 29, 20, 0, tzinfo=PARIS)  # "now", in the second day
STATUS = st.sampled_from(["Available", "Charging", "Faulted", "Unavailable", "SuspendedEV"])
# (connector of the six demo ones, seconds from SINCE, status)
REPORTS = st.lists(
    st.tuples(st.integers(0, 5), st.integers(-30 * 3600, 45 * 3600), STATUS), max_size=25
)
SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def connectors(db) -> list[tuple[int, int]]:
    seed_demo(db)
    with db.sessions() as s:
        found = s.execute(
            select(Connector.charger_id, Connector.connector_id)
            .where(Connector.connector_id > 0)
            .order_by(Connector.id)
        )
        return [(c, n) for c, n in found]


def _store(db: Any, connectors: list[tuple[int, int]], reports) -> None:
    """The reports as the OCPP server stores them: each one kept, and each connector's status
    its latest report's; connectors without one have been Available for long."""
    origin = SINCE.astimezone(UTC)
    latest: dict[tuple[int, int], tuple[datetime, str]] = {}
    with db.transaction() as s:
        s.execute(delete(ConnectorStatusEvent))
        s.execute(
            update(Connector).values(status="Available", status_at=origin - timedelta(days=9))
        )
        for index, offset, status in reports:
            charger, connector = connectors[index]
            at = origin + timedelta(seconds=offset)
            s.add(
                ConnectorStatusEvent(
                    charger_id=charger, connector_id=connector, status=status, timestamp=at
                )
            )
            if (charger, connector) not in latest or at >= latest[(charger, connector)][0]:
                latest[(charger, connector)] = (at, status)
        for (charger, connector), (at, status) in latest.items():
            s.execute(
                update(Connector)
                .where(Connector.charger_id == charger, Connector.connector_id == connector)
                .values(status=status, status_at=at)
            )


@SLOW
@given(reports=REPORTS)
@example(reports=[(0, -3600, "Faulted"), (0, 6 * 3600, "Available")])
@example(reports=[(1, 10, "Faulted"), (1, 10, "Charging"), (1, 7200, "Unavailable")])
def test_sql_sums_agree_with_the_fold(db, connectors, reports):
    _store(db, connectors, reports)
    with db.sessions() as s:
        steady = rows.steady_connectors(s, SINCE)
        bounds = fold.day_bounds(DAYS, PARIS, SINCE, UNTIL)
        in_sql = fold.availability_shares(
            rows.availability_seconds(s, bounds, SINCE, UNTIL), steady, bounds
        )
        folded = fold.availability_by_day(
            rows.status_changes(s, SINCE, UNTIL), steady, DAYS, PARIS, (SINCE, UNTIL)
        )
    assert in_sql == folded
