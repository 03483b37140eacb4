"""EV chargers (OCPP charge points), connectors, transactions, meter values and commands."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.clock import utcnow
from mobility.models.base import Base, IdMixin, TimestampMixin, one_of


class RegistrationStatus(StrEnum):
    """BootNotification outcome the CSMS gives a charger."""

    ACCEPTED = "Accepted"
    PENDING = "Pending"
    REJECTED = "Rejected"


class TransactionStatus(StrEnum):
    """Lifecycle of a charging session."""

    ACTIVE = "active"
    COMPLETED = "completed"


class ReservationStatus(StrEnum):
    """A charger reservation: requested, then the charger's answer, then used or ended."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    FAULTED = "faulted"
    OCCUPIED = "occupied"
    REJECTED = "rejected"
    UNAVAILABLE = "unavailable"
    CANCELLED = "cancelled"
    USED = "used"
    EXPIRED = "expired"


class CommandStatus(StrEnum):
    """Outcome of a CSMS-initiated command."""

    PENDING = "pending"
    ANSWERED = "answered"
    ERROR = "error"
    TIMEOUT = "timeout"
    OFFLINE = "offline"


class Charger(IdMixin, TimestampMixin, Base):
    """A charging station that connects over OCPP."""

    __tablename__ = "chargers"
    __table_args__ = (
        one_of("registration_status", RegistrationStatus),
        CheckConstraint("security_profile BETWEEN 1 AND 3", name="security_profile_valid"),
    )

    charge_point_id: Mapped[str] = mapped_column(String(64), unique=True)
    hub_id: Mapped[int | None] = mapped_column(
        ForeignKey("hubs.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Lowest OCPP security profile (1-3) accepted from this charger: raised when it first
    # connects with a higher one, never lowered by the charger (downgrade protection).
    security_profile: Mapped[int] = mapped_column(Integer, default=1)
    registration_status: Mapped[str] = mapped_column(
        String(20), default=RegistrationStatus.ACCEPTED
    )
    ocpp_version: Mapped[str | None] = mapped_column(String(10))
    vendor: Mapped[str | None] = mapped_column(String(50))
    model: Mapped[str | None] = mapped_column(String(50))
    serial_number: Mapped[str | None] = mapped_column(String(50))
    firmware_version: Mapped[str | None] = mapped_column(String(50))
    iccid: Mapped[str | None] = mapped_column(String(20))
    imsi: Mapped[str | None] = mapped_column(String(20))
    meter_type: Mapped[str | None] = mapped_column(String(50))
    meter_serial_number: Mapped[str | None] = mapped_column(String(50))
    heartbeat_interval: Mapped[int] = mapped_column(Integer, default=300)
    max_power_w: Mapped[int | None] = mapped_column(Integer)
    is_online: Mapped[bool] = mapped_column(Boolean, default=False)
    connected_node: Mapped[str | None] = mapped_column(String(64))
    last_seen_at: Mapped[datetime | None]
    last_boot_at: Mapped[datetime | None]
    connected_at: Mapped[datetime | None]
    disconnected_at: Mapped[datetime | None]
    diagnostics_status: Mapped[str | None] = mapped_column(String(30))
    firmware_status: Mapped[str | None] = mapped_column(String(30))
    local_list_version: Mapped[int] = mapped_column(Integer, default=0)
    # The local list version we sent last and the charger accepted (None: never, or lost);
    # a charger reporting another version lags and gets the list in full again.
    local_list_synced_version: Mapped[int | None] = mapped_column(Integer)
    # Outcome of the last SendLocalList (Accepted, Failed, NotSupported, VersionMismatch).
    local_list_status: Mapped[str | None] = mapped_column(String(20))
    # Digest of the list the charger holds as we believe (compared with the wanted list's).
    local_list_digest: Mapped[str | None] = mapped_column(String(64))
    # Solar-aware smart charging: power the hub may draw for this charger.
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("tariffs.id", ondelete="SET NULL"))

    connectors: Mapped[list[Connector]] = relationship(
        back_populates="charger", order_by="Connector.connector_id"
    )


class Connector(IdMixin, Base):
    """A connector (EVSE outlet) on a charger; connector 0 is the charger as a whole."""

    __tablename__ = "connectors"
    __table_args__ = (UniqueConstraint("charger_id", "connector_id"),)

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    connector_id: Mapped[int] = mapped_column(Integer)
    standard: Mapped[str] = mapped_column(String(30), default="IEC_62196_T2")
    max_power_w: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(30), default="Unavailable")
    error_code: Mapped[str] = mapped_column(String(40), default="NoError")
    info: Mapped[str | None] = mapped_column(String(50))
    vendor_error_code: Mapped[str | None] = mapped_column(String(50))
    status_at: Mapped[datetime | None]
    availability: Mapped[str] = mapped_column(String(20), default="Operative")

    charger: Mapped[Charger] = relationship(back_populates="connectors")


class ConnectorStatusEvent(IdMixin, Base):
    """History of StatusNotification reports."""

    __tablename__ = "connector_status_events"
    __table_args__ = (
        Index("ix_connector_status_events_charger_time", "charger_id", "timestamp"),
        Index("ix_connector_status_events_time", "timestamp"),  # availability over days
    )

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    connector_id: Mapped[int] = mapped_column(Integer)
    evse_connector_id: Mapped[int | None] = mapped_column(Integer)  # 2.0.1: inside the EVSE
    status: Mapped[str] = mapped_column(String(30))
    error_code: Mapped[str] = mapped_column(String(40), default="NoError")
    info: Mapped[str | None] = mapped_column(String(50))
    vendor_id: Mapped[str | None] = mapped_column(String(255))
    vendor_error_code: Mapped[str | None] = mapped_column(String(50))
    timestamp: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChargerConnectionEvent(IdMixin, Base):
    """A charger came online (its socket held by a node) or went offline: uptime history."""

    __tablename__ = "charger_connection_events"
    __table_args__ = (Index("ix_charger_connection_events_charger_time", "charger_id", "at"),)

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    online: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime]
    # The node that took or lost the socket (None: the offline job found the charger silent).
    node: Mapped[str | None] = mapped_column(String(64))


class ChargingTransaction(IdMixin, TimestampMixin, Base):
    """A charging session; `transaction_ref` is the id the charger uses for it (any version)."""

    __tablename__ = "charging_transactions"
    __table_args__ = (
        Index("ix_charging_transactions_charger_status", "charger_id", "status"),
        Index("ix_charging_transactions_company", "company_id", "started_at"),
        # The operator console lists sessions newest first, and by card.
        Index("ix_charging_transactions_started", "started_at", "id"),
        Index("ix_charging_transactions_id_tag", "id_tag", "started_at"),
        Index("ix_charging_transactions_status", "status", "started_at"),  # running ones
        UniqueConstraint("charger_id", "transaction_ref"),
        one_of("status", TransactionStatus),
    )

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    connector_id: Mapped[int] = mapped_column(Integer)
    # OCPP 2.0.1: the connector used inside the EVSE (`connector_id` is the EVSE).
    evse_connector_id: Mapped[int | None] = mapped_column(Integer)
    # The protocol's transaction id: chosen by the CSMS in OCPP 1.6 (the row id as text),
    # by the station in 2.0.1; "orphan:<id>" for an end we never saw begin (1.6).
    transaction_ref: Mapped[str | None] = mapped_column(String(64))
    # Highest message sequence number seen (OCPP 2.0.1 seqNo), for ordering and gap detection.
    last_seq_no: Mapped[int | None] = mapped_column(Integer)
    id_tag: Mapped[str] = mapped_column(String(36))
    id_token_id: Mapped[int | None] = mapped_column(ForeignKey("id_tokens.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id", ondelete="SET NULL"))
    reservation_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=TransactionStatus.ACTIVE)
    meter_start_wh: Mapped[int] = mapped_column(BigInteger, default=0)
    meter_stop_wh: Mapped[int | None] = mapped_column(BigInteger)
    started_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]
    # When the car stopped drawing power (start of idle/parking time for billing).
    charging_ended_at: Mapped[datetime | None]
    stop_reason: Mapped[str | None] = mapped_column(String(30))
    stop_id_tag: Mapped[str | None] = mapped_column(String(36))
    auth_status: Mapped[str] = mapped_column(String(20), default="Accepted")
    # True when StopTransaction named a transaction we had never seen.
    orphan: Mapped[bool] = mapped_column(Boolean, default=False)
    billed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the readings cannot be billed as they are; an operator decides (never invoiced
    # silently).
    review_reason: Mapped[str | None] = mapped_column(String(200))
    # A roaming driver's session (OCPI): billed to this partner with a CDR, not to a citizen.
    roaming_partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("roaming_partners.id", ondelete="SET NULL")
    )

    @property
    def energy_wh(self) -> int:
        """Energy delivered so far (0 while no stop reading)."""
        if self.meter_stop_wh is None:
            return 0
        return max(0, self.meter_stop_wh - self.meter_start_wh)


class MeterValue(IdMixin, Base):
    """One sampled value from MeterValues / StopTransaction transactionData."""

    __tablename__ = "meter_values"
    __table_args__ = (
        Index("ix_meter_values_tx_time", "transaction_id", "timestamp"),
        Index("ix_meter_values_charger_time", "charger_id", "timestamp"),
    )

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    connector_id: Mapped[int] = mapped_column(Integer)
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("charging_transactions.id", ondelete="CASCADE")
    )
    timestamp: Mapped[datetime]
    measurand: Mapped[str] = mapped_column(String(60), default="Energy.Active.Import.Register")
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    unit: Mapped[str | None] = mapped_column(String(20))
    phase: Mapped[str | None] = mapped_column(String(10))
    context: Mapped[str | None] = mapped_column(String(30))
    location: Mapped[str | None] = mapped_column(String(20))
    raw_format: Mapped[str | None] = mapped_column(String(20))


class Reservation(IdMixin, TimestampMixin, Base):
    """A ReserveNow made on a connector for an id tag."""

    __tablename__ = "charger_reservations"
    __table_args__ = (one_of("status", ReservationStatus),)

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    connector_id: Mapped[int] = mapped_column(Integer)
    id_tag: Mapped[str] = mapped_column(String(36))
    parent_id_tag: Mapped[str | None] = mapped_column(String(36))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The booking this reservation serves: cancelling the booking cancels it on the charger.
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), index=True
    )
    expires_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=ReservationStatus.REQUESTED)
    transaction_id: Mapped[int | None] = mapped_column(Integer)
    # A roaming partner's reservation: "<partner id>:<its OCPI reservation_id>".
    roaming_ref: Mapped[str | None] = mapped_column(String(80), unique=True)


class ConfigurationKey(IdMixin, Base):
    """One configuration key of a charger as it last reported it, and our change to it."""

    __tablename__ = "charger_configuration"
    __table_args__ = (UniqueConstraint("charger_id", "key"),)

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(50))
    value: Mapped[str | None] = mapped_column(Text)
    readonly: Mapped[bool | None] = mapped_column(Boolean)
    # False when the charger listed the key as unknown (or answered NotSupported to a change).
    known: Mapped[bool] = mapped_column(Boolean, default=True)
    # A value the charger accepted with RebootRequired: in force after its next boot.
    pending_value: Mapped[str | None] = mapped_column(Text)
    # The charger's answer to our last ChangeConfiguration of this key.
    change_status: Mapped[str | None] = mapped_column(String(20))
    reported_at: Mapped[datetime | None]
    changed_at: Mapped[datetime | None]


class LocalListEntry(IdMixin, Base):
    """An entry of a charger's local authorisation list, as the charger holds it."""

    __tablename__ = "local_list_entries"
    __table_args__ = (UniqueConstraint("charger_id", "id_tag"),)

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    id_tag: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(20))
    expires_at: Mapped[datetime | None]
    parent_id_tag: Mapped[str | None] = mapped_column(String(36))
    # The token's type as sent (2.0.1 lists hold IdTokenType: a removal must name it too).
    kind: Mapped[str | None] = mapped_column(String(20))


class ChargingProfileRecord(IdMixin, TimestampMixin, Base):
    """A smart-charging profile sent to a charger (kept to know what is in force)."""

    __tablename__ = "charging_profiles"
    __table_args__ = (
        Index("ix_charging_profiles_connector", "charger_id", "connector_id", "purpose"),
    )

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    connector_id: Mapped[int] = mapped_column(Integer)
    profile_id: Mapped[int] = mapped_column(Integer)
    stack_level: Mapped[int] = mapped_column(Integer, default=0)
    purpose: Mapped[str] = mapped_column(String(40))
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="sent")
    cleared_at: Mapped[datetime | None]
    # The session a TxProfile is for, and a digest of the schedule (unchanged ones not resent).
    transaction_ref: Mapped[str | None] = mapped_column(String(64))
    digest: Mapped[str | None] = mapped_column(String(64))


class ChargerCommand(IdMixin, Base):
    """A CSMS-initiated command and its result."""

    __tablename__ = "charger_commands"
    __table_args__ = (
        Index("ix_charger_commands_charger_time", "charger_id", "created_at"),
        one_of("status", CommandStatus),
    )

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=CommandStatus.PENDING)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]


class ChargerEvent(IdMixin, Base):
    """Other charger-initiated messages worth keeping (boot, DataTransfer, firmware, etc)."""

    __tablename__ = "charger_events"
    __table_args__ = (Index("ix_charger_events_charger_time", "charger_id", "received_at"),)

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChargerVariable(IdMixin, Base):
    """One attribute of an OCPP 2.0.1 device-model variable, as the station last reported it."""

    __tablename__ = "charger_variables"
    __table_args__ = (
        UniqueConstraint(
            "charger_id",
            "component",
            "component_instance",
            "evse_id",
            "connector_id",
            "variable",
            "variable_instance",
            "attribute_type",
        ),
    )

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    component: Mapped[str] = mapped_column(String(50))
    component_instance: Mapped[str] = mapped_column(String(50), default="")
    evse_id: Mapped[int] = mapped_column(Integer, default=0)  # 0: the station as a whole
    connector_id: Mapped[int] = mapped_column(Integer, default=0)
    variable: Mapped[str] = mapped_column(String(50))
    variable_instance: Mapped[str] = mapped_column(String(50), default="")
    attribute_type: Mapped[str] = mapped_column(String(10), default="Actual")
    value: Mapped[str | None] = mapped_column(String(2500))
    mutability: Mapped[str | None] = mapped_column(String(10))
    data_type: Mapped[str | None] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(20))
    # A SetVariables the station accepted but applies only after a reset.
    reboot_required: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvChargingNeeds(IdMixin, Base):
    """What an ISO 15118 vehicle asked for (NotifyEVChargingNeeds): the planner's input."""

    __tablename__ = "ev_charging_needs"
    __table_args__ = (
        Index("ix_ev_charging_needs_connector", "charger_id", "connector_id", "received_at"),
    )

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    connector_id: Mapped[int] = mapped_column(Integer)  # the EVSE
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    departure_at: Mapped[datetime | None]
    energy_wh: Mapped[int | None] = mapped_column(BigInteger)
    max_power_w: Mapped[int | None] = mapped_column(Integer)
    soc_percent: Mapped[int | None] = mapped_column(Integer)
    transfer_mode: Mapped[str] = mapped_column(String(20), default="")
