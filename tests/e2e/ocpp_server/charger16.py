"""A simulated 1.6 charger with a configuration and a local authorisation list of its own."""

from __future__ import annotations

import asyncio
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from tests.e2e.ocpp_server.conftest import Charger

CONFIGURATION = {
    "HeartbeatInterval": ("300", False),
    "MeterValueSampleInterval": ("60", False),
    "SupportedFeatureProfiles": ("Core,LocalAuthListManagement,SmartCharging,Reservation", True),
    "LocalAuthListEnabled": ("true", False),
    "ChargingScheduleAllowedChargingRateUnit": ("Current", True),
    "ChargeProfileMaxStackLevel": ("3", True),
}


class Charger16(Charger):
    """Keeps what it is sent: configuration changes, its local list, reservations, profiles."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config = {k: list(v) for k, v in CONFIGURATION.items()}
        self.reboot_keys = {"MeterValueSampleInterval"}
        self.list_version = 0
        self.local_list: dict[str, dict[str, Any]] = {}
        self.received: list[tuple[str, dict[str, Any]]] = []

    def got(self, action: str) -> list[dict[str, Any]]:
        """Payloads of `action` received so far (snake_case, as the library hands them)."""
        return [p for a, p in self.received if a == action]

    async def wait_for(self, action: str, count: int = 1, seconds: float = 10) -> None:
        """Until `count` calls of `action` arrived."""
        for _ in range(int(seconds * 50)):
            if len(self.got(action)) >= count:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"{action} x{count} not received: {self.received}")

    @on(Action.get_configuration)
    async def on_get_configuration(self, key: list[str] | None = None, **kw: Any) -> Any:
        self.received.append(("GetConfiguration", {"key": key}))
        wanted = key or list(self.config)
        known = [k for k in wanted if k in self.config]
        return call_result.GetConfiguration(
            configuration_key=[
                {"key": k, "value": self.config[k][0], "readonly": self.config[k][1]} for k in known
            ],
            unknown_key=[k for k in wanted if k not in self.config] or None,
        )

    @on(Action.change_configuration)
    async def on_change_configuration(self, key: str, value: str, **kw: Any) -> Any:
        self.received.append(("ChangeConfiguration", {"key": key, "value": value}))
        if key not in self.config:
            return call_result.ChangeConfiguration(status="NotSupported")
        if self.config[key][1]:
            return call_result.ChangeConfiguration(status="Rejected")
        self.config[key][0] = value
        status = "RebootRequired" if key in self.reboot_keys else "Accepted"
        return call_result.ChangeConfiguration(status=status)

    @on(Action.get_local_list_version)
    async def on_local_list_version(self, **kw: Any) -> Any:
        self.received.append(("GetLocalListVersion", {}))
        return call_result.GetLocalListVersion(list_version=self.list_version)

    @on(Action.send_local_list)
    async def on_send_local_list(self, **kw: Any) -> Any:
        self.received.append(("SendLocalList", kw))
        if kw["update_type"] == "Full":
            self.local_list = {}
        for item in kw.get("local_authorization_list") or []:
            if item.get("id_tag_info"):
                self.local_list[item["id_tag"]] = item["id_tag_info"]
            else:
                self.local_list.pop(item["id_tag"], None)
        self.list_version = kw["list_version"]
        return call_result.SendLocalList(status="Accepted")

    @on(Action.reserve_now)
    async def on_reserve(self, **kw: Any) -> Any:
        self.received.append(("ReserveNow", kw))
        return call_result.ReserveNow(status="Accepted")

    @on(Action.cancel_reservation)
    async def on_cancel_reservation(self, **kw: Any) -> Any:
        self.received.append(("CancelReservation", kw))
        return call_result.CancelReservation(status="Accepted")

    @on(Action.set_charging_profile)
    async def on_set_profile(self, **kw: Any) -> Any:
        self.received.append(("SetChargingProfile", kw))
        return call_result.SetChargingProfile(status="Accepted")
