"""OCPP 2.0.1 device model per charger and ISO 15118 charging needs (the planner reads them).

Revision ID: 0019
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from mobility.models.base import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "charger_variables",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("component", sa.String(length=50), nullable=False),
        sa.Column("component_instance", sa.String(length=50), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("variable", sa.String(length=50), nullable=False),
        sa.Column("variable_instance", sa.String(length=50), nullable=False),
        sa.Column("attribute_type", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=2500), nullable=True),
        sa.Column("mutability", sa.String(length=10), nullable=True),
        sa.Column("data_type", sa.String(length=20), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("reboot_required", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_charger_variables_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charger_variables")),
        sa.UniqueConstraint(
            "charger_id",
            "component",
            "component_instance",
            "evse_id",
            "connector_id",
            "variable",
            "variable_instance",
            "attribute_type",
            name=op.f(
                "uq_charger_variables_charger_id_component_component_instance_evse_id_connector_id_variable_variable_instance_attribute_type"
            ),
        ),
    )
    op.create_table(
        "ev_charging_needs",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("departure_at", UTCDateTime(), nullable=True),
        sa.Column("energy_wh", sa.BigInteger(), nullable=True),
        sa.Column("max_power_w", sa.Integer(), nullable=True),
        sa.Column("soc_percent", sa.Integer(), nullable=True),
        sa.Column("transfer_mode", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_ev_charging_needs_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ev_charging_needs")),
    )
    with op.batch_alter_table("ev_charging_needs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ev_charging_needs_connector",
            ["charger_id", "connector_id", "received_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("ev_charging_needs", schema=None) as batch_op:
        batch_op.drop_index("ix_ev_charging_needs_connector")

    op.drop_table("ev_charging_needs")
    op.drop_table("charger_variables")
