"""OCPP 2.0.1 device management: reports, monitoring and customer information handlers."""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from ocpp_server import customer_information
from ocpp_server import device_model as ocpp_device_model
from ocpp_server import monitoring as ocpp_monitoring
from ocpp_server.session import CommandSession
from ocpp_server.v201 import device_model, monitoring


class DeviceHandlers201(CommandSession):
    """Station-initiated device-model messages; mixed into the 2.0.1 station session."""

    @on(Action.notify_report)
    async def on_notify_report(self, **payload: Any) -> Any:
        values = device_model.report_values(payload)
        await self._db(ocpp_device_model.record_report, self.db, self.id, values)
        return call_result.NotifyReport()

    @on(Action.notify_event)
    async def on_notify_event(self, **payload: Any) -> Any:
        events = monitoring.device_events(payload)
        await self._db(ocpp_monitoring.record_events, self.db, self.id, events)
        return call_result.NotifyEvent()

    @on(Action.notify_monitoring_report)
    async def on_monitoring_report(self, **payload: Any) -> Any:
        monitors = monitoring.monitors_reported(payload)
        await self._db(ocpp_monitoring.record_report, self.db, self.id, monitors)
        return call_result.NotifyMonitoringReport()

    @on(Action.notify_customer_information)
    async def on_customer_information(self, **payload: Any) -> Any:
        part = monitoring.customer_information(payload)
        await self._db(customer_information.record_part, self.db, self.id, part)
        return call_result.NotifyCustomerInformation()
