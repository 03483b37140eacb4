"""users.locale: the language a user's pages and mails are in (en, fr, de).

Accounts made before this revision have none: their mails follow the request that sends them
(else English) until they switch language or choose one on their profile.

Revision ID: 0023
Revises: 0021
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0023"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A snapshot of the languages at this revision (migrations never import the live models).
LANGUAGES = ("en", "fr", "de")


def upgrade() -> None:
    listed = ", ".join(f"'{code}'" for code in LANGUAGES)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(8), nullable=True))
        batch_op.create_check_constraint(op.f("ck_users_locale_valid"), f"locale IN ({listed})")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_locale_valid"), type_="check")
        batch_op.drop_column("locale")
