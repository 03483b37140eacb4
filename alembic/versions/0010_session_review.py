"""charging sessions flagged for review when their readings cannot be billed as they are.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("charging_transactions") as batch:
        batch.add_column(sa.Column("review_reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("charging_transactions") as batch:
        batch.drop_column("review_reason")
