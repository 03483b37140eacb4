"""Command bus port: the web side asks a charger to act without knowing where its socket lives.

The OCPP server attaches an executor (it owns the websockets); callers anywhere send
`call(charger_id, action, payload)` and get the charger's answer or a clear domain error.
The in-process bus serves the embedded default; a Redis bus routes across processes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine
from typing import Any

from mobility.errors import ChargerUnavailable, CommandTimeout

# Executes one command on a locally connected charger; raises ChargerUnavailable if absent.
Executor = Callable[[str, str, dict[str, Any]], Coroutine[Any, Any, dict[str, Any]]]


class CommandBus(ABC):
    """Send commands to chargers by id and await their answers."""

    @abstractmethod
    async def call(
        self, charger_id: str, action: str, payload: dict[str, Any], timeout: float
    ) -> dict[str, Any]:
        """Send `action` to the charger and return its answer payload."""

    @abstractmethod
    def call_sync(
        self, charger_id: str, action: str, payload: dict[str, Any], timeout: float
    ) -> dict[str, Any]:
        """Blocking variant for threads outside the OCPP event loop (Flask views, jobs)."""

    @abstractmethod
    def attach(self, executor: Executor, loop: asyncio.AbstractEventLoop) -> None:
        """Called by an OCPP node: commands for its chargers go to `executor` on `loop`."""

    def detach(self) -> None:  # noqa: B027 - optional hook
        """Called by an OCPP node when it stops."""

    async def charger_connected(self, charger_id: str) -> None:  # noqa: B027
        """Record that this node holds the charger's socket (routing for multi-node buses)."""

    async def charger_disconnected(self, charger_id: str) -> None:  # noqa: B027
        """Forget the charger's route."""

    def close(self) -> None:  # noqa: B027
        """Release resources."""


class InProcessBus(CommandBus):
    """Bus for one process: web threads call into the OCPP server's event loop."""

    def __init__(self) -> None:
        self._executor: Executor | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def attach(self, executor: Executor, loop: asyncio.AbstractEventLoop) -> None:
        self._executor = executor
        self._loop = loop

    def detach(self) -> None:
        self._executor = None
        self._loop = None

    def _target(self) -> tuple[Executor, asyncio.AbstractEventLoop]:
        if self._executor is None or self._loop is None or self._loop.is_closed():
            raise ChargerUnavailable("No OCPP server is running in this process.")
        return self._executor, self._loop

    async def call(
        self, charger_id: str, action: str, payload: dict[str, Any], timeout: float
    ) -> dict[str, Any]:
        executor, loop = self._target()
        if asyncio.get_running_loop() is loop:
            try:
                return await asyncio.wait_for(executor(charger_id, action, payload), timeout)
            except TimeoutError:
                raise _timeout(charger_id, action, timeout) from None
        fut = asyncio.run_coroutine_threadsafe(executor(charger_id, action, payload), loop)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(fut), timeout)
        except TimeoutError:
            fut.cancel()
            raise _timeout(charger_id, action, timeout) from None

    def call_sync(
        self, charger_id: str, action: str, payload: dict[str, Any], timeout: float
    ) -> dict[str, Any]:
        executor, loop = self._target()
        fut = asyncio.run_coroutine_threadsafe(executor(charger_id, action, payload), loop)
        try:
            return fut.result(timeout)
        except concurrent.futures.TimeoutError:
            fut.cancel()
            raise _timeout(charger_id, action, timeout) from None


def _timeout(charger_id: str, action: str, timeout: float) -> CommandTimeout:
    return CommandTimeout(
        f"Charger {charger_id} did not answer {action} within {timeout:g} s.",
        charger_id=charger_id,
        action=action,
    )
