"""users.email_verified_at: new accounts confirm their e-mail before signing in.

Accounts made before this revision keep signing in: they count as confirmed from now.

Revision ID: 0013
Revises: 0019
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from alembic import op
from mobility.models.base import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_verified_at", UTCDateTime(), nullable=True))
    users = sa.table("users", sa.column("email_verified_at", UTCDateTime()))
    op.execute(users.update().values(email_verified_at=datetime.now(UTC)))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_verified_at")
