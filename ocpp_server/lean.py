"""The ocpp library's per-charger state, made cheap: one node holds thousands of sessions.

The library's ChargePoint.__init__ builds a route map per instance (every decorated handler
looked up by name, a dict of bound methods per action: about 270 us and 4 KB a charger) and an
asyncio Lock and Queue a charger may never need (3 KB). Here the route map is found once per
class and bound on lookup, and the lock and queue are made on first use. A reconnect storm
builds thousands of sessions at once, and an idle node holds them for hours.

The garbage collector is tuned for the same reason (`collect_less_often`).
"""

from __future__ import annotations

import asyncio
import gc
import uuid
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

from ocpp.routing import create_route_map

_CLASS_ROUTES: dict[type, dict[str, dict[str, Any]]] = {}

# Allocations between young collections, young collections per middle one, middle per full.
GC_THRESHOLDS = (50_000, 20, 100)


def collect_less_often() -> None:
    """Raise the collector's thresholds for a process holding thousands of chargers.

    Every held charger keeps hundreds of long-lived objects, and with the default thresholds
    (700, 10, 10) a collection ran every few messages and rescanned them: in a reconnect storm
    of 10,000 chargers the collector took 8 of 17 seconds. Nothing here relies on cycles being
    freed quickly. Thresholds already set higher are kept. Called by the process's entry point
    (`mobility ocpp`, `mobility run`), never by a node: it is the whole process's setting.
    """
    current = gc.get_threshold()
    gc.set_threshold(*(max(now, ours) for now, ours in zip(current, GC_THRESHOLDS, strict=True)))


def _routes_of(cls: type) -> dict[str, dict[str, Any]]:
    routes = _CLASS_ROUTES.get(cls)
    if routes is None:
        # On the class, the handlers are plain functions: bound to a session when looked up.
        routes = _CLASS_ROUTES[cls] = create_route_map(cls)
    return routes


class BoundRoutes(Mapping[str, dict[str, Any]]):
    """A class's route map seen from one session: the library's `route_map[action]`."""

    __slots__ = ("_routes", "_session")

    def __init__(self, session: object) -> None:
        self._session = session
        self._routes = _routes_of(type(session))

    def __getitem__(self, action: str) -> dict[str, Any]:
        return {
            option: value.__get__(self._session) if callable(value) else value
            for option, value in self._routes[action].items()
        }

    def __contains__(self, action: object) -> bool:
        return action in self._routes

    def __iter__(self) -> Iterator[str]:
        return iter(self._routes)

    def __len__(self) -> int:
        return len(self._routes)


class LeanChargePoint:
    """Mixed in before the library's ChargePoint, whose __init__ it replaces."""

    def _init_library(self, charger_id: str, connection: Any, timeout: float, logger: Any) -> None:
        """What the library's __init__ sets, minus what is now made once or on first use."""
        self.id = charger_id
        self._connection = connection
        self._response_timeout = timeout
        self._unique_id_generator = uuid.uuid4
        self.logger = logger

    @property
    def route_map(self) -> BoundRoutes:
        """The handlers of this session's class, bound to it."""
        return BoundRoutes(self)

    @cached_property
    def _call_lock(self) -> asyncio.Lock:
        return asyncio.Lock()

    @cached_property
    def _response_queue(self) -> asyncio.Queue[Any]:
        return asyncio.Queue()
