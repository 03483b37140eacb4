"""OCPP 1.6 state kept per charger: configuration keys, local list, reservations' bookings.

Revision ID: 0014
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from mobility.models.base import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _charger_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["charger_id"],
        ["chargers.id"],
        name=op.f(f"fk_{table}_charger_id_chargers"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "charger_configuration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("readonly", sa.Boolean(), nullable=True),
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.Column("pending_value", sa.Text(), nullable=True),
        sa.Column("change_status", sa.String(length=20), nullable=True),
        sa.Column("reported_at", UTCDateTime(), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=True),
        _charger_fk("charger_configuration"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charger_configuration")),
        sa.UniqueConstraint(
            "charger_id", "key", name=op.f("uq_charger_configuration_charger_id_key")
        ),
    )
    op.create_table(
        "local_list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("id_tag", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("parent_id_tag", sa.String(length=36), nullable=True),
        _charger_fk("local_list_entries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_list_entries")),
        sa.UniqueConstraint(
            "charger_id", "id_tag", name=op.f("uq_local_list_entries_charger_id_id_tag")
        ),
    )
    with op.batch_alter_table("chargers") as batch:
        batch.add_column(sa.Column("local_list_synced_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("local_list_status", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("local_list_digest", sa.String(length=64), nullable=True))
    with op.batch_alter_table("charger_reservations") as batch:
        batch.add_column(sa.Column("booking_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_charger_reservations_booking_id_bookings"),
            "bookings",
            ["booking_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_charger_reservations_booking_id"), ["booking_id"])


def downgrade() -> None:
    with op.batch_alter_table("charger_reservations") as batch:
        batch.drop_index(op.f("ix_charger_reservations_booking_id"))
        batch.drop_constraint(
            op.f("fk_charger_reservations_booking_id_bookings"), type_="foreignkey"
        )
        batch.drop_column("booking_id")
    with op.batch_alter_table("chargers") as batch:
        batch.drop_column("local_list_digest")
        batch.drop_column("local_list_status")
        batch.drop_column("local_list_synced_version")
    op.drop_table("local_list_entries")
    op.drop_table("charger_configuration")
