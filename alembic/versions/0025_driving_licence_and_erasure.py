"""users: the driving licence an operator verifies for e-car bookings, and account erasure.

The unused `driving_licence_verified` flag gives way to who verified the licence and when;
`deleted_at` marks an account whose owner deleted it (personal data erased, row anonymous).

Revision ID: 0025
Revises: 0026
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from mobility.models.base import UTCDateTime

revision: str = "0025"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("driving_licence_number", sa.String(40), nullable=True))
        batch_op.add_column(sa.Column("driving_licence_country", sa.String(2), nullable=True))
        batch_op.add_column(sa.Column("driving_licence_expires_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("driving_licence_verified_at", UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("driving_licence_verified_by_id", sa.Integer(), nullable=True)
        )
        batch_op.add_column(sa.Column("deleted_at", UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_driving_licence_verified_by_id_users"),
            "users",
            ["driving_licence_verified_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_column("driving_licence_verified")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "driving_licence_verified",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch_op.drop_constraint(
            batch_op.f("fk_users_driving_licence_verified_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("driving_licence_verified_by_id")
        batch_op.drop_column("driving_licence_verified_at")
        batch_op.drop_column("driving_licence_expires_on")
        batch_op.drop_column("driving_licence_country")
        batch_op.drop_column("driving_licence_number")
