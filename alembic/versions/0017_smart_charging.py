"""smart charging: energy sites, price/PV/limit series, plans, flags; vehicles' home bay.

Revision ID: 0017
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from mobility.models.base import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "energy_sites",
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("grid_limit_kw", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("phase_limit_a", sa.Numeric(precision=8, scale=1), nullable=True),
        sa.Column("voltage_v", sa.Integer(), nullable=False),
        sa.Column("pv_peak_kwp", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("flat_price_eur_kwh", sa.Numeric(precision=8, scale=4), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("replan_requested_at", UTCDateTime(), nullable=True),
        sa.Column("planned_at", UTCDateTime(), nullable=True),
        sa.Column("inputs_digest", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["hubs.id"], name=op.f("fk_energy_sites_hub_id_hubs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_energy_sites")),
        sa.UniqueConstraint("hub_id", name=op.f("uq_energy_sites_hub_id")),
    )
    op.create_table(
        "energy_flags",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('booking_short', 'profile_rejected', 'not_followed')",
            name=op.f("ck_energy_flags_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["energy_sites.id"],
            name=op.f("fk_energy_flags_site_id_energy_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_energy_flags")),
    )
    with op.batch_alter_table("energy_flags", schema=None) as batch_op:
        batch_op.create_index("ix_energy_flags_site_open", ["site_id", "resolved_at"], unique=False)

    op.create_table(
        "energy_plans",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("start", UTCDateTime(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("short_bookings", sa.Integer(), nullable=False),
        sa.Column("peak_kw", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("cost_eur", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["energy_sites.id"],
            name=op.f("fk_energy_plans_site_id_energy_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_energy_plans")),
    )
    with op.batch_alter_table("energy_plans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_energy_plans_site_created", ["site_id", "created_at"], unique=False
        )

    op.create_table(
        "energy_series",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("slot_start", UTCDateTime(), nullable=False),
        sa.Column("value", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('price', 'pv', 'limit')", name=op.f("ck_energy_series_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["energy_sites.id"],
            name=op.f("fk_energy_series_site_id_energy_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_energy_series")),
        sa.UniqueConstraint(
            "site_id", "kind", "slot_start", name=op.f("uq_energy_series_site_id_kind_slot_start")
        ),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expected_distance_km", sa.Numeric(precision=8, scale=1), nullable=True)
        )

    with op.batch_alter_table("charging_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transaction_ref", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("digest", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_charging_profiles_connector",
            ["charger_id", "connector_id", "purpose"],
            unique=False,
        )

    with op.batch_alter_table("vehicles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("home_connector_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("max_charge_kw", sa.Numeric(precision=6, scale=1), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_vehicles_home_connector_id_connectors"),
            "connectors",
            ["home_connector_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("vehicles", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_vehicles_home_connector_id_connectors"), type_="foreignkey"
        )
        batch_op.drop_column("max_charge_kw")
        batch_op.drop_column("home_connector_id")

    with op.batch_alter_table("charging_profiles", schema=None) as batch_op:
        batch_op.drop_index("ix_charging_profiles_connector")
        batch_op.drop_column("digest")
        batch_op.drop_column("transaction_ref")

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("expected_distance_km")

    op.drop_table("energy_series")
    with op.batch_alter_table("energy_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_energy_plans_site_created")

    op.drop_table("energy_plans")
    with op.batch_alter_table("energy_flags", schema=None) as batch_op:
        batch_op.drop_index("ix_energy_flags_site_open")

    op.drop_table("energy_flags")
    op.drop_table("energy_sites")
