"""charging core: protocol-neutral transaction ids (text) and message sequence numbers.

Existing sessions keep their OCPP 1.6 id as text; sessions only ever seen at their stop
(orphans) keep the charger's id under an "orphan:" prefix so it never collides with ours.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "charging_transactions"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("transaction_ref", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("last_seq_no", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE charging_transactions SET transaction_ref = CASE WHEN orphan "
        "THEN 'orphan:' || COALESCE(remote_transaction_id, CAST(id AS VARCHAR(20))) "
        "ELSE CAST(id AS VARCHAR(20)) END"
    )
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("remote_transaction_id")
        batch.create_unique_constraint(
            op.f("uq_charging_transactions_charger_id_transaction_ref"),
            ["charger_id", "transaction_ref"],
        )


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("remote_transaction_id", sa.String(length=36), nullable=True))
    op.execute(
        "UPDATE charging_transactions SET remote_transaction_id = SUBSTR(transaction_ref, 8) "
        "WHERE orphan"
    )
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint(
            op.f("uq_charging_transactions_charger_id_transaction_ref"), type_="unique"
        )
        batch.drop_column("last_seq_no")
        batch.drop_column("transaction_ref")
