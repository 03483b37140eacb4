"""People and organisations: users, API tokens, companies, fleet memberships, RFID id tokens."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.locales import Language
from mobility.models.base import Base, IdMixin, TimestampMixin, one_of


class UserRole(StrEnum):
    """Platform-wide role; fleet roles live on Membership."""

    CITIZEN = "citizen"
    OPERATOR = "operator"


class MemberRole(StrEnum):
    """Role of a user inside a company's fleet account."""

    MEMBER = "member"
    ADMIN = "admin"


class MembershipStatus(StrEnum):
    """Whether a membership is in force."""

    ACTIVE = "active"
    REMOVED = "removed"


class IdTokenStatus(StrEnum):
    """OCPP authorization status of an id tag."""

    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    INVALID = "Invalid"


class User(IdMixin, TimestampMixin, Base):
    """A citizen or operator who logs in."""

    __tablename__ = "users"
    __table_args__ = (one_of("role", UserRole), one_of("locale", Language))

    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20), default=UserRole.CITIZEN)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The language the user's pages and mails are in: set at sign-up, then as they switch.
    locale: Mapped[str | None] = mapped_column(String(8))
    # The driving licence an e-car booking needs, checked by an operator (verified_* set).
    driving_licence_number: Mapped[str | None] = mapped_column(String(40))
    driving_licence_country: Mapped[str | None] = mapped_column(String(2))
    driving_licence_expires_on: Mapped[date | None]
    driving_licence_verified_at: Mapped[datetime | None]
    driving_licence_verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64))
    # The saved card (Stripe PaymentMethod) used for holds and charges.
    stripe_payment_method_id: Mapped[str | None] = mapped_column(String(64))
    last_login_at: Mapped[datetime | None]
    # Set when the owner opened the link mailed at sign-up (or a reset link); needed to sign in.
    email_verified_at: Mapped[datetime | None]
    # Set when the owner deleted the account: personal data erased, the row kept anonymous
    # for the bookings, trips and invoices that point at it.
    deleted_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")


class ApiToken(IdMixin, Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in browser; the cookie carries a random id, only its SHA-256 is stored.

    Kept server-side so that logging out (or changing the password) ends it for good, even
    if someone copied the cookie.
    """

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Company(IdMixin, TimestampMixin, Base):
    """A company with a fleet account."""

    __tablename__ = "companies"

    name: Mapped[str] = mapped_column(String(200))
    vat_id: Mapped[str | None] = mapped_column(String(20), unique=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254))
    billing_street: Mapped[str] = mapped_column(String(200), default="")
    billing_postcode: Mapped[str] = mapped_column(String(20), default="")
    billing_city: Mapped[str] = mapped_column(String(100), default="")
    billing_country: Mapped[str] = mapped_column(String(2), default="FR")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    monthly_limit_minor: Mapped[int | None] = mapped_column(BigInteger)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    memberships: Mapped[list[Membership]] = relationship(back_populates="company")
    cost_centres: Mapped[list[CostCentre]] = relationship(back_populates="company")


class CostCentre(IdMixin, Base):
    """A company's internal accounting unit that usage is booked to."""

    __tablename__ = "cost_centres"
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200), default="")

    company: Mapped[Company] = relationship(back_populates="cost_centres")


class Membership(IdMixin, TimestampMixin, Base):
    """A user's place in a company's fleet account."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("company_id", "user_id"),
        one_of("role", MemberRole),
        one_of("status", MembershipStatus),
    )

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=MemberRole.MEMBER)
    status: Mapped[str] = mapped_column(String(20), default=MembershipStatus.ACTIVE)
    cost_centre_id: Mapped[int | None] = mapped_column(
        ForeignKey("cost_centres.id", ondelete="SET NULL")
    )
    monthly_limit_minor: Mapped[int | None] = mapped_column(BigInteger)
    # None means "no restriction"; otherwise lists of allowed vehicle kinds / hub ids.
    allowed_vehicle_kinds: Mapped[list[str] | None] = mapped_column(JSON)
    allowed_hub_ids: Mapped[list[int] | None] = mapped_column(JSON)

    company: Mapped[Company] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class Invitation(IdMixin, Base):
    """An emailed invitation to join a fleet account; only the token's hash is stored."""

    __tablename__ = "invitations"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20), default=MemberRole.MEMBER)
    cost_centre_id: Mapped[int | None] = mapped_column(
        ForeignKey("cost_centres.id", ondelete="SET NULL")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class IdToken(IdMixin, TimestampMixin, Base):
    """An RFID card or other OCPP id tag, owned by a user and/or billed to a company."""

    __tablename__ = "id_tokens"
    __table_args__ = (
        Index("ix_id_tokens_company_id", "company_id"),
        one_of("status", IdTokenStatus),
    )

    id_tag: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="ISO14443")
    label: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default=IdTokenStatus.ACCEPTED)
    expires_at: Mapped[datetime | None]
    parent_id_tag: Mapped[str | None] = mapped_column(String(36))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
