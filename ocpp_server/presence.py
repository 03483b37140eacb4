"""Which chargers this node holds: recorded in the database and the bus, through outages.

A charger is served as soon as its socket is up, whether or not the database or Redis answer;
the bookkeeping is retried in the background until it lands. Arrival and departure are each
made of independent steps, so a failing bus never keeps the database saying "online" (and the
other way round).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from mobility.bus import CommandBus
from ocpp_server.services import ChargingService

log = logging.getLogger(__name__)

FIRST_RETRY = 0.5
LONGEST_WAIT = 30.0
GIVE_UP_AFTER = 600.0  # then the offline job and route expiry tidy up


class Presence:
    """Connect and disconnect bookkeeping of one OCPP node."""

    def __init__(self, charging: ChargingService, bus: CommandBus, node_id: str) -> None:
        self.charging = charging
        self.bus = bus
        self.node_id = node_id
        self._arrivals: dict[str, list[asyncio.Task[None]]] = {}
        self._pending: set[asyncio.Task[None]] = set()

    def arrived(self, cp_id: str) -> None:
        """Record that this node holds the charger (database row, bus route)."""
        self._cancel_arrival(cp_id)
        self._arrivals[cp_id] = [
            self._spawn(f"{cp_id} online", lambda: self._db(cp_id, True)),
            self._spawn(f"{cp_id} route", lambda: self.bus.charger_connected(cp_id)),
        ]

    def left(self, cp_id: str) -> None:
        """Record that the charger's socket here is gone."""
        self._cancel_arrival(cp_id)
        self._spawn(f"{cp_id} offline", lambda: self._db(cp_id, False))
        self._spawn(f"{cp_id} unroute", lambda: self.bus.charger_disconnected(cp_id))

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait a little for outstanding bookkeeping (graceful stop)."""
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout)
        for task in set(self._pending):
            task.cancel()

    async def _db(self, cp_id: str, connected: bool) -> None:
        await asyncio.to_thread(self.charging.record_connection, cp_id, self.node_id, connected)

    def _cancel_arrival(self, cp_id: str) -> None:
        for task in self._arrivals.pop(cp_id, []):
            task.cancel()

    def _spawn(self, label: str, step: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        task = asyncio.create_task(_retrying(label, step))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return task


async def _retrying(label: str, step: Callable[[], Awaitable[None]]) -> None:
    """Run `step` until it succeeds, backing off, for at most GIVE_UP_AFTER seconds."""
    wait, waited = FIRST_RETRY, 0.0
    while True:
        try:
            await step()
            if waited:
                log.info("recorded %s after %.0f s", label, waited)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an outage: keep serving, keep trying
            if waited >= GIVE_UP_AFTER:
                log.error("gave up recording %s: %s", label, exc)
                return
            if not waited:
                log.warning("could not record %s yet (%s); retrying", label, exc)
        await asyncio.sleep(wait)
        waited += wait
        wait = min(wait * 2, LONGEST_WAIT)
