"""OCPI roaming: partners, their drivers' tokens, sessions billed and reservations made for them.

Revision ID: 0020
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from mobility.models.base import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roaming_partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("token_a_digest", sa.String(length=64), nullable=True),
        sa.Column("token_c_digest", sa.String(length=64), nullable=True),
        sa.Column("token_b", sa.String(length=64), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("party_id", sa.String(length=3), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=True),
        sa.Column("business_details", sa.JSON(), nullable=True),
        sa.Column("versions_url", sa.String(length=255), nullable=True),
        sa.Column("version", sa.String(length=10), nullable=True),
        sa.Column("endpoints", sa.JSON(), nullable=True),
        sa.Column("registered_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'registered', 'unregistered')",
            name=op.f("ck_roaming_partners_status_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roaming_partners")),
        sa.UniqueConstraint(
            "country_code", "party_id", name=op.f("uq_roaming_partners_country_code_party_id")
        ),
        sa.UniqueConstraint("token_a_digest", name=op.f("uq_roaming_partners_token_a_digest")),
        sa.UniqueConstraint("token_c_digest", name=op.f("uq_roaming_partners_token_c_digest")),
    )
    op.create_table(
        "roaming_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("party_id", sa.String(length=3), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("whitelist", sa.String(length=20), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("last_updated", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["roaming_partners.id"],
            name=op.f("fk_roaming_tokens_partner_id_roaming_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roaming_tokens")),
        sa.UniqueConstraint(
            "country_code",
            "party_id",
            "uid",
            "type",
            name=op.f("uq_roaming_tokens_country_code_party_id_uid_type"),
        ),
    )
    op.create_index("ix_roaming_tokens_uid", "roaming_tokens", ["uid"])
    op.create_index(op.f("ix_roaming_tokens_partner_id"), "roaming_tokens", ["partner_id"])
    with op.batch_alter_table("charging_transactions") as batch:
        batch.add_column(sa.Column("roaming_partner_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_charging_transactions_roaming_partner_id_roaming_partners"),
            "roaming_partners",
            ["roaming_partner_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("charger_reservations") as batch:
        batch.add_column(sa.Column("roaming_ref", sa.String(length=80), nullable=True))
        batch.create_unique_constraint(op.f("uq_charger_reservations_roaming_ref"), ["roaming_ref"])


def downgrade() -> None:
    with op.batch_alter_table("charger_reservations") as batch:
        batch.drop_constraint(op.f("uq_charger_reservations_roaming_ref"), type_="unique")
        batch.drop_column("roaming_ref")
    with op.batch_alter_table("charging_transactions") as batch:
        batch.drop_constraint(
            op.f("fk_charging_transactions_roaming_partner_id_roaming_partners"),
            type_="foreignkey",
        )
        batch.drop_column("roaming_partner_id")
    op.drop_index(op.f("ix_roaming_tokens_partner_id"), table_name="roaming_tokens")
    op.drop_index("ix_roaming_tokens_uid", table_name="roaming_tokens")
    op.drop_table("roaming_tokens")
    op.drop_table("roaming_partners")
