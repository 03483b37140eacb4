"""Which chargers this node holds: recorded in the database and the bus, through outages.

A charger is served as soon as its socket is up, whether or not the database or Redis answer.
Database rows are written in batches (a reconnect storm of thousands of chargers costs a few
transactions, not one each) and kept until written; bus routes are registered per charger in
the background with retries. The two are independent, so a failing bus never keeps the
database saying "online" (and the other way round).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from mobility.bus import CommandBus
from ocpp_server.services import ChargingService

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.25
FIRST_RETRY = 0.5
LONGEST_WAIT = 30.0
GIVE_UP_AFTER = 600.0  # then the offline job and route expiry tidy up


class Presence:
    """Connect and disconnect bookkeeping of one OCPP node."""

    def __init__(self, charging: ChargingService, bus: CommandBus, node_id: str) -> None:
        self.charging = charging
        self.bus = bus
        self.node_id = node_id
        self._state: dict[str, bool] = {}  # charger -> held here? (latest wins), not yet stored
        self._routes: dict[str, asyncio.Task[None]] = {}
        self._pending: set[asyncio.Task[None]] = set()

    def arrived(self, cp_id: str) -> None:
        """Record that this node holds the charger (database row, bus route)."""
        self._state[cp_id] = True
        self._route(cp_id, lambda: self.bus.charger_connected(cp_id))

    def left(self, cp_id: str) -> None:
        """Record that the charger's socket here is gone."""
        self._state[cp_id] = False
        self._route(cp_id, lambda: self.bus.charger_disconnected(cp_id))

    async def flush(self) -> None:
        """Store the latest state of chargers that came or went (raises when the DB is away)."""
        batch = dict(self._state)
        if not batch:
            return
        held = sorted(cp for cp, here in batch.items() if here)
        gone = sorted(cp for cp, here in batch.items() if not here)
        await asyncio.to_thread(self.charging.record_connections, held, gone, self.node_id)
        for cp, here in batch.items():
            if self._state.get(cp) is here:  # unchanged while we wrote it
                del self._state[cp]

    async def run(self) -> None:
        """Flush forever, backing off while the database is away."""
        wait = FLUSH_SECONDS
        while True:
            await asyncio.sleep(wait)
            try:
                await self.flush()
                wait = FLUSH_SECONDS
            except Exception as exc:
                if wait == FLUSH_SECONDS:
                    log.warning("connection states wait for the database: %s", exc)
                wait = min(wait * 2, LONGEST_WAIT)

    async def settle(self, timeout: float = 5.0) -> None:
        """At a graceful stop: store what is known, give route changes a moment."""
        try:
            await self.flush()
        except Exception as exc:
            log.error("at shutdown, %d connection states not stored: %s", len(self._state), exc)
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout)
        for task in set(self._pending):
            task.cancel()

    def _route(self, cp_id: str, step: Callable[[], Awaitable[None]]) -> None:
        previous = self._routes.pop(cp_id, None)
        if previous is not None:
            previous.cancel()  # only the newest route change of a charger matters
        task = asyncio.create_task(_retrying(f"route of {cp_id}", step))
        self._routes[cp_id] = task
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        task.add_done_callback(lambda t: self._forget_route(cp_id, t))

    def _forget_route(self, cp_id: str, task: asyncio.Task[None]) -> None:
        if self._routes.get(cp_id) is task:
            del self._routes[cp_id]


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
