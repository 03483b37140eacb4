"""Booking-aware smart charging: pure planner (inputs and plan as frozen dataclasses, no I/O).

from energy import Problem, plan, expected_soc, can_serve
"""

from energy.model import (
    SLOT,
    Booking,
    BookingCheck,
    BookingOutcome,
    Connector,
    ConnectorPlan,
    Plan,
    PlannerConfig,
    Problem,
    PublicSession,
    Reason,
    Segment,
    Series,
    SessionOutcome,
    Site,
    SitePlan,
    Trip,
    Vehicle,
    VehiclePlan,
)
from energy.planner import can_serve, expected_soc, plan, plan_site, soc_at
from energy.pv import clear_sky_pv
from energy.timeline import target_soc, trip_kwh

__all__ = [
    "SLOT",
    "Booking",
    "BookingCheck",
    "BookingOutcome",
    "Connector",
    "ConnectorPlan",
    "Plan",
    "PlannerConfig",
    "Problem",
    "PublicSession",
    "Reason",
    "Segment",
    "Series",
    "SessionOutcome",
    "Site",
    "SitePlan",
    "Trip",
    "Vehicle",
    "VehiclePlan",
    "can_serve",
    "clear_sky_pv",
    "expected_soc",
    "plan",
    "plan_site",
    "soc_at",
    "target_soc",
    "trip_kwh",
]
