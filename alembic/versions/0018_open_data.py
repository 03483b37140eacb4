"""open data: rotating public vehicle ids and hubs' return zones (GBFS feeds).

Revision ID: 0018
Revises: 0013
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0018"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hubs") as batch:
        batch.add_column(sa.Column("return_zone", sa.JSON(), nullable=True))
    with op.batch_alter_table("vehicles") as batch:
        batch.add_column(sa.Column("public_id", sa.String(length=36), nullable=True))
    # Every existing vehicle gets its own random id before the column becomes required.
    conn = op.get_bind()
    vehicles = sa.table("vehicles", sa.column("id", sa.Integer), sa.column("public_id", sa.String))
    for (vehicle_id,) in conn.execute(sa.select(vehicles.c.id)).all():
        conn.execute(
            vehicles.update().where(vehicles.c.id == vehicle_id).values(public_id=str(uuid.uuid4()))
        )
    with op.batch_alter_table("vehicles") as batch:
        batch.alter_column("public_id", existing_type=sa.String(length=36), nullable=False)
        batch.create_unique_constraint(op.f("uq_vehicles_public_id"), ["public_id"])


def downgrade() -> None:
    with op.batch_alter_table("vehicles") as batch:
        batch.drop_constraint(op.f("uq_vehicles_public_id"), type_="unique")
        batch.drop_column("public_id")
    with op.batch_alter_table("hubs") as batch:
        batch.drop_column("return_zone")
