"""initial schema

Revision ID: 0001
Revises:

"""

from collections.abc import Sequence

import sqlalchemy as sa

import mobility.models.base
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("vat_id", sa.String(length=20), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("billing_street", sa.String(length=200), nullable=False),
        sa.Column("billing_postcode", sa.String(length=20), nullable=False),
        sa.Column("billing_city", sa.String(length=100), nullable=False),
        sa.Column("billing_country", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("monthly_limit_minor", sa.BigInteger(), nullable=True),
        sa.Column("stripe_customer_id", sa.String(length=64), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("vat_id", name=op.f("uq_companies_vat_id")),
    )
    op.create_table(
        "hubs",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("postcode", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("timezone", sa.String(length=50), nullable=False),
        sa.Column("opening_hours", sa.JSON(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hubs")),
        sa.UniqueConstraint("slug", name=op.f("uq_hubs_slug")),
    )
    op.create_table(
        "invoice_sequences",
        sa.Column("series", sa.String(length=20), nullable=False),
        sa.Column("next_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", name=op.f("pk_invoice_sequences")),
    )
    op.create_table(
        "users",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("driving_licence_verified", sa.Boolean(), nullable=False),
        sa.Column("stripe_customer_id", sa.String(length=64), nullable=True),
        sa.Column("last_login_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "webhook_events",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("processed_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_events")),
        sa.UniqueConstraint(
            "provider", "event_id", name=op.f("uq_webhook_events_provider_event_id")
        ),
    )
    op.create_table(
        "api_tokens",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "cost_centres",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_cost_centres_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_centres")),
        sa.UniqueConstraint("company_id", "code", name=op.f("uq_cost_centres_company_id_code")),
    )
    op.create_table(
        "payment_methods",
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_ref", sa.String(length=64), nullable=False),
        sa.Column("brand", sa.String(length=20), nullable=True),
        sa.Column("last4", sa.String(length=4), nullable=True),
        sa.Column("exp_month", sa.Integer(), nullable=True),
        sa.Column("exp_year", sa.Integer(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_payment_methods_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_payment_methods_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_methods")),
        sa.UniqueConstraint("provider_ref", name=op.f("uq_payment_methods_provider_ref")),
    )
    op.create_table(
        "tariffs",
        sa.Column("code", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("elements", sa.JSON(), nullable=False),
        sa.Column("min_price_excl_vat", sa.Numeric(precision=12, scale=4), nullable=True),
        sa.Column("max_price_excl_vat", sa.Numeric(precision=12, scale=4), nullable=True),
        sa.Column("daily_cap_excl_vat", sa.Numeric(precision=12, scale=4), nullable=True),
        sa.Column("default_vat_percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_to", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_tariffs_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariffs")),
        sa.UniqueConstraint("code", name=op.f("uq_tariffs_code")),
    )
    with op.batch_alter_table("tariffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tariffs_scope"), ["scope"], unique=False)

    op.create_table(
        "chargers",
        sa.Column("charge_point_id", sa.String(length=64), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("registration_status", sa.String(length=20), nullable=False),
        sa.Column("ocpp_version", sa.String(length=10), nullable=True),
        sa.Column("vendor", sa.String(length=50), nullable=True),
        sa.Column("model", sa.String(length=50), nullable=True),
        sa.Column("serial_number", sa.String(length=50), nullable=True),
        sa.Column("firmware_version", sa.String(length=50), nullable=True),
        sa.Column("iccid", sa.String(length=20), nullable=True),
        sa.Column("imsi", sa.String(length=20), nullable=True),
        sa.Column("meter_type", sa.String(length=50), nullable=True),
        sa.Column("meter_serial_number", sa.String(length=50), nullable=True),
        sa.Column("heartbeat_interval", sa.Integer(), nullable=False),
        sa.Column("max_power_w", sa.Integer(), nullable=True),
        sa.Column("is_online", sa.Boolean(), nullable=False),
        sa.Column("connected_node", sa.String(length=64), nullable=True),
        sa.Column("last_seen_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_boot_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("connected_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "disconnected_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("diagnostics_status", sa.String(length=30), nullable=True),
        sa.Column("firmware_status", sa.String(length=30), nullable=True),
        sa.Column("local_list_version", sa.Integer(), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("tariff_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["hubs.id"], name=op.f("fk_chargers_hub_id_hubs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["tariff_id"],
            ["tariffs.id"],
            name=op.f("fk_chargers_tariff_id_tariffs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chargers")),
        sa.UniqueConstraint("charge_point_id", name=op.f("uq_chargers_charge_point_id")),
    )
    with op.batch_alter_table("chargers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chargers_hub_id"), ["hub_id"], unique=False)

    op.create_table(
        "invitations",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("cost_centre_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_invitations_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cost_centre_id"],
            ["cost_centres.id"],
            name=op.f("fk_invitations_cost_centre_id_cost_centres"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_table(
        "memberships",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("cost_centre_id", sa.Integer(), nullable=True),
        sa.Column("monthly_limit_minor", sa.BigInteger(), nullable=True),
        sa.Column("allowed_vehicle_kinds", sa.JSON(), nullable=True),
        sa.Column("allowed_hub_ids", sa.JSON(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_memberships_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cost_centre_id"],
            ["cost_centres.id"],
            name=op.f("fk_memberships_cost_centre_id_cost_centres"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint(
            "company_id", "user_id", name=op.f("uq_memberships_company_id_user_id")
        ),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memberships_user_id"), ["user_id"], unique=False)

    op.create_table(
        "vehicles",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("plate", sa.String(length=20), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("battery_kwh", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("max_range_km", sa.Integer(), nullable=False),
        sa.Column("soc_percent", sa.Integer(), nullable=False),
        sa.Column("odometer_km", sa.Numeric(precision=10, scale=1), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("owner_company_id", sa.Integer(), nullable=True),
        sa.Column("visibility", sa.String(length=20), nullable=False),
        sa.Column("public_hours", sa.JSON(), nullable=True),
        sa.Column("tariff_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "soc_percent >= 0 AND soc_percent <= 100", name=op.f("ck_vehicles_soc_range")
        ),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["hubs.id"], name=op.f("fk_vehicles_hub_id_hubs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["owner_company_id"],
            ["companies.id"],
            name=op.f("fk_vehicles_owner_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tariff_id"],
            ["tariffs.id"],
            name=op.f("fk_vehicles_tariff_id_tariffs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicles")),
        sa.UniqueConstraint("code", name=op.f("uq_vehicles_code")),
    )
    with op.batch_alter_table("vehicles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vehicles_hub_id"), ["hub_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vehicles_kind"), ["kind"], unique=False)

    op.create_table(
        "bookings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("cost_centre_id", sa.Integer(), nullable=True),
        sa.Column("start_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("block_end_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("min_soc_percent", sa.Integer(), nullable=True),
        sa.Column("quote_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cancel_fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("cancelled_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("no_show_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("payment_hold_ref", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("block_end_at >= end_at", name=op.f("ck_bookings_buffer_order")),
        sa.CheckConstraint("end_at > start_at", name=op.f("ck_bookings_slot_order")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_bookings_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cost_centre_id"],
            ["cost_centres.id"],
            name=op.f("fk_bookings_cost_centre_id_cost_centres"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["hubs.id"], name=op.f("fk_bookings_hub_id_hubs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_bookings_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicles.id"],
            name=op.f("fk_bookings_vehicle_id_vehicles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index("ix_bookings_user_start", ["user_id", "start_at"], unique=False)
        batch_op.create_index(
            "ix_bookings_vehicle_slot", ["vehicle_id", "start_at", "block_end_at"], unique=False
        )

    op.create_table(
        "charger_commands",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_charger_commands_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_charger_commands_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charger_commands")),
    )
    with op.batch_alter_table("charger_commands", schema=None) as batch_op:
        batch_op.create_index(
            "ix_charger_commands_charger_time", ["charger_id", "created_at"], unique=False
        )

    op.create_table(
        "charger_events",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_charger_events_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charger_events")),
    )
    with op.batch_alter_table("charger_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_charger_events_charger_time", ["charger_id", "received_at"], unique=False
        )

    op.create_table(
        "charger_reservations",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("id_tag", sa.String(length=36), nullable=False),
        sa.Column("parent_id_tag", sa.String(length=36), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_charger_reservations_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_charger_reservations_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charger_reservations")),
    )
    op.create_table(
        "charging_profiles",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("stack_level", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("cleared_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_charging_profiles_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charging_profiles")),
    )
    op.create_table(
        "connector_status_events",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("error_code", sa.String(length=40), nullable=False),
        sa.Column("info", sa.String(length=50), nullable=True),
        sa.Column("vendor_id", sa.String(length=255), nullable=True),
        sa.Column("vendor_error_code", sa.String(length=50), nullable=True),
        sa.Column("timestamp", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_connector_status_events_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_status_events")),
    )
    with op.batch_alter_table("connector_status_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_connector_status_events_charger_time", ["charger_id", "timestamp"], unique=False
        )

    op.create_table(
        "connectors",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("standard", sa.String(length=30), nullable=False),
        sa.Column("max_power_w", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("error_code", sa.String(length=40), nullable=False),
        sa.Column("info", sa.String(length=50), nullable=True),
        sa.Column("vendor_error_code", sa.String(length=50), nullable=True),
        sa.Column("status_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("availability", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_connectors_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connectors")),
        sa.UniqueConstraint(
            "charger_id", "connector_id", name=op.f("uq_connectors_charger_id_connector_id")
        ),
    )
    op.create_table(
        "id_tokens",
        sa.Column("id_tag", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("expires_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("parent_id_tag", sa.String(length=36), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_id_tokens_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_id_tokens_user_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicles.id"],
            name=op.f("fk_id_tokens_vehicle_id_vehicles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_id_tokens")),
        sa.UniqueConstraint("id_tag", name=op.f("uq_id_tokens_id_tag")),
    )
    with op.batch_alter_table("id_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_id_tokens_company_id", ["company_id"], unique=False)

    op.create_table(
        "charging_transactions",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("remote_transaction_id", sa.String(length=36), nullable=True),
        sa.Column("id_tag", sa.String(length=36), nullable=False),
        sa.Column("id_token_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("reservation_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("meter_start_wh", sa.BigInteger(), nullable=False),
        sa.Column("meter_stop_wh", sa.BigInteger(), nullable=True),
        sa.Column("started_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "charging_ended_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("stop_reason", sa.String(length=30), nullable=True),
        sa.Column("stop_id_tag", sa.String(length=36), nullable=True),
        sa.Column("auth_status", sa.String(length=20), nullable=False),
        sa.Column("orphan", sa.Boolean(), nullable=False),
        sa.Column("billed", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_charging_transactions_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_charging_transactions_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["id_token_id"],
            ["id_tokens.id"],
            name=op.f("fk_charging_transactions_id_token_id_id_tokens"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_charging_transactions_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicles.id"],
            name=op.f("fk_charging_transactions_vehicle_id_vehicles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charging_transactions")),
    )
    with op.batch_alter_table("charging_transactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_charging_transactions_charger_status", ["charger_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_charging_transactions_company", ["company_id", "started_at"], unique=False
        )

    op.create_table(
        "trips",
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("cost_centre_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("start_hub_id", sa.Integer(), nullable=True),
        sa.Column("end_hub_id", sa.Integer(), nullable=True),
        sa.Column("started_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("start_soc_percent", sa.Integer(), nullable=False),
        sa.Column("end_soc_percent", sa.Integer(), nullable=True),
        sa.Column("start_odometer_km", sa.Numeric(precision=10, scale=1), nullable=False),
        sa.Column("end_odometer_km", sa.Numeric(precision=10, scale=1), nullable=True),
        sa.Column("distance_km", sa.Numeric(precision=10, scale=1), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column("price_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_trips_booking_id_bookings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_trips_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cost_centre_id"],
            ["cost_centres.id"],
            name=op.f("fk_trips_cost_centre_id_cost_centres"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["end_hub_id"], ["hubs.id"], name=op.f("fk_trips_end_hub_id_hubs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["start_hub_id"],
            ["hubs.id"],
            name=op.f("fk_trips_start_hub_id_hubs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_trips_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicles.id"],
            name=op.f("fk_trips_vehicle_id_vehicles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trips")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_trips_booking_id")),
    )
    with op.batch_alter_table("trips", schema=None) as batch_op:
        batch_op.create_index(
            "ix_trips_company_started", ["company_id", "started_at"], unique=False
        )
        batch_op.create_index("ix_trips_user_started", ["user_id", "started_at"], unique=False)

    op.create_table(
        "invoices",
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("trip_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("charging_transaction_id", sa.Integer(), nullable=True),
        sa.Column("credit_for_id", sa.Integer(), nullable=True),
        sa.Column("period_start", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("period_end", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_excl_vat_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_minor", sa.BigInteger(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("bill_to", sa.JSON(), nullable=False),
        sa.Column("issued_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("paid_at", mobility.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stripe_invoice_id", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_invoices_booking_id_bookings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["charging_transaction_id"],
            ["charging_transactions.id"],
            name=op.f("fk_invoices_charging_transaction_id_charging_transactions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_invoices_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["credit_for_id"], ["invoices.id"], name=op.f("fk_invoices_credit_for_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["trip_id"], ["trips.id"], name=op.f("fk_invoices_trip_id_trips"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_invoices_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint(
            "kind", "charging_transaction_id", name=op.f("uq_invoices_kind_charging_transaction_id")
        ),
        sa.UniqueConstraint(
            "kind",
            "company_id",
            "period_start",
            name=op.f("uq_invoices_kind_company_id_period_start"),
        ),
        sa.UniqueConstraint("kind", "trip_id", name=op.f("uq_invoices_kind_trip_id")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index("ix_invoices_user_issued", ["user_id", "issued_at"], unique=False)

    op.create_table(
        "meter_values",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("timestamp", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("measurand", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("phase", sa.String(length=10), nullable=True),
        sa.Column("context", sa.String(length=30), nullable=True),
        sa.Column("location", sa.String(length=20), nullable=True),
        sa.Column("raw_format", sa.String(length=20), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_meter_values_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["charging_transactions.id"],
            name=op.f("fk_meter_values_transaction_id_charging_transactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_values")),
    )
    with op.batch_alter_table("meter_values", schema=None) as batch_op:
        batch_op.create_index(
            "ix_meter_values_charger_time", ["charger_id", "timestamp"], unique=False
        )
        batch_op.create_index(
            "ix_meter_values_tx_time", ["transaction_id", "timestamp"], unique=False
        )

    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("component", sa.String(length=30), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("unit_price_excl_vat", sa.Numeric(precision=14, scale=6), nullable=False),
        sa.Column("amount_excl_vat_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("vat_minor", sa.BigInteger(), nullable=False),
        sa.Column("member_user_id", sa.Integer(), nullable=True),
        sa.Column("cost_centre_id", sa.Integer(), nullable=True),
        sa.Column("source_invoice_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cost_centre_id"],
            ["cost_centres.id"],
            name=op.f("fk_invoice_lines_cost_centre_id_cost_centres"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_lines_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_user_id"],
            ["users.id"],
            name=op.f("fk_invoice_lines_member_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_lines_source_invoice_id_invoices"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
    )
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_ref", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("trip_id", sa.Integer(), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mobility.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_payments_booking_id_bookings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_payments_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_payments_invoice_id_invoices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["trip_id"], ["trips.id"], name=op.f("fk_payments_trip_id_trips"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_payments_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payments_idempotency_key")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_booking", ["booking_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_payments_provider_ref"), ["provider_ref"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_provider_ref"))
        batch_op.drop_index("ix_payments_booking")

    op.drop_table("payments")
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_lines_invoice_id"))

    op.drop_table("invoice_lines")
    with op.batch_alter_table("meter_values", schema=None) as batch_op:
        batch_op.drop_index("ix_meter_values_tx_time")
        batch_op.drop_index("ix_meter_values_charger_time")

    op.drop_table("meter_values")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_user_issued")

    op.drop_table("invoices")
    with op.batch_alter_table("trips", schema=None) as batch_op:
        batch_op.drop_index("ix_trips_user_started")
        batch_op.drop_index("ix_trips_company_started")

    op.drop_table("trips")
    with op.batch_alter_table("charging_transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_charging_transactions_company")
        batch_op.drop_index("ix_charging_transactions_charger_status")

    op.drop_table("charging_transactions")
    with op.batch_alter_table("id_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_id_tokens_company_id")

    op.drop_table("id_tokens")
    op.drop_table("connectors")
    with op.batch_alter_table("connector_status_events", schema=None) as batch_op:
        batch_op.drop_index("ix_connector_status_events_charger_time")

    op.drop_table("connector_status_events")
    op.drop_table("charging_profiles")
    op.drop_table("charger_reservations")
    with op.batch_alter_table("charger_events", schema=None) as batch_op:
        batch_op.drop_index("ix_charger_events_charger_time")

    op.drop_table("charger_events")
    with op.batch_alter_table("charger_commands", schema=None) as batch_op:
        batch_op.drop_index("ix_charger_commands_charger_time")

    op.drop_table("charger_commands")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_vehicle_slot")
        batch_op.drop_index("ix_bookings_user_start")

    op.drop_table("bookings")
    with op.batch_alter_table("vehicles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vehicles_kind"))
        batch_op.drop_index(batch_op.f("ix_vehicles_hub_id"))

    op.drop_table("vehicles")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_user_id"))

    op.drop_table("memberships")
    op.drop_table("invitations")
    with op.batch_alter_table("chargers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chargers_hub_id"))

    op.drop_table("chargers")
    with op.batch_alter_table("tariffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tariffs_scope"))

    op.drop_table("tariffs")
    op.drop_table("payment_methods")
    op.drop_table("cost_centres")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    op.drop_table("webhook_events")
    op.drop_table("users")
    op.drop_table("invoice_sequences")
    op.drop_table("hubs")
    op.drop_table("companies")
