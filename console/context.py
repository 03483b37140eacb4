"""What the console's pages need at request time, installed by the composition root."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask import current_app

from billing.facade import Billing
from console.ports import BookingDesk, ChargerReservations
from console.services.day_figures import DayMemo
from mobility.bus import CommandBus
from mobility.config import Settings
from mobility.db import Database
from mobility.outbox import Outbox

EXTENSION = "console"


@dataclass(frozen=True)
class ConsoleContext:
    """Collaborators of the console, built once per process.

    The console never imports the OCPP server: the composition root hands in what it needs
    to know of the protocols (the command catalogue of a version, the charger id rule).
    """

    settings: Settings
    db: Database
    bus: CommandBus
    billing: Billing
    catalogue: Callable[[str | None], Sequence[str]]
    valid_charger_id: Callable[[str], bool]
    reservations: ChargerReservations
    bookings: BookingDesk
    # Mails to citizens go out after commit (a refused driving licence).
    outbox: Outbox
    # The dashboard's finished days, remembered by this process (not a composition choice).
    memo: DayMemo = field(default_factory=DayMemo)


def ctx() -> ConsoleContext:
    """The console context of the current app."""
    found: ConsoleContext = current_app.extensions[EXTENSION]
    return found
