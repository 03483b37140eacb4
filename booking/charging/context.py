"""What the citizen charging pages need at request time, installed by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from booking.charging.services import CitizenCharging

EXTENSION = "booking.charging"


@dataclass(frozen=True)
class ChargingContext:
    """The citizen charging use cases and where users reach the site (QR codes)."""

    service: CitizenCharging
    base_url: str


def charging() -> ChargingContext:
    """The citizen charging context of the current app."""
    found: ChargingContext = current_app.extensions[EXTENSION]
    return found
