"""OCPP 2.0.1 smart-charging messages from stations: ISO 15118 needs and schedules, limits."""

from __future__ import annotations

import logging
from typing import Any

import websockets
from ocpp.routing import after, on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from mobility.errors import DomainError
from ocpp_server import device_model as ocpp_device_model
from ocpp_server.session import CommandSession
from ocpp_server.v201 import device_model, schedules, translate

log = logging.getLogger(__name__)


class SmartChargingHandlers201(CommandSession):
    """Station-initiated smart-charging messages; mixed into the 2.0.1 station session."""

    _renegotiate: dict[str, Any] | None = None  # the profile to send again after an answer

    @on(Action.notify_ev_charging_needs)
    async def on_ev_charging_needs(self, **payload: Any) -> Any:
        needs = device_model.charging_needs(payload)
        planned = await self._db(ocpp_device_model.record_needs, self.db, self.id, needs)
        # Accepted: the hub's smart charging will send a profile; else none will follow.
        return call_result.NotifyEVChargingNeeds(status="Accepted" if planned else "Rejected")

    @on(Action.notify_ev_charging_schedule)
    async def on_ev_charging_schedule(self, **payload: Any) -> Any:
        plan = translate.ev_charging_plan(payload)
        outcome = await self._db(
            ocpp_device_model.record_ev_plan, self.db, self.id, plan, schedules.profile_limits
        )
        self._renegotiate = outcome.resend
        # Accepted: the vehicle keeps within our profile (K15/K16); Rejected: it does not.
        return call_result.NotifyEVChargingSchedule(
            status="Accepted" if outcome.within_limits else "Rejected"
        )

    @after(Action.notify_ev_charging_schedule)
    async def after_ev_charging_schedule(self, **_: Any) -> None:
        """A schedule beyond our limits: the profile again, so the station renegotiates."""
        # Run beside the session once the answer is out (as every after-hook): no deadlock.
        profile, self._renegotiate = self._renegotiate, None
        if profile is None:
            return
        try:
            await self.send_command("SetChargingProfile", profile)
        except DomainError as exc:  # refused or timed out: the planner's next run sends one
            log.info("%s: renegotiation not started: %s", self.id, exc.message)
        except websockets.ConnectionClosed:
            pass

    @on(Action.report_charging_profiles)
    async def on_report_profiles(self, **payload: Any) -> Any:
        await self._store("ReportChargingProfiles", payload)
        return call_result.ReportChargingProfiles()

    @on(Action.notify_charging_limit)
    async def on_charging_limit(self, **payload: Any) -> Any:
        await self._store("NotifyChargingLimit", payload)
        return call_result.NotifyChargingLimit()

    @on(Action.cleared_charging_limit)
    async def on_cleared_charging_limit(self, **payload: Any) -> Any:
        await self._store("ClearedChargingLimit", payload)
        return call_result.ClearedChargingLimit()
