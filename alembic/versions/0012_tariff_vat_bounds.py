"""tariffs carry their min/max price incl. VAT too (OCPI Price: excl_vat and incl_vat).

Revision ID: 0012
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tariffs") as batch:
        batch.add_column(
            sa.Column("min_price_incl_vat", sa.Numeric(precision=12, scale=4), nullable=True)
        )
        batch.add_column(
            sa.Column("max_price_incl_vat", sa.Numeric(precision=12, scale=4), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("tariffs") as batch:
        batch.drop_column("max_price_incl_vat")
        batch.drop_column("min_price_incl_vat")
