"""charger uptime: every time a charger comes online or goes offline (the chargers row keeps
only the latest connect and disconnect).

Revision ID: 0027
Revises: 0023
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from mobility.models.base import UTCDateTime

revision: str = "0027"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "charger_connection_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("node", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_charger_connection_events_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charger_connection_events")),
    )
    op.create_index(
        "ix_charger_connection_events_charger_time",
        "charger_connection_events",
        ["charger_id", "at"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_charger_connection_events_charger_time", table_name="charger_connection_events"
    )
    op.drop_table("charger_connection_events")
