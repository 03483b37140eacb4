"""charger security: security profile per charger, certificates and security events.

Revision ID: 0015
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from mobility.models.base import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A snapshot of the certificate states at this revision (migrations never import the models).
CERTIFICATE_STATES = (
    "requested",
    "refused",
    "issued",
    "accepted",
    "rejected",
    "installed",
    "superseded",
    "deleted",
)


def upgrade() -> None:
    with op.batch_alter_table("chargers") as batch:
        batch.add_column(
            sa.Column("security_profile", sa.Integer(), nullable=False, server_default="1")
        )
        batch.create_check_constraint(
            op.f("ck_chargers_security_profile_valid"), "security_profile BETWEEN 1 AND 3"
        )
    with op.batch_alter_table("chargers") as batch:
        batch.alter_column("security_profile", server_default=None)
    _certificates()
    _security_events()


def _certificates() -> None:
    states = ", ".join(f"'{s}'" for s in CERTIFICATE_STATES)
    op.create_table(
        "charger_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("serial_number", sa.String(length=64), nullable=True),
        sa.Column("subject", sa.String(length=400), nullable=True),
        sa.Column("issuer", sa.String(length=400), nullable=True),
        sa.Column("not_before", UTCDateTime(), nullable=True),
        sa.Column("not_after", UTCDateTime(), nullable=True),
        sa.Column("csr", sa.Text(), nullable=True),
        sa.Column("pem", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("renewal_requested_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            f"status IN ({states})", name=op.f("ck_charger_certificates_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_charger_certificates_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charger_certificates")),
    )
    op.create_index(
        "ix_charger_certificates_charger_kind", "charger_certificates", ["charger_id", "kind"]
    )
    op.create_index(
        "ix_charger_certificates_status_expiry", "charger_certificates", ["status", "not_after"]
    )


def _security_events() -> None:
    op.create_table(
        "charger_security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("timestamp", UTCDateTime(), nullable=False),
        sa.Column("tech_info", sa.String(length=255), nullable=True),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_charger_security_events_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_charger_security_events_acknowledged_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charger_security_events")),
        sa.UniqueConstraint(
            "charger_id",
            "type",
            "timestamp",
            name=op.f("uq_charger_security_events_charger_id_type_timestamp"),
        ),
    )
    op.create_index(
        "ix_charger_security_events_charger_time",
        "charger_security_events",
        ["charger_id", "timestamp"],
    )
    op.create_index(
        "ix_charger_security_events_open",
        "charger_security_events",
        ["critical", "acknowledged_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_charger_security_events_open", table_name="charger_security_events")
    op.drop_index("ix_charger_security_events_charger_time", table_name="charger_security_events")
    op.drop_table("charger_security_events")
    op.drop_index("ix_charger_certificates_status_expiry", table_name="charger_certificates")
    op.drop_index("ix_charger_certificates_charger_kind", table_name="charger_certificates")
    op.drop_table("charger_certificates")
    with op.batch_alter_table("chargers") as batch:
        batch.drop_constraint(op.f("ck_chargers_security_profile_valid"), type_="check")
        batch.drop_column("security_profile")
