"""Periodic jobs of the OCPP server: liveness and billing of finished sessions."""

from __future__ import annotations

import logging

from mobility.bus import CommandBus
from mobility.clock import utcnow
from mobility.errors import DomainError
from mobility.jobs import JobSpec
from ocpp_server import local_lists, protocols
from ocpp_server.services import ChargingService

log = logging.getLogger(__name__)
RUNNING_COST_MINUTES = 5  # how often a 2.0.1 station's display learns the running cost


def mark_offline_chargers(charging: ChargingService) -> list[str]:
    """Chargers silent for longer than heartbeat interval + grace become offline."""
    stale = charging.mark_offline()
    if stale:
        log.info("marked offline: %s", ", ".join(stale))
    return stale


def sync_local_lists(charging: ChargingService, bus: CommandBus) -> int:
    """Send connected chargers the local list changes they miss (Full when they lag), each
    in its version's SendLocalList.

    Runs outside any transaction: each update goes through the command bus to whichever
    node holds the charger, and its answer is recorded there as the command's effect.
    """
    sent = 0
    timeout = charging.settings.command_timeout
    for cp_id, version in local_lists.due(charging.db):
        payload_of = protocols.by_version(version).local_list_payload
        try:
            for update in local_lists.updates_for(charging.db, cp_id, version):
                payload = payload_of(update)
                answer = bus.call_sync(cp_id, "SendLocalList", payload, timeout)
                sent += 1
                if answer.get("status") != "Accepted":
                    break
        except DomainError as exc:  # offline, refused, timed out: next run tries again
            log.info("local list of %s not sent: %s", cp_id, exc.message)
    return sent


def send_running_costs(charging: ChargingService, bus: CommandBus) -> int:
    """Tell 2.0.1 stations what each running session costs so far (CostUpdated), from our
    tariffs, outside any transaction; a station that is away gets it at the next run."""
    sent = 0
    for cost in charging.running_costs(utcnow()):
        payload = {"totalCost": float(cost.total), "transactionId": cost.transaction_ref}
        try:
            bus.call_sync(
                cost.charge_point_id, "CostUpdated", payload, charging.settings.command_timeout
            )
            sent += 1
        except DomainError as exc:
            log.info("running cost of %s not sent: %s", cost.transaction_ref, exc.message)
    return sent


def audit_local_lists(charging: ChargingService, bus: CommandBus) -> int:
    """Ask connected chargers holding our list for its version; one that lost it (a
    factory reset, a faulty charger) reports another version and the sync job re-sends it
    in full at its next run."""
    asked = 0
    timeout = charging.settings.command_timeout
    for cp_id in local_lists.synced_online(charging.db):
        try:
            bus.call_sync(cp_id, "GetLocalListVersion", {}, timeout)
            asked += 1
        except DomainError as exc:
            log.info("local list version of %s not asked: %s", cp_id, exc.message)
    return asked


def jobs(charging: ChargingService, bus: CommandBus) -> list[JobSpec]:
    """The OCPP server's periodic jobs."""
    return [
        JobSpec(
            "ocpp.sync_local_lists",
            lambda: sync_local_lists(charging, bus),
            "interval",
            {"minutes": 1},
        ),
        JobSpec(
            "ocpp.audit_local_lists",
            lambda: audit_local_lists(charging, bus),
            "interval",
            {"hours": 6},
        ),
        JobSpec(
            "ocpp.mark_offline",
            lambda: mark_offline_chargers(charging),
            "interval",
            {"seconds": 60},
        ),
        JobSpec(
            "ocpp.expire_reservations", charging.expire_reservations, "interval", {"minutes": 1}
        ),
        JobSpec(
            "ocpp.running_costs",
            lambda: send_running_costs(charging, bus),
            "interval",
            {"minutes": RUNNING_COST_MINUTES},
        ),
        # Retries billing of completed sessions that could not be billed at stop time.
        JobSpec("ocpp.bill_unbilled", charging.settle_unbilled, "interval", {"minutes": 5}),
    ]
