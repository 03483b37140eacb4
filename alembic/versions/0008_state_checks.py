"""states as checked enums: every state/kind/role column only holds its enum's values.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A snapshot of the enums at this revision (migrations never import the live models).
CHECKS: dict[str, dict[str, tuple[str, ...]]] = {
    "users": {"role": ("citizen", "operator")},
    "memberships": {"role": ("member", "admin"), "status": ("active", "removed")},
    "id_tokens": {"status": ("Accepted", "Blocked", "Expired", "Invalid")},
    "vehicles": {
        "kind": ("ebike", "ecar"),
        "state": ("available", "in_use", "maintenance", "offline", "retired"),
        "visibility": ("public", "fleet_only", "shared_hours"),
    },
    "bookings": {"status": ("confirmed", "active", "completed", "cancelled", "no_show")},
    "trips": {"status": ("active", "ended")},
    "tariffs": {"scope": ("ebike", "ecar", "charging")},
    "invoices": {
        "kind": ("trip", "charging", "fleet_monthly", "cancellation", "credit_note"),
        "status": ("open", "paid", "consolidated", "payment_failed", "void", "uncollectible"),
    },
    "payments": {
        "kind": ("hold", "capture", "release", "charge", "refund", "invoice"),
        "status": (
            "pending",
            "requires_capture",
            "succeeded",
            "failed",
            "cancelled",
            "refunded",
            "disputed",
        ),
    },
    "chargers": {"registration_status": ("Accepted", "Pending", "Rejected")},
    "charging_transactions": {"status": ("active", "completed")},
    "charger_reservations": {
        "status": (
            "requested",
            "accepted",
            "faulted",
            "occupied",
            "rejected",
            "unavailable",
            "cancelled",
            "used",
            "expired",
        )
    },
    "charger_commands": {"status": ("pending", "answered", "error", "timeout", "offline")},
}


def upgrade() -> None:
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for column, values in columns.items():
                listed = ", ".join(f"'{v}'" for v in values)
                batch.create_check_constraint(
                    op.f(f"ck_{table}_{column}_valid"), f"{column} IN ({listed})"
                )


def downgrade() -> None:
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_constraint(op.f(f"ck_{table}_{column}_valid"), type_="check")
