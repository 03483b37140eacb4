"""Charger authentication at the websocket handshake, batched.

After a CSMS restart every charger reconnects at once; checking each password with its own
query and thread hop would make the storm last far longer than the handshakes themselves.
Handshakes that arrive within a few milliseconds share one query.
"""

from __future__ import annotations

import asyncio

from ocpp_server.services import Attempt, AuthOutcome, ChargingService

Waiting = tuple[Attempt, "asyncio.Future[AuthOutcome]"]
WINDOW = 0.005  # seconds a handshake may wait for others to share its query
LARGEST = 1000  # handshakes per query at most


class Gate:
    """Collects handshakes' credentials and checks them together."""

    def __init__(self, charging: ChargingService) -> None:
        self.charging = charging
        self._waiting: list[Waiting] = []
        self._timer: asyncio.TimerHandle | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def check(self, cp_id: str, password: str | None, profile: int = 1) -> AuthOutcome:
        """The outcome for one charger on a security profile (raises what the database raised)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AuthOutcome] = loop.create_future()
        self._waiting.append(((cp_id, password, profile), future))
        if len(self._waiting) >= LARGEST:
            self._start()
        elif self._timer is None:
            self._timer = loop.call_later(WINDOW, self._start)
        return await future

    def _start(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._waiting = self._waiting, []
        if batch:
            task = asyncio.ensure_future(self._check(batch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _check(self, batch: list[Waiting]) -> None:
        attempts = [attempt for attempt, _ in batch]
        try:
            outcomes = await asyncio.to_thread(self.charging.authenticate_many, attempts)
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)
