"""console dashboard: invoices remember the tariff that priced them, and the time indexes
the dashboard and the live running sessions read by.

Revision ID: 0021
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0021"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_invoices_issued", "invoices", ["issued_at"]),
    ("ix_bookings_start", "bookings", ["start_at"]),
    ("ix_trips_started", "trips", ["started_at"]),
    ("ix_connector_status_events_time", "connector_status_events", ["timestamp"]),
    ("ix_charging_transactions_status", "charging_transactions", ["status", "started_at"]),
)


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("tariff_code", sa.String(length=36), nullable=True))
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("tariff_code")
