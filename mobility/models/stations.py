"""What OCPP 2.0.1 stations keep beyond the core: EVSE connectors, monitors, device events,
customer information and the charging schedules ISO 15118 vehicles plan."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mobility.clock import utcnow
from mobility.models.base import Base, IdMixin


class EvseConnector(IdMixin, Base):
    """A connector inside a 2.0.1 EVSE (e.g. CCS and CHAdeMO on one EVSE): its own status.

    The EVSE itself is the core's connector row (`connectors`, numbered by evseId): sessions,
    reservations and profiles are per EVSE, and its status sums up its connectors'.
    """

    __tablename__ = "evse_connectors"
    __table_args__ = (UniqueConstraint("charger_id", "evse_id", "connector_id"),)

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    evse_id: Mapped[int] = mapped_column(Integer)
    connector_id: Mapped[int] = mapped_column(Integer)
    # The device model's ConnectorType (cCCS2, sCHAdeMO, cType2...), when the station told us.
    connector_type: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30), default="Unavailable")
    status_at: Mapped[datetime | None]
    availability: Mapped[str] = mapped_column(String(20), default="Operative")


class ChargerMonitor(IdMixin, Base):
    """A variable monitor installed on a 2.0.1 station (set by us or reported by it)."""

    __tablename__ = "charger_monitors"
    __table_args__ = (UniqueConstraint("charger_id", "monitor_id"),)

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    monitor_id: Mapped[int] = mapped_column(Integer)  # the station's id
    component: Mapped[str] = mapped_column(String(50))
    component_instance: Mapped[str] = mapped_column(String(50), default="")
    evse_id: Mapped[int] = mapped_column(Integer, default=0)
    connector_id: Mapped[int] = mapped_column(Integer, default=0)
    variable: Mapped[str] = mapped_column(String(50))
    variable_instance: Mapped[str] = mapped_column(String(50), default="")
    # UpperThreshold, LowerThreshold, Delta, Periodic, PeriodicClockAligned.
    monitor_type: Mapped[str] = mapped_column(String(20))
    value: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    severity: Mapped[int] = mapped_column(Integer)  # 0 (danger) .. 9 (debug)
    transaction_only: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeviceEvent(IdMixin, Base):
    """One event of a station's NotifyEvent (a monitor tripped, a hard-wired alert...)."""

    __tablename__ = "charger_device_events"
    __table_args__ = (
        UniqueConstraint("charger_id", "event_id", "timestamp"),  # a replay is stored once
        Index("ix_charger_device_events_charger_time", "charger_id", "timestamp"),
    )

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(BigInteger)
    timestamp: Mapped[datetime]
    trigger: Mapped[str] = mapped_column(String(20))  # Alerting, Delta, Periodic
    notification_type: Mapped[str] = mapped_column(String(30))
    component: Mapped[str] = mapped_column(String(50))
    component_instance: Mapped[str] = mapped_column(String(50), default="")
    evse_id: Mapped[int] = mapped_column(Integer, default=0)
    connector_id: Mapped[int] = mapped_column(Integer, default=0)
    variable: Mapped[str] = mapped_column(String(50))
    variable_instance: Mapped[str] = mapped_column(String(50), default="")
    actual_value: Mapped[str] = mapped_column(String(2500))
    cause: Mapped[int | None] = mapped_column(BigInteger)
    tech_code: Mapped[str | None] = mapped_column(String(50))
    tech_info: Mapped[str | None] = mapped_column(String(500))
    cleared: Mapped[bool | None] = mapped_column(Boolean)
    transaction_ref: Mapped[str | None] = mapped_column(String(36))
    monitor_id: Mapped[int | None] = mapped_column(Integer)
    # The tripped monitor's severity, when we know the monitor (lower is worse).
    severity: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerInformationPart(IdMixin, Base):
    """One NotifyCustomerInformation part; a request's parts put together by seqNo."""

    __tablename__ = "customer_information_parts"
    __table_args__ = (UniqueConstraint("charger_id", "request_id", "seq_no"),)

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    request_id: Mapped[int] = mapped_column(Integer)
    seq_no: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(String(512))
    tbc: Mapped[bool] = mapped_column(Boolean, default=False)  # more parts follow
    generated_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvChargingSchedule(IdMixin, Base):
    """The schedule an ISO 15118 vehicle plans within our limits (NotifyEVChargingSchedule)."""

    __tablename__ = "ev_charging_schedules"
    __table_args__ = (
        Index("ix_ev_charging_schedules_connector", "charger_id", "connector_id", "received_at"),
    )

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    connector_id: Mapped[int] = mapped_column(Integer)  # the EVSE
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    time_base: Mapped[datetime]
    # The schedule as sent, in watts from `time_base`: [[start_s, limit_w], ...].
    periods_w: Mapped[list[Any]] = mapped_column(JSON)
    # The most the vehicle plans to draw, when below what our profile allowed it (its own
    # limit, which the planner honours); None when our profile was what held it back.
    max_power_w: Mapped[int | None] = mapped_column(Integer)
    within_limits: Mapped[bool] = mapped_column(Boolean, default=True)
