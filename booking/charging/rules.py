"""Citizen charging decisions without I/O: who may start where, tariff items, live figures. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal

from billing.tariffs import Dimension, Restrictions, TariffSpec
from mobility.remote_charging import MAX_ID_TAG

# Connector statuses a remote start may begin from: free, or a cable already plugged in
# (1.6 Preparing; 2.0.1 Occupied when no session runs there).
STARTABLE = frozenset({"Available", "Preparing", "Occupied"})
# The id tags of cards issued for starting from the app begin so (the rest random hex).
APP_TAG_PREFIX = "APP-"
APP_TAG_KIND = "Central"  # OCPP 2.0.1 IdTokenEnumType: checked by the CSMS, no RFID behind it
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Card:
    """A user's charging card (an OCPP id tag) as the start form offers it."""

    id_tag: str
    label: str
    kind: str
    status: str
    expires_at: datetime | None
    company: str | None = None


def usable(card: Card, now: datetime) -> bool:
    """A card the charger will accept now: accepted, not expired, short enough for OCPP 1.6."""
    fresh = card.expires_at is None or card.expires_at > now
    return card.status == "Accepted" and fresh and 0 < len(card.id_tag) <= MAX_ID_TAG


def start_refusal(
    online: bool, availability: str, status: str, session_running: bool
) -> str | None:
    """Why a remote start cannot be asked for on this connector now (None: it can)."""
    if not online:
        return "charger_offline"
    if availability != "Operative" or status in ("Faulted", "Unavailable"):
        return "connector_out_of_order"
    if session_running or status not in STARTABLE:
        return "connector_busy"
    return None


def app_tag(random_hex: str) -> str:
    """The id tag of an app card from 16 random hex digits (20 characters: fits OCPP 1.6)."""
    tag = APP_TAG_PREFIX + random_hex.upper()
    if len(tag) > MAX_ID_TAG or len(random_hex) != 16:
        raise ValueError("an app card's tag is APP- and 16 hex digits")
    return tag


@dataclass(frozen=True)
class PriceItem:
    """One price component of a tariff as a citizen reads it: per unit, incl. VAT."""

    dimension: str
    price_incl_vat: Decimal
    vat_percent: Decimal
    step_size: int
    restrictions: Restrictions


def incl_vat(price: Decimal, vat_percent: Decimal) -> Decimal:
    """A net unit price with its VAT, to the tenth of a cent (prices per kWh have 3-4 digits)."""
    return (price * (1 + vat_percent / _HUNDRED)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def price_items(spec: TariffSpec) -> list[PriceItem]:
    """Every price component of a tariff in element order, with VAT included."""
    return [
        PriceItem(c.dimension.value, incl_vat(c.price, c.vat), c.vat, c.step_size, e.restrictions)
        for e in spec.elements
        for c in e.components
        if c.price or c.dimension is Dimension.FLAT
    ]


def restricted(r: Restrictions) -> bool:
    """Whether a price applies only sometimes (hours, days, power, energy, duration)."""
    return any(
        v is not None
        for v in (
            r.start_time,
            r.end_time,
            r.day_of_week,
            r.min_power,
            r.max_power,
            r.min_kwh,
            r.max_kwh,
            r.min_duration,
            r.max_duration,
            r.reservation,
        )
    )


def hours(r: Restrictions) -> tuple[time, time] | None:
    """The daily window of a restricted price ((start, end); 00:00 when one side is open)."""
    if r.start_time is None and r.end_time is None:
        return None
    return (r.start_time or time(0), r.end_time or time(0))


@dataclass(frozen=True)
class LiveFigures:
    """A running session's figures for its page."""

    energy_kwh: Decimal
    power_kw: Decimal | None
    minutes: int


def live_figures(
    meter_start_wh: int,
    register_wh: Decimal | int | None,
    power_w: Decimal | int | None,
    started_at: datetime,
    until: datetime,
) -> LiveFigures:
    """Energy since the start (kWh, 3 digits), the last power reading (kW, 1 digit), minutes."""
    register = Decimal(register_wh if register_wh is not None else meter_start_wh)
    energy = max(Decimal(0), register - meter_start_wh)
    power = None if power_w is None else (Decimal(power_w) / 1000).quantize(Decimal("0.1"))
    minutes = max(0, int((until - started_at).total_seconds() // 60))
    return LiveFigures((energy / 1000).quantize(Decimal("0.001")), power, minutes)
