"""What the CSMS avoids asking particular charger models, learnt in the field. Pure data.

Each entry matches a BootNotification's vendor and model (case-insensitive regular
expressions) and names what to skip for them and why. Add models here when a charger
misbehaves; the note says what was seen, so the entry can be dropped when firmware fixes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Quirks:
    """How to treat a model after it boots."""

    # Send GetConfiguration after boot (only when OCPP_PROBE_CONFIGURATION is on).
    probe_configuration: bool = True
    # Ask only for these keys when probing (empty: every key); some models time out or
    # reboot when asked for their whole configuration.
    configuration_keys: tuple[str, ...] = ()
    # Keep the local authorisation list in step after boot and from the job.
    local_list: bool = True
    note: str = ""


# The keys the CSMS itself uses (profile checks, local list limits, heartbeat).
USED_KEYS = (
    "HeartbeatInterval",
    "SupportedFeatureProfiles",
    "LocalAuthListEnabled",
    "LocalAuthListMaxLength",
    "SendLocalListMaxLength",
    "ChargingScheduleAllowedChargingRateUnit",
    "ChargeProfileMaxStackLevel",
    "ChargingScheduleMaxPeriods",
)

DEFAULT = Quirks()

# (vendor pattern, model pattern, quirks); empty until a model in our fleet needs an entry.
TABLE: list[tuple[str, str, Quirks]] = []


def quirks_for(
    vendor: str | None, model: str | None, table: list[tuple[str, str, Quirks]] | None = None
) -> Quirks:
    """The first matching entry's quirks (none matches: the defaults)."""
    for vendor_re, model_re, quirks in TABLE if table is None else table:
        if re.search(vendor_re, vendor or "", re.IGNORECASE) and re.search(
            model_re, model or "", re.IGNORECASE
        ):
            return quirks
    return DEFAULT
