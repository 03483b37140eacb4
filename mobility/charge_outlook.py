"""What booking may ask smart charging, without knowing it: a port the composition root fills.

Booking asks how charged a car will be at pick-up, and whether one more trip can be served;
the `energy` package answers from its plans. Without smart charging nobody answers (None).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from mobility.errors import N_, Message


@dataclass(frozen=True)
class EnergyCheck:
    """Whether a car can be charged enough for one more trip, and what it would leave with."""

    ok: bool
    expected_soc: float  # at departure, 0..1, with this trip planned in
    target_soc: float  # what the trip needs, 0..1
    others_short: int  # other bookings that would leave below target because of it

    @property
    def message(self) -> Message:
        """A sentence for the booker."""
        if self.others_short:
            return N_(
                "The charger at this hub cannot also charge this car for your trip without "
                "leaving other bookings short: choose another car or time."
            )
        return N_(
            "This car is expected to have %(expected)s%% at pick-up and your trip needs"
            " %(needed)s%%: choose another car, a later start or a shorter trip.",
            expected=round(self.expected_soc * 100),
            needed=round(self.target_soc * 100),
        )


class ChargeOutlook(Protocol):
    """Expected charge of shared cars, from the smart-charging plans."""

    def expected_soc(self, vehicle_id: int, at: datetime) -> float | None:
        """The car's expected SoC (0..1) at `at`; None when no plan covers it."""

    def check_trip(
        self,
        vehicle_id: int,
        start: datetime,
        end: datetime,
        distance_km: float | None,
        min_soc: float | None,
        ignore_booking: int | None = None,
    ) -> EnergyCheck | None:
        """Can the plan serve this trip too (instead of `ignore_booking`, when it is moved)?"""


class NoOutlook:
    """No smart charging in this process: nothing is known."""

    def expected_soc(self, vehicle_id: int, at: datetime) -> float | None:
        """Nothing known."""
        return None

    def check_trip(
        self,
        vehicle_id: int,
        start: datetime,
        end: datetime,
        distance_km: float | None,
        min_soc: float | None,
        ignore_booking: int | None = None,
    ) -> EnergyCheck | None:
        """Nothing known."""
        return None
