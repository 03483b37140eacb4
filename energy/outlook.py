"""Smart charging's answers to booking (the `mobility.charge_outlook` port), from its plans."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from energy.inputs import read_site
from energy.model import SLOT, Booking, PlannerConfig
from energy.planner import can_serve, soc_at
from energy.store import vehicle_plan
from mobility.charge_outlook import EnergyCheck
from mobility.clock import utcnow
from mobility.db import Database
from mobility.models import EnergyPlan, EnergySite, Vehicle

CACHE_SECONDS = 30.0  # plans change every few minutes; search reads them on every request
FURTHEST = timedelta(hours=48)  # beyond this nobody can tell


class PlanOutlook:
    """Expected SoC from the stored plans; trip checks by planning the site with the trip."""

    def __init__(self, db: Database, config: PlannerConfig | None = None) -> None:
        self.db = db
        self.config = config or PlannerConfig()
        self._lock = threading.Lock()
        self._loaded_at = -CACHE_SECONDS
        self._bodies: dict[str, tuple[str, dict[str, Any]]] = {}  # vehicle id -> (site, body)

    def expected_soc(self, vehicle_id: int, at: datetime) -> float | None:
        """The car's expected SoC at `at` under its site's latest plan."""
        found = self._plans().get(str(vehicle_id))
        if found is None:
            return None
        site_id, body = found
        plan = vehicle_plan(body, site_id, str(vehicle_id))
        if plan is None or not plan.start <= at <= plan.start + SLOT * len(plan.kw):
            return None
        return soc_at(plan, at)

    def _plans(self) -> dict[str, tuple[str, dict[str, Any]]]:
        with self._lock:
            if time.monotonic() - self._loaded_at < CACHE_SECONDS:
                return self._bodies
            latest = (
                select(EnergyPlan.site_id, func.max(EnergyPlan.id).label("id"))
                .group_by(EnergyPlan.site_id)
                .subquery()
            )
            with self.db.sessions() as s:
                rows = s.execute(
                    select(EnergyPlan.site_id, EnergyPlan.body).join(
                        latest, latest.c.id == EnergyPlan.id
                    )
                ).all()
            self._bodies = {
                v["vehicle_id"]: (str(site_id), body)
                for site_id, body in rows
                for v in body.get("vehicles", ())
            }
            self._loaded_at = time.monotonic()
            return self._bodies

    def check_trip(
        self,
        vehicle_id: int,
        start: datetime,
        end: datetime,
        distance_km: float | None,
        min_soc: float | None,
        ignore_booking: int | None = None,
    ) -> EnergyCheck | None:
        """Plan the car's site with this trip added (a moved booking without its old slot)."""
        now = utcnow()
        if start - now > FURTHEST:
            return None
        with self.db.sessions() as s:
            vehicle = s.get(Vehicle, vehicle_id)
            site = None
            if vehicle is not None and vehicle.hub_id is not None:
                site = s.scalar(
                    select(EnergySite).where(
                        EnergySite.hub_id == vehicle.hub_id, EnergySite.enabled.is_(True)
                    )
                )
            if site is None:
                return None
            inputs = read_site(s, site, now, self.config.slots)
        if str(vehicle_id) not in {v.id for v in inputs.problem.vehicles}:
            return None
        problem = inputs.problem
        if ignore_booking is not None:
            rest = tuple(b for b in problem.bookings if b.id != str(ignore_booking))
            problem = replace(problem, bookings=rest)
        trip = Booking("new", str(vehicle_id), max(start, now), end, distance_km, None, min_soc)
        check = can_serve(problem, trip, self.config)
        return EnergyCheck(
            ok=check.ok,
            expected_soc=check.expected_soc,
            target_soc=check.target_soc,
            others_short=len(check.newly_short),
        )
