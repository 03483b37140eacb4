"""OCPP 2.0.1 stations: connectors inside EVSEs, variable monitors, device events, customer
information parts, the charging schedules ISO 15118 vehicles plan and token types in local lists.

Revision ID: 0022
Revises: 0025
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from mobility.models.base import UTCDateTime

revision: str = "0022"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "charger_device_events",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("timestamp", UTCDateTime(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("notification_type", sa.String(length=30), nullable=False),
        sa.Column("component", sa.String(length=50), nullable=False),
        sa.Column("component_instance", sa.String(length=50), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("variable", sa.String(length=50), nullable=False),
        sa.Column("variable_instance", sa.String(length=50), nullable=False),
        sa.Column("actual_value", sa.String(length=2500), nullable=False),
        sa.Column("cause", sa.BigInteger(), nullable=True),
        sa.Column("tech_code", sa.String(length=50), nullable=True),
        sa.Column("tech_info", sa.String(length=500), nullable=True),
        sa.Column("cleared", sa.Boolean(), nullable=True),
        sa.Column("transaction_ref", sa.String(length=36), nullable=True),
        sa.Column("monitor_id", sa.Integer(), nullable=True),
        sa.Column("severity", sa.Integer(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_charger_device_events_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charger_device_events")),
        sa.UniqueConstraint(
            "charger_id",
            "event_id",
            "timestamp",
            name=op.f("uq_charger_device_events_charger_id_event_id_timestamp"),
        ),
    )
    with op.batch_alter_table("charger_device_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_charger_device_events_charger_time", ["charger_id", "timestamp"], unique=False
        )

    op.create_table(
        "charger_monitors",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("monitor_id", sa.Integer(), nullable=False),
        sa.Column("component", sa.String(length=50), nullable=False),
        sa.Column("component_instance", sa.String(length=50), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("variable", sa.String(length=50), nullable=False),
        sa.Column("variable_instance", sa.String(length=50), nullable=False),
        sa.Column("monitor_type", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("transaction_only", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_charger_monitors_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charger_monitors")),
        sa.UniqueConstraint(
            "charger_id", "monitor_id", name=op.f("uq_charger_monitors_charger_id_monitor_id")
        ),
    )
    op.create_table(
        "customer_information_parts",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("seq_no", sa.Integer(), nullable=False),
        sa.Column("data", sa.String(length=512), nullable=False),
        sa.Column("tbc", sa.Boolean(), nullable=False),
        sa.Column("generated_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_customer_information_parts_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_information_parts")),
        sa.UniqueConstraint(
            "charger_id",
            "request_id",
            "seq_no",
            name=op.f("uq_customer_information_parts_charger_id_request_id_seq_no"),
        ),
    )
    op.create_table(
        "ev_charging_schedules",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("time_base", UTCDateTime(), nullable=False),
        sa.Column("periods_w", sa.JSON(), nullable=False),
        sa.Column("max_power_w", sa.Integer(), nullable=True),
        sa.Column("within_limits", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_ev_charging_schedules_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ev_charging_schedules")),
    )
    with op.batch_alter_table("ev_charging_schedules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ev_charging_schedules_connector",
            ["charger_id", "connector_id", "received_at"],
            unique=False,
        )

    op.create_table(
        "evse_connectors",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("connector_type", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("status_at", UTCDateTime(), nullable=True),
        sa.Column("availability", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_evse_connectors_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evse_connectors")),
        sa.UniqueConstraint(
            "charger_id",
            "evse_id",
            "connector_id",
            name=op.f("uq_evse_connectors_charger_id_evse_id_connector_id"),
        ),
    )
    with op.batch_alter_table("charging_transactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evse_connector_id", sa.Integer(), nullable=True))

    with op.batch_alter_table("connector_status_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evse_connector_id", sa.Integer(), nullable=True))

    with op.batch_alter_table("local_list_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("local_list_entries", schema=None) as batch_op:
        batch_op.drop_column("kind")

    with op.batch_alter_table("connector_status_events", schema=None) as batch_op:
        batch_op.drop_column("evse_connector_id")

    with op.batch_alter_table("charging_transactions", schema=None) as batch_op:
        batch_op.drop_column("evse_connector_id")

    op.drop_table("evse_connectors")
    with op.batch_alter_table("ev_charging_schedules", schema=None) as batch_op:
        batch_op.drop_index("ix_ev_charging_schedules_connector")

    op.drop_table("ev_charging_schedules")
    op.drop_table("customer_information_parts")
    op.drop_table("charger_monitors")
    with op.batch_alter_table("charger_device_events", schema=None) as batch_op:
        batch_op.drop_index("ix_charger_device_events_charger_time")

    op.drop_table("charger_device_events")
