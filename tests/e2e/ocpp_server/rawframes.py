"""A charger speaking raw OCPP-J frames over the `websockets` client (no ocpp library)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from typing import Any

import websockets

from mobility.demo import CHARGER_PASSWORD
from tests.e2e.ocpp_server.conftest import basic

Answer = Callable[[dict[str, Any]], dict[str, Any]]


class RawCharger:
    """Sends frames as given and reads replies; answers the CSMS's own calls from `answers`."""

    def __init__(self, ws: Any, answers: dict[str, Answer] | None = None) -> None:
        self.ws = ws
        self.answers = answers or {}
        self.calls: list[tuple[str, dict[str, Any]]] = []  # the CSMS's calls received
        self._ids = itertools.count(1)

    async def frame(self, text: str, unique_id: str, seconds: float = 10) -> list[Any]:
        """Send a raw frame and return the reply with `unique_id`."""
        await self.ws.send(text)
        return await self.reply(unique_id, seconds)

    async def call(self, action: str, payload: dict[str, Any]) -> list[Any]:
        """Send a Call and return the CallResult or CallError frame."""
        uid = f"m{next(self._ids)}"
        return await self.frame(json.dumps([2, uid, action, payload]), uid)

    async def reply(self, unique_id: str, seconds: float = 10) -> list[Any]:
        """Read frames until the reply to `unique_id`, answering the CSMS's calls meanwhile."""
        async with asyncio.timeout(seconds):
            while True:
                frame = json.loads(await self.ws.recv())
                if frame[0] == 2:
                    await self._answer(frame)
                elif frame[1] == unique_id:
                    return list(frame)

    async def _answer(self, frame: list[Any]) -> None:
        _, uid, action, payload = frame
        self.calls.append((action, payload))
        answer = self.answers.get(action)
        if answer is None:
            await self.ws.send(json.dumps([4, uid, "NotSupported", "not in this charger", {}]))
        else:
            await self.ws.send(json.dumps([3, uid, answer(payload)]))

    async def serve(self, seconds: float) -> None:
        """Answer the CSMS's calls for a while (nothing of our own to send)."""
        with contextlib.suppress(TimeoutError):
            await self.reply("never", seconds)


def url(srv: Any, cp_id: str) -> str:
    return f"ws://127.0.0.1:{srv.port}/ocpp/{cp_id}"


def raw_connect(srv: Any, cp_id: str = "CP-LYON-001", protocols: list[str] | None = None) -> Any:
    """The `websockets` client connection of a demo charger (use with `async with`)."""
    return websockets.connect(
        url(srv, cp_id),
        subprotocols=protocols if protocols is not None else ["ocpp1.6"],  # type: ignore[arg-type]
        additional_headers=basic(cp_id, CHARGER_PASSWORD),
    )
