"""What chargers tell the CSMS and what it answers, in protocol-neutral terms.

Each protocol adapter (`ocpp_server.v16`, `ocpp_server.v201`) translates its payloads into these and
the answers back; the charging core (`ocpp_server.services`) only ever sees these. Units are
normalised on the way in: energy Wh, power W, current A, voltage V, state of charge %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ocpp_server.security.events import SecurityEffect


@dataclass(frozen=True)
class StationInfo:
    """A charger's identity as it reports it at boot."""

    protocol: str
    vendor: str | None = None
    model: str | None = None
    serial_number: str | None = None
    firmware_version: str | None = None
    iccid: str | None = None
    imsi: str | None = None
    meter_type: str | None = None
    meter_serial_number: str | None = None


@dataclass(frozen=True)
class BootAnswer:
    """Registration status (Accepted, Pending, Rejected), heartbeat interval in seconds, and
    whether the charger never took our local list (it gets it once the boot is answered)."""

    status: str
    interval: int
    wants_list: bool = False


@dataclass(frozen=True)
class Authorization:
    """Whether an id token may charge: Accepted, Blocked, Expired or Invalid, with cache bound."""

    status: str
    expires_at: datetime | None = None
    group_id: str | None = None

    @property
    def accepted(self) -> bool:
        """True when the token may charge."""
        return self.status == "Accepted"


@dataclass(frozen=True)
class MeterSample:
    """One measured value, normalised (Wh, W, A, V, %; other units as the charger named them)."""

    timestamp: datetime
    measurand: str
    value: Decimal
    unit: str
    phase: str | None = None
    context: str | None = None
    location: str | None = None
    raw_format: str | None = None


@dataclass(frozen=True)
class StatusReport:
    """A connector's (or, with connector 0, the whole charger's) status at a moment."""

    connector_id: int
    status: str
    timestamp: datetime
    error_code: str = "NoError"
    info: str | None = None
    vendor_id: str | None = None
    vendor_error_code: str | None = None
    evse_connector_id: int | None = None  # 2.0.1: the connector inside the EVSE


@dataclass(frozen=True)
class MeterReport:
    """Samples from one connector, for a transaction when `transaction_ref` is set."""

    connector_id: int
    samples: tuple[MeterSample, ...]
    transaction_ref: str | None = None
    seq_no: int | None = None  # the message's sequence number within the transaction, if any
    evse_connector_id: int | None = None  # 2.0.1: the connector inside the EVSE, when named


@dataclass(frozen=True)
class TransactionStarted:
    """A charging session began on a connector.

    `transaction_ref` is the station's own id (OCPP 2.0.1); None asks the CSMS to assign one
    (OCPP 1.6, where the id must be an integer: the core answers the row id as text).
    """

    connector_id: int
    id_token: str
    meter_start_wh: int
    timestamp: datetime
    transaction_ref: str | None = None
    reservation_id: int | None = None
    seq_no: int | None = None
    clock_note: str | None = None  # the charger's clock could not be believed (see translate)
    evse_connector_id: int | None = None  # 2.0.1: the connector used inside the EVSE


@dataclass(frozen=True)
class TransactionUpdated:
    """News of a running session: a token presented, readings, a sequence number."""

    transaction_ref: str
    timestamp: datetime
    seq_no: int | None = None
    id_token: str | None = None
    samples: tuple[MeterSample, ...] = field(default_factory=tuple)
    connector_id: int = 0  # 0: not named (2.0.1 names the EVSE once it is known)
    evse_connector_id: int | None = None


@dataclass(frozen=True)
class TransactionEnded:
    """A charging session ended; `samples` are the readings sent with the end message.

    `meter_stop_wh` None: the end message carried no register reading (the core takes the
    last one stored for the session).
    """

    transaction_ref: str
    meter_stop_wh: int | None
    timestamp: datetime
    reason: str | None = None
    id_token: str | None = None
    samples: tuple[MeterSample, ...] = field(default_factory=tuple)
    seq_no: int | None = None
    # True where the CSMS hands out ids (1.6): an unknown id is then a stray, kept as an orphan.
    csms_assigned_ref: bool = True
    clock_note: str | None = None


@dataclass(frozen=True)
class TransactionAnswer:
    """The transaction's id as the charger must use it, and the token's authorisation."""

    transaction_ref: str
    authorization: Authorization


@dataclass(frozen=True)
class TransactionClosed:
    """The answer to a session's end: the token's authorisation and what the session costs.

    `total_cost` is the invoiced price incl. VAT in `currency`'s major unit (0 for a free
    session); None when it is not known yet (held for review, an unknown transaction...).
    """

    authorization: Authorization | None
    total_cost: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True)
class BootReport:
    """A boot to record (station info, the message as sent) once the charger has its answer."""

    info: StationInfo
    raw: dict[str, Any]
    timestamp: datetime


Report = StatusReport | MeterReport | BootReport


@dataclass(frozen=True)
class ReservationTerms:
    """What a reservation command asks for, read from its protocol's payload."""

    connector_id: int
    id_token: str
    expires_at: datetime
    parent_id_token: str | None = None


@dataclass(frozen=True)
class ReservationOutcome:
    """A charger's answer to a reservation command."""

    reservation_id: int
    status: str  # accepted, cancelled, or the charger's refusal (faulted, occupied, ...)


@dataclass(frozen=True)
class AvailabilityChanged:
    """A connector (None: every connector) became Operative or Inoperative.

    `evse_connector_id` (2.0.1): only that connector inside the EVSE `connector_id`.
    """

    connector_id: int | None
    availability: str
    evse_connector_id: int | None = None


@dataclass(frozen=True)
class LocalListVersion:
    """The version of the local authorisation list the charger now holds."""

    version: int


@dataclass(frozen=True)
class HeartbeatIntervalChanged:
    """The charger now sends heartbeats this often (seconds); its next boot is told the same."""

    seconds: int


@dataclass(frozen=True)
class ProfileOutcome:
    """A charging profile the charger accepted or refused (kept to know what is in force)."""

    connector_id: int
    profile_id: int
    stack_level: int
    purpose: str
    accepted: bool
    profile: dict[str, Any]
    transaction_ref: str | None = None
    digest: str | None = None  # of the neutral schedule it came from, when it did


@dataclass(frozen=True)
class ProfileCleared:
    """The charger dropped the profiles matching these criteria (None: any)."""

    profile_id: int | None
    connector_id: int | None = None
    purpose: str | None = None


@dataclass(frozen=True)
class VariableValue:
    """One attribute of a 2.0.1 device-model variable (component, EVSE, variable, type)."""

    component: str
    variable: str
    value: str | None
    attribute_type: str = "Actual"
    component_instance: str = ""
    variable_instance: str = ""
    evse_id: int = 0
    connector_id: int = 0
    mutability: str | None = None
    data_type: str | None = None
    unit: str | None = None
    reboot_required: bool = False


@dataclass(frozen=True)
class VariablesReported:
    """Device-model values a station reported or accepted (NotifyReport, Get/SetVariables)."""

    values: tuple[VariableValue, ...]


@dataclass(frozen=True)
class ChargingNeeds:
    """What an ISO 15118 vehicle on an EVSE asks for: energy, by when, at what power."""

    connector_id: int
    departure: datetime | None
    energy_wh: int | None
    max_power_w: int | None
    soc_percent: int | None
    transfer_mode: str


@dataclass(frozen=True)
class ConfigurationValue:
    """One configuration key as a charger reports it."""

    key: str
    value: str | None
    readonly: bool | None


@dataclass(frozen=True)
class ConfigurationReported:
    """A charger's configuration report; `complete` when it answered for every key it has."""

    values: tuple[ConfigurationValue, ...]
    unknown: tuple[str, ...] = ()
    complete: bool = False


@dataclass(frozen=True)
class ConfigurationChanged:
    """A charger's answer to a change of one key (Accepted, RebootRequired, Rejected...)."""

    key: str
    value: str
    status: str


@dataclass(frozen=True)
class LocalListEntryInfo:
    """One local authorisation list entry; `status` None removes the tag from the list."""

    id_tag: str
    status: str | None
    expires_at: datetime | None = None
    parent_id_tag: str | None = None
    # The token's type for 2.0.1 lists (IdTokenEnumType); not part of what makes entries equal.
    kind: str = field(default="ISO14443", compare=False)


@dataclass(frozen=True)
class LocalListSent:
    """A local list update the charger answered (Accepted, Failed, NotSupported...)."""

    version: int
    full: bool
    entries: tuple[LocalListEntryInfo, ...]
    status: str


@dataclass(frozen=True)
class ComponentVariable:
    """Where in a 2.0.1 station's device model: a component (on an EVSE) and its variable."""

    component: str
    variable: str
    component_instance: str = ""
    variable_instance: str = ""
    evse_id: int = 0
    connector_id: int = 0


@dataclass(frozen=True)
class Monitor:
    """A variable monitor: fires an event when its variable crosses `value` (or each period)."""

    monitor_id: int
    target: ComponentVariable
    monitor_type: str
    value: Decimal
    severity: int
    transaction_only: bool = False


@dataclass(frozen=True)
class MonitorsSet:
    """Monitors the station installed (SetVariableMonitoring) or reported (monitoring report)."""

    monitors: tuple[Monitor, ...]


@dataclass(frozen=True)
class MonitorsCleared:
    """Monitors the station removed; None: all of them (monitoring base HardWiredOnly)."""

    monitor_ids: tuple[int, ...] | None


@dataclass(frozen=True)
class DeviceEventReport:
    """One event a station notified (NotifyEvent): a monitor tripped, an alert, a value."""

    event_id: int
    timestamp: datetime
    trigger: str
    notification_type: str
    target: ComponentVariable
    actual_value: str
    cause: int | None = None
    tech_code: str | None = None
    tech_info: str | None = None
    cleared: bool | None = None
    transaction_ref: str | None = None
    monitor_id: int | None = None


@dataclass(frozen=True)
class CustomerInformationReport:
    """One part of what a station holds about a customer (NotifyCustomerInformation)."""

    request_id: int
    seq_no: int
    data: str
    tbc: bool
    generated_at: datetime


@dataclass(frozen=True)
class EvChargingPlan:
    """The schedule an ISO 15118 vehicle plans on an EVSE: (start s, limit W) from `time_base`."""

    connector_id: int
    time_base: datetime
    periods_w: tuple[tuple[int, int], ...]


CommandEffect = (
    ReservationOutcome
    | AvailabilityChanged
    | LocalListVersion
    | HeartbeatIntervalChanged
    | ProfileOutcome
    | ProfileCleared
    | SecurityEffect  # certificates and charger passwords (ocpp_server/security)
    | ConfigurationReported
    | ConfigurationChanged
    | LocalListSent
    | VariablesReported
    | MonitorsSet
    | MonitorsCleared
)
