"""Smart charging at run time: read a site, plan it, keep the plan, steer its chargers.

Each step is short: one read transaction for the inputs, the plan computed outside any
transaction, one write transaction to keep it (and the flags it raises), then the profiles
sent through the command bus with no transaction open. Only what changed is sent again, and
everything is sent again after a charger reconnects.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from energy import dispatch
from energy.inputs import SiteInputs, read_site
from energy.model import PlannerConfig, SitePlan
from energy.planner import plan_site
from energy.store import plan_body
from mobility.bus import CommandBus
from mobility.charging_schedule import SET_SCHEDULE, TX_PROFILE, PowerSchedule
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import ChargerUnavailable, CommandTimeout, DomainError
from mobility.models import (
    ChargingProfileRecord,
    EnergyFlag,
    EnergyPlan,
    EnergySite,
    FlagKind,
    MeterValue,
)

log = logging.getLogger(__name__)

SETTLE = timedelta(minutes=1)  # a charger may take this long to bring its power down
POWER = "Power.Active.Import"
REPLAN_EVERY = timedelta(minutes=15)
InForce = dict[
    tuple[int, int], tuple[str | None, datetime]
]  # (charger, profile) -> digest, since  # the first slot moves on: plan again even if nothing did
KEEP_PLANS = timedelta(days=2)


@dataclass
class Steering:
    """What one dispatch did, connector by connector."""

    sent: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    offline: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SiteRun:
    """One site's turn of the planner: the plan made (None: nothing changed) and the steering."""

    site_id: int
    plan_id: int | None
    steering: Steering


class SmartCharging:
    """Plans every enabled site and keeps its chargers on the plan."""

    def __init__(
        self,
        db: Database,
        bus: CommandBus,
        config: PlannerConfig | None = None,
        command_timeout: float = 15.0,
    ) -> None:
        self.db = db
        self.bus = bus
        self.config = config or PlannerConfig()
        self.command_timeout = command_timeout

    def run(self, now: datetime | None = None) -> list[SiteRun]:
        """The job: re-plan the sites whose inputs changed (or whose plan aged), then steer."""
        with self.db.sessions() as s:
            site_ids = list(s.scalars(select(EnergySite.id).where(EnergySite.enabled.is_(True))))
        runs = []
        for site_id in site_ids:
            try:
                runs.append(self.run_site(site_id, now))
            except Exception:  # one broken site must not stop the others
                log.exception("smart charging failed for site %s", site_id)
        return runs

    def run_site(self, site_id: int, now: datetime | None = None, force: bool = False) -> SiteRun:
        """Plan one site if due, and send what changed."""
        now = now or utcnow()
        inputs, due = self._inputs(site_id, now, force)
        plan_id, body = None, None
        if due:
            plan = plan_site(inputs.problem, str(site_id), self.config)
            body = plan_body(plan, inputs.pv_kw, inputs.price)
            plan_id = self._keep(inputs, plan, body, now)
        steering = self.steer(site_id, inputs, body)
        return SiteRun(site_id, plan_id, steering)

    def _inputs(self, site_id: int, now: datetime, force: bool) -> tuple[SiteInputs, bool]:
        with self.db.sessions() as s:
            site = s.get(EnergySite, site_id)
            if site is None:
                raise KeyError(site_id)
            inputs = read_site(s, site, now, self.config.slots)
            due = (
                force
                or site.replan_requested_at is not None
                or site.inputs_digest != inputs.digest
                or site.planned_at is None
                or now - site.planned_at >= REPLAN_EVERY
            )
            return inputs, due

    def _keep(self, inputs: SiteInputs, plan: SitePlan, body: dict[str, Any], now: datetime) -> int:
        """Store the plan, mark the site planned, raise and settle booking flags."""
        with self.db.transaction() as s:
            row = EnergyPlan(
                site_id=inputs.site_pk,
                created_at=now,
                start=plan.start,
                method=plan.method,
                note=plan.note[:2000],
                short_bookings=sum(1 for b in plan.bookings if b.short),
                peak_kw=Decimal(str(round(max(plan.grid_kw, default=0.0), 2))),
                cost_eur=Decimal(str(round(plan.cost_eur, 4))),
                body=body,
            )
            s.add(row)
            s.execute(
                update(EnergySite)
                .where(EnergySite.id == inputs.site_pk)
                .values(inputs_digest=inputs.digest, planned_at=now, replan_requested_at=None)
            )
            s.execute(
                delete(EnergyPlan).where(
                    EnergyPlan.site_id == inputs.site_pk, EnergyPlan.created_at < now - KEEP_PLANS
                )
            )
            short = {
                f"booking:{b.booking_id}": _short_message(b.expected_soc, b.target_soc)
                for b in plan.bookings
                if b.short
            }
            _settle_flags(s, inputs.site_pk, FlagKind.BOOKING_SHORT, short, now)
            s.flush()
            return row.id

    def steer(
        self, site_id: int, inputs: SiteInputs | None = None, body: dict[str, Any] | None = None
    ) -> Steering:
        """Send each steered connector its schedule from the site's latest plan, if changed."""
        if inputs is None:
            with self.db.sessions() as s:
                site = s.get(EnergySite, site_id)
                if site is None:
                    raise KeyError(site_id)
                inputs = read_site(s, site, utcnow(), self.config.slots)
        wanted = self._wanted(inputs, body or self.latest_plan(inputs.site_pk))
        steering = Steering()
        in_force = self._in_force(inputs)
        self._check_followed(inputs, wanted, in_force)
        todo = self._changed(inputs, wanted, in_force, steering)
        if todo:
            with ThreadPoolExecutor(min(8, len(todo))) as pool:
                results = list(pool.map(lambda key: self._send(inputs, key, wanted[key]), todo))
            for key, outcome in zip(todo, results, strict=True):
                getattr(steering, outcome).append(key)
        if steering.refused:
            self._flag_refused(inputs.site_pk, steering.refused)
        return steering

    def _wanted(self, inputs: SiteInputs, body: dict[str, Any] | None) -> dict[str, PowerSchedule]:
        if body is None:
            return {}
        steered = {k: o for k, o in inputs.outlets.items() if k not in inputs.worst_case}
        return dispatch.schedules(
            body,
            {k: o.connector_id for k, o in steered.items()},
            {k: ref for k, ref in inputs.running.items() if k in steered},
            {k: o.max_kw for k, o in steered.items()},
        )

    def latest_plan(self, site_id: int) -> dict[str, Any] | None:
        """The latest stored plan body of a site."""
        with self.db.sessions() as s:
            body = s.scalar(
                select(EnergyPlan.body)
                .where(EnergyPlan.site_id == site_id)
                .order_by(EnergyPlan.created_at.desc(), EnergyPlan.id.desc())
                .limit(1)
            )
            return None if body is None else dict(body)

    def _in_force(self, inputs: SiteInputs) -> InForce:
        """Our accepted profiles still in force on the site's chargers: digest and since when."""
        with self.db.sessions() as s:
            rows = s.execute(
                select(
                    ChargingProfileRecord.charger_id,
                    ChargingProfileRecord.profile_id,
                    ChargingProfileRecord.digest,
                    ChargingProfileRecord.created_at,
                ).where(
                    ChargingProfileRecord.charger_id.in_(
                        {o.charger_pk for o in inputs.outlets.values()}
                    ),
                    ChargingProfileRecord.cleared_at.is_(None),
                    ChargingProfileRecord.status == "accepted",
                )
            ).all()
        return {(c, p): (d, at) for c, p, d, at in rows}

    def _changed(
        self,
        inputs: SiteInputs,
        wanted: dict[str, PowerSchedule],
        in_force: InForce,
        steering: Steering,
    ) -> list[str]:
        """Connectors whose schedule in force differs, or whose charger reconnected since."""
        todo = []
        for key, schedule in wanted.items():
            outlet = inputs.outlets[key]
            if not outlet.online:
                steering.offline.append(key)
                continue
            digest, at = in_force.get((outlet.charger_pk, schedule.profile_id), (None, None))
            fresh = at is not None and (outlet.connected_at is None or at >= outlet.connected_at)
            if digest == schedule.digest and fresh:
                steering.unchanged.append(key)
            else:
                todo.append(key)
        return todo

    def _check_followed(
        self, inputs: SiteInputs, wanted: dict[str, PowerSchedule], in_force: InForce
    ) -> None:
        """Sessions drawing more than the profile they accepted get planned at worst case."""
        now = utcnow()
        settled = _settled(inputs, wanted, in_force, now)
        if not settled:
            return
        with self.db.sessions() as s:
            ignored = [
                key
                for key, (tx_pk, since) in settled.items()
                if _overdrawn(s, tx_pk, wanted[key], since)
            ]
        if not ignored:
            return
        with self.db.transaction() as s:
            for key in ignored:
                _open_flag(
                    s,
                    inputs.site_pk,
                    FlagKind.NOT_FOLLOWED,
                    f"connector:{key}",
                    f"Charger connector {key} draws more than the profile it accepted: planned "
                    "at full power until an operator resolves this flag.",
                    now,
                )
            s.execute(
                update(EnergySite)
                .where(EnergySite.id == inputs.site_pk)
                .values(replan_requested_at=now)
            )
        for key in ignored:
            wanted.pop(key)

    def _send(self, inputs: SiteInputs, key: str, schedule: PowerSchedule) -> str:
        """Send one schedule; the OCPP side records the profile and its outcome."""
        outlet = inputs.outlets[key]
        try:
            answer = self.bus.call_sync(
                outlet.charge_point_id,
                SET_SCHEDULE,
                schedule.to_payload(),
                timeout=self.command_timeout,
            )
        except (ChargerUnavailable, CommandTimeout):
            return "offline"
        except DomainError as exc:
            log.warning("profile for %s refused: %s", key, exc)
            return "refused"
        return "sent" if answer.get("status") == "Accepted" else "refused"

    def _flag_refused(self, site_pk: int, keys: list[str]) -> None:
        """A charger that refuses our profiles is planned at its worst case from now on."""
        now = utcnow()
        with self.db.transaction() as s:
            for key in keys:
                _open_flag(
                    s,
                    site_pk,
                    FlagKind.PROFILE_REJECTED,
                    f"connector:{key}",
                    f"Charger connector {key} refused its charging profile: planned at full "
                    "power until an operator resolves this flag.",
                    now,
                )
            s.execute(
                update(EnergySite).where(EnergySite.id == site_pk).values(replan_requested_at=now)
            )

    def request_replan(self, site_pk: int) -> None:
        """An event (limit pushed, price imported...): the next run re-plans the site at once."""
        with self.db.transaction() as s:
            s.execute(
                update(EnergySite)
                .where(EnergySite.id == site_pk)
                .values(replan_requested_at=utcnow())
            )


def _settled(
    inputs: SiteInputs, wanted: dict[str, PowerSchedule], in_force: InForce, now: datetime
) -> dict[str, tuple[int, datetime]]:
    """Sessions whose TxProfile has been in force long enough to judge: session, since when."""
    out = {}
    for key, tx_pk in inputs.session_pks.items():
        schedule = wanted.get(key)
        if schedule is None or schedule.purpose != TX_PROFILE:
            continue
        charger_pk = inputs.outlets[key].charger_pk
        digest, since = in_force.get((charger_pk, schedule.profile_id), (None, None))
        if digest == schedule.digest and since is not None and now - since >= SETTLE:
            out[key] = (tx_pk, since + SETTLE)
    return out


def _overdrawn(s: Session, tx_pk: int, schedule: PowerSchedule, since: datetime) -> bool:
    """Two power readings in a row above the profile (one could be a ramp-down in progress)."""
    readings = s.execute(
        select(MeterValue.timestamp, MeterValue.value)
        .where(
            MeterValue.transaction_id == tx_pk,
            MeterValue.measurand == POWER,
            MeterValue.timestamp >= since,
        )
        .order_by(MeterValue.timestamp.desc())
        .limit(2)
    ).all()
    return len(readings) == 2 and all(
        dispatch.overdraws(dispatch.limit_at(schedule, at), float(value)) for at, value in readings
    )


def _short_message(expected: float, target: float) -> str:
    return (
        f"Expected to leave with {expected:.0%} against a target of {target:.0%}: "
        "offer the booker another car or warn them."
    )


def _open_flag(
    s: Session, site_pk: int, kind: FlagKind, subject: str, message: str, now: datetime
) -> None:
    found = s.scalar(
        select(EnergyFlag).where(
            EnergyFlag.site_id == site_pk,
            EnergyFlag.kind == kind,
            EnergyFlag.subject == subject,
            EnergyFlag.resolved_at.is_(None),
        )
    )
    if found is None:
        s.add(
            EnergyFlag(site_id=site_pk, kind=kind, subject=subject, message=message, created_at=now)
        )
    else:
        found.message = message


def _settle_flags(
    s: Session, site_pk: int, kind: FlagKind, wanted: dict[str, str], now: datetime
) -> None:
    """Open a flag per subject in `wanted`; resolve the open ones no longer wanted."""
    for subject, message in wanted.items():
        _open_flag(s, site_pk, kind, subject, message, now)
    stale = update(EnergyFlag).where(
        EnergyFlag.site_id == site_pk, EnergyFlag.kind == kind, EnergyFlag.resolved_at.is_(None)
    )
    if wanted:
        stale = stale.where(EnergyFlag.subject.not_in(list(wanted)))
    s.execute(stale.values(resolved_at=now))
