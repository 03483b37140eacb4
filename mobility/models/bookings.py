"""Bookings of shared vehicles and the trips made with them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.models.base import Base, IdMixin, TimestampMixin, one_of


class BookingStatus(StrEnum):
    """Lifecycle of a booking."""

    CONFIRMED = "confirmed"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


# Bookings in these states hold their vehicle's time slot.
HOLDING_STATES = (BookingStatus.CONFIRMED, BookingStatus.ACTIVE)


class TripStatus(StrEnum):
    """Lifecycle of a trip."""

    ACTIVE = "active"
    ENDED = "ended"


class Booking(IdMixin, TimestampMixin, Base):
    """A vehicle reserved for a user over a time slot (possibly starting now)."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="slot_order"),
        CheckConstraint("block_end_at >= end_at", name="buffer_order"),
        Index("ix_bookings_vehicle_slot", "vehicle_id", "start_at", "block_end_at"),
        Index("ix_bookings_user_start", "user_id", "start_at"),
        Index("ix_bookings_start", "start_at"),  # bookings of a day, for the console
        one_of("status", BookingStatus),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id", ondelete="CASCADE"))
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="SET NULL"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    cost_centre_id: Mapped[int | None] = mapped_column(
        ForeignKey("cost_centres.id", ondelete="SET NULL")
    )
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    # end_at plus the turnaround buffer: the slot is held until then.
    block_end_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=BookingStatus.CONFIRMED)
    min_soc_percent: Mapped[int | None] = mapped_column(Integer)
    # What the booker expects to drive: the smart-charging target (else the kind's average).
    expected_distance_km: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    quote_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    cancel_fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    cancelled_at: Mapped[datetime | None]
    no_show_at: Mapped[datetime | None]
    payment_hold_ref: Mapped[str | None] = mapped_column(String(64))

    trip: Mapped[Trip | None] = relationship(back_populates="booking")


class Trip(IdMixin, TimestampMixin, Base):
    """A ride: from unlocking a vehicle to locking it at a hub."""

    __tablename__ = "trips"
    __table_args__ = (
        Index("ix_trips_user_started", "user_id", "started_at"),
        Index("ix_trips_company_started", "company_id", "started_at"),
        Index("ix_trips_started", "started_at"),  # vehicle use over days, for the console
        one_of("status", TripStatus),
    )

    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id", ondelete="CASCADE"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    cost_centre_id: Mapped[int | None] = mapped_column(
        ForeignKey("cost_centres.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), default=TripStatus.ACTIVE)
    start_hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="SET NULL"))
    end_hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="SET NULL"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    start_soc_percent: Mapped[int] = mapped_column(Integer)
    end_soc_percent: Mapped[int | None] = mapped_column(Integer)
    start_odometer_km: Mapped[Decimal] = mapped_column(Numeric(10, 1))
    end_odometer_km: Mapped[Decimal | None] = mapped_column(Numeric(10, 1))
    distance_km: Mapped[Decimal | None] = mapped_column(Numeric(10, 1))
    duration_s: Mapped[int | None] = mapped_column(Integer)
    price_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")

    booking: Mapped[Booking | None] = relationship(back_populates="trip")
