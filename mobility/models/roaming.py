"""OCPI roaming: partner platforms (eMSPs) we share credentials with, and their drivers' tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mobility.models.base import Base, IdMixin, TimestampMixin, one_of


class PartnerStatus(StrEnum):
    """Where a partner's credentials handshake stands."""

    PENDING = "pending"  # token A issued, the partner has not registered yet
    REGISTERED = "registered"
    UNREGISTERED = "unregistered"


class RoamingPartner(IdMixin, TimestampMixin, Base):
    """A partner platform (eMSP role) connected over OCPI 2.2.1, with both sides' credentials.

    We keep digests of the tokens the partner presents to us (A until it registers, then C)
    and the partner's own token B in clear: we must send it back on every call to them.
    """

    __tablename__ = "roaming_partners"
    __table_args__ = (
        UniqueConstraint("country_code", "party_id"),
        one_of("status", PartnerStatus),
    )

    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=PartnerStatus.PENDING)
    token_a_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_c_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_b: Mapped[str | None] = mapped_column(String(64))
    country_code: Mapped[str | None] = mapped_column(String(2))
    party_id: Mapped[str | None] = mapped_column(String(3))
    role: Mapped[str | None] = mapped_column(String(10))
    business_details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    versions_url: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[str | None] = mapped_column(String(10))
    # The partner's endpoints of that version: [{"identifier", "role", "url"}, ...].
    endpoints: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    registered_at: Mapped[datetime | None]


class RoamingToken(IdMixin, Base):
    """A driver token a partner pushed to us (OCPI Token), checked when a charger asks."""

    __tablename__ = "roaming_tokens"
    __table_args__ = (
        UniqueConstraint("country_code", "party_id", "uid", "type"),
        Index("ix_roaming_tokens_uid", "uid"),
    )

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("roaming_partners.id", ondelete="CASCADE"), index=True
    )
    country_code: Mapped[str] = mapped_column(String(2))
    party_id: Mapped[str] = mapped_column(String(3))
    uid: Mapped[str] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(20))
    contract_id: Mapped[str] = mapped_column(String(36))
    valid: Mapped[bool] = mapped_column(Boolean)
    whitelist: Mapped[str] = mapped_column(String(20))
    # The whole Token object as the partner sent it (answered back on GET).
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    last_updated: Mapped[datetime]
