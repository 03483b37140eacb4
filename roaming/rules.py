"""What our hubs, chargers, tariffs and sessions are in OCPI 2.2.1 terms. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from billing.pricing_periods import Period
from roaming.wire import number, ocpi_time

# OCPP connector status (1.6 and 2.0.1) -> OCPI EVSE Status.
_EVSE_STATUS = {
    "Available": "AVAILABLE",
    "Preparing": "CHARGING",  # a cable is in: the EVSE is taken
    "Charging": "CHARGING",
    "SuspendedEV": "CHARGING",
    "SuspendedEVSE": "CHARGING",
    "Finishing": "CHARGING",
    "Occupied": "CHARGING",
    "Reserved": "RESERVED",
    "Unavailable": "INOPERATIVE",
    "Faulted": "OUTOFORDER",
}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# ISO 3166 alpha-2 -> alpha-3 for the countries the platform runs in (OCPI wants alpha-3).
ALPHA3 = {
    "FR": "FRA", "DE": "DEU", "BE": "BEL", "NL": "NLD", "LU": "LUX", "CH": "CHE", "IT": "ITA",
    "ES": "ESP", "PT": "PRT", "AT": "AUT", "DK": "DNK", "SE": "SWE", "NO": "NOR", "FI": "FIN",
    "PL": "POL", "CZ": "CZE", "IE": "IRL", "GB": "GBR",
}  # fmt: skip
_DC_STANDARDS = ("IEC_62196_T2_COMBO", "IEC_62196_T1_COMBO", "CHADEMO", "GBT_DC", "TESLA_S")
AC_VOLTAGE = 230
DC_VOLTAGE = 400
DEFAULT_POWER_W = 22_000  # an AC charger whose power nobody recorded: 3 x 32 A
CAPABILITIES = ["RFID_READER", "REMOTE_START_STOP_CAPABLE", "RESERVABLE", "UNLOCK_CAPABLE"]


def evse_status(ocpp_status: str, online: bool) -> str:
    """OCPI EVSE status of a connector (a charger we cannot reach is UNKNOWN)."""
    if not online:
        return "UNKNOWN"
    return _EVSE_STATUS.get(ocpp_status, "UNKNOWN")


def evse_uid(charge_point_id: str, connector_id: int) -> str:
    """EVSE.uid of one OCPP connector: one OCPP connector is one OCPI EVSE."""
    return f"{charge_point_id}-{connector_id}"


def split_evse_uid(uid: str) -> tuple[str, int] | None:
    """(charge point id, connector id) of an EVSE.uid, None when it is not one of ours."""
    cp_id, _, number_ = uid.rpartition("-")
    if not cp_id or not number_.isdigit() or int(number_) < 1:
        return None
    return cp_id, int(number_)


def evse_id(country: str, party: str, charge_point_id: str, connector_id: int) -> str:
    """The eMI3 EVSE ID: <country>*<operator>*E<outlet id> (letters, digits and * only)."""
    outlet = "".join(ch for ch in charge_point_id.upper() if ch.isalnum())
    return f"{country}*{party}*E{outlet}*{connector_id}"


def opening_times(hours: Mapping[str, Any] | None) -> dict[str, Any]:
    """OCPI Hours from a hub's opening hours ({"mon": [["06:00", "22:00"]], ...}; None: 24/7)."""
    if not hours:
        return {"twentyfourseven": True}
    regular = [
        {"weekday": day + 1, "period_begin": begin, "period_end": end}
        for day, name in enumerate(_DAYS)
        for begin, end in hours.get(name) or []
    ]
    return {"twentyfourseven": False, "regular_hours": regular}


@dataclass(frozen=True)
class Plug:
    """What OCPI says of a connector's electrics."""

    power_type: str
    format: str
    max_voltage: int
    max_amperage: int
    max_electric_power: int


def plug(standard: str, power_w: int | None) -> Plug:
    """Power type, format, voltage and amperage of a connector of this standard and power."""
    power = power_w or DEFAULT_POWER_W
    if standard in _DC_STANDARDS:
        return Plug("DC", "CABLE", DC_VOLTAGE, power // DC_VOLTAGE, power)
    if power <= 7_400:  # up to 32 A on one phase
        return Plug("AC_1_PHASE", "SOCKET", AC_VOLTAGE, power // AC_VOLTAGE, power)
    return Plug("AC_3_PHASE", "SOCKET", AC_VOLTAGE, power // (3 * AC_VOLTAGE), power)


def price(excl_minor: int, incl_minor: int, exponent: int) -> dict[str, int | float]:
    """An OCPI Price from minor units."""
    return {
        "excl_vat": number(Decimal(excl_minor).scaleb(-exponent)),
        "incl_vat": number(Decimal(incl_minor).scaleb(-exponent)),
    }


_PLACES = Decimal("0.0001")  # OCPI numbers carry 4 decimals unless a field says otherwise


def _hours(seconds: int) -> int | float:
    return number((Decimal(seconds) / 3600).quantize(_PLACES))


def _kwh(wh: Decimal) -> int | float:
    return number((wh / 1000).quantize(_PLACES))


def charging_periods(periods: Sequence[Period], tariff_id: str) -> list[dict[str, Any]]:
    """OCPI ChargingPeriods from the periods a session was priced over."""
    out = []
    for p in sorted(periods, key=lambda p: p.start):
        dims: list[dict[str, Any]] = []
        if p.energy_wh:
            dims.append({"type": "ENERGY", "volume": _kwh(p.energy_wh)})
        kind = "PARKING_TIME" if p.parking else "TIME"
        dims.append({"type": kind, "volume": _hours(p.duration_s)})
        if p.power_kw is not None:
            # Power is uniform within a priced period: its maximum is that power.
            dims.append({"type": "MAX_POWER", "volume": number(p.power_kw.quantize(_PLACES))})
        out.append(
            {"start_date_time": ocpi_time(p.start), "dimensions": dims, "tariff_id": tariff_id}
        )
    return out


def totals(periods: Sequence[Period]) -> dict[str, int | float]:
    """Energy (kWh), whole duration and parking time (hours) of a session's periods."""
    energy = sum((p.energy_wh for p in periods), Decimal(0))
    seconds = sum(p.duration_s for p in periods)
    parking = sum(p.duration_s for p in periods if p.parking)
    return {
        "total_energy": _kwh(energy),
        "total_time": _hours(seconds),
        "total_parking_time": _hours(parking),
    }


def link_next(
    url: str, offset: int, limit: int, total: int, query: Mapping[str, str]
) -> str | None:
    """The Link header to the next page (None on the last page)."""
    if offset + limit >= total:
        return None
    args = {k: v for k, v in query.items() if k not in ("offset", "limit")}
    args.update(offset=str(offset + limit), limit=str(limit))
    return f'<{url}?{urlencode(args, safe=":")}>; rel="next"'


def decimal(value: Any) -> Decimal:
    """A stored tariff figure (string or number) as a Decimal, floats by their written digits."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


@dataclass(frozen=True)
class Window:
    """A paginated GET's query: offset, limit, and the last_updated range [date_from, date_to)."""

    offset: int = 0
    limit: int = 100
    date_from: datetime | None = None
    date_to: datetime | None = None

    def holds(self, last_updated: datetime) -> bool:
        """Whether an object updated then is in the range."""
        if self.date_from is not None and last_updated < self.date_from:
            return False
        return self.date_to is None or last_updated < self.date_to
