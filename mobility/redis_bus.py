"""Redis command bus: routes a command to whichever OCPP node holds the charger's websocket.

Routing: key ``ocpp:route:<charger>`` names the node (TTL, refreshed while connected).
Requests: published on ``ocpp:node:<node>``; the node's listener runs them on its event loop.
Replies: pushed on the list ``ocpp:reply:<request id>`` and read with BLPOP (no lost replies
even when the answer arrives before the caller listens).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from typing import Any

import redis

from mobility.bus import CommandBus, Executor
from mobility.errors import (
    ChargerUnavailable,
    CommandTimeout,
    DomainError,
    ServiceUnavailable,
    ValidationFailed,
)

log = logging.getLogger(__name__)

ROUTE_TTL = 90
REFRESH_EVERY = 30
_ERRORS: dict[str, type[DomainError]] = {
    ChargerUnavailable.code: ChargerUnavailable,
    CommandTimeout.code: CommandTimeout,
    ValidationFailed.code: ValidationFailed,
}
# Delete the route only if it still points at this node (a newer node may own the charger).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
# Keep (or, after an empty Redis restart, restore) a route, never taking one another node holds.
_KEEP = (
    "local v = redis.call('get', KEYS[1]) "
    "if v == false or v == ARGV[1] then "
    "return redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2]) end return 0"
)


CONNECT_TIMEOUT = 3.0  # seconds


def _route(charger_id: str) -> str:
    return f"ocpp:route:{charger_id}"


def _channel(node_id: str) -> str:
    return f"ocpp:node:{node_id}"


class RedisBus(CommandBus):
    """Command bus shared by web workers and OCPP nodes through Redis."""

    def __init__(self, redis_url: str, node_id: str) -> None:
        self.node_id = node_id
        # Connects give up after a few seconds (a host that dropped off the network would
        # otherwise hold a caller for the system's TCP timeout, minutes); reads have no socket
        # timeout because BLPOP waits for answers as long as the command's own timeout.
        self.redis = redis.Redis.from_url(
            redis_url,
            decode_responses=True,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_keepalive=True,
            health_check_interval=30,
        )
        self._local: set[str] = set()
        self._executor: Executor | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pubsub: Any = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    # -- caller side ----------------------------------------------------------------------
    def call_sync(
        self, charger_id: str, action: str, payload: dict[str, Any], timeout: float
    ) -> dict[str, Any]:
        try:
            return self._call(charger_id, action, payload, timeout)
        except redis.RedisError as exc:  # away, slow, or not answering as Redis does
            log.warning("%s for %s not sent, redis unavailable: %s", action, charger_id, exc)
            raise ServiceUnavailable(
                "Charger commands cannot be delivered right now: the command bus (Redis) is "
                "unavailable. Try again in a moment."
            ) from None

    def _call(
        self, charger_id: str, action: str, payload: dict[str, Any], timeout: float
    ) -> dict[str, Any]:
        route = self.redis.get(_route(charger_id))
        if route is None:
            raise ChargerUnavailable(f"Charger {charger_id} is not connected.")
        node = str(route)
        request_id = uuid.uuid4().hex
        reply_key = f"ocpp:reply:{request_id}"
        message = json.dumps(
            {
                "id": request_id,
                "charger": charger_id,
                "action": action,
                "payload": payload,
                "reply": reply_key,
                "timeout": timeout,
            }
        )
        if self.redis.publish(_channel(node), message) == 0:
            raise ChargerUnavailable(f"OCPP node {node} holding {charger_id} is not reachable.")
        answer = self.redis.blpop([reply_key], timeout=timeout)
        if answer is None:
            raise CommandTimeout(
                f"Charger {charger_id} did not answer {action} within {timeout:g} s.",
                charger_id=charger_id,
                action=action,
            )
        reply = json.loads(answer[1])
        if reply.get("ok"):
            return dict(reply["result"])
        cls = _ERRORS.get(reply.get("code", ""), DomainError)
        raise cls(reply.get("message", "command failed"), code=reply.get("code"))

    async def call(
        self, charger_id: str, action: str, payload: dict[str, Any], timeout: float
    ) -> dict[str, Any]:
        return await asyncio.to_thread(self.call_sync, charger_id, action, payload, timeout)

    # -- node side ------------------------------------------------------------------------
    def attach(self, executor: Executor, loop: asyncio.AbstractEventLoop) -> None:
        self._executor, self._loop = executor, loop
        self._stopping.clear()
        self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(_channel(self.node_id))
        for target, name in ((self._listen, "redis-bus-listen"), (self._refresh, "redis-bus-ttl")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def detach(self) -> None:
        self._stopping.set()
        if self._pubsub is not None:
            self._pubsub.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        self._executor = self._loop = None
        try:
            for charger_id in list(self._local):
                self._release(charger_id)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            # Stopping goes on: the routes left behind expire within ROUTE_TTL.
            log.warning("routes of %d chargers left to expire: %s", len(self._local), exc)

    def _listen(self) -> None:
        lost = False
        while not self._stopping.is_set():
            try:
                msg = self._pubsub.get_message(timeout=0.5)
            except (redis.ConnectionError, ValueError, AttributeError) as exc:
                if self._stopping.is_set():
                    return
                if not lost:
                    log.warning("redis bus lost its connection (%s); retrying", exc)
                lost = True
                self._stopping.wait(1)
                continue
            if lost:
                # Back: Redis may have restarted empty, so put this node's routes back now.
                lost = False
                log.info("redis bus reconnected; restoring %d routes", len(self._local))
                self._keep_routes()
            if msg and msg.get("type") == "message":
                self._dispatch(json.loads(msg["data"]))

    def _dispatch(self, req: dict[str, Any]) -> None:
        if self._executor is None or self._loop is None:
            return
        fut = asyncio.run_coroutine_threadsafe(
            self._executor(req["charger"], req["action"], req["payload"]), self._loop
        )
        fut.add_done_callback(lambda f: self._reply(req, f))

    def _reply(self, req: dict[str, Any], fut: Any) -> None:
        try:
            body: dict[str, Any] = {"ok": True, "result": fut.result()}
        except DomainError as exc:
            body = {"ok": False, "code": exc.code, "message": exc.message}
        except Exception as exc:
            log.exception("command %s failed on node %s", req.get("action"), self.node_id)
            body = {"ok": False, "code": "internal_error", "message": str(exc)[:200]}
        pipe = self.redis.pipeline()
        pipe.rpush(req["reply"], json.dumps(body))
        pipe.expire(req["reply"], 60)
        pipe.execute()

    def _refresh(self) -> None:
        while not self._stopping.wait(REFRESH_EVERY):
            self._keep_routes()

    def _keep_routes(self) -> None:
        """Refresh the TTL of this node's routes (restoring lost ones, never stealing)."""
        try:
            pipe = self.redis.pipeline()
            for charger_id in list(self._local):
                pipe.eval(_KEEP, 1, _route(charger_id), self.node_id, ROUTE_TTL)
            pipe.execute()
        except redis.RedisError as exc:
            log.warning("could not refresh charger routes: %s", exc)

    async def charger_connected(self, charger_id: str) -> None:
        self._local.add(charger_id)
        await asyncio.to_thread(self.redis.set, _route(charger_id), self.node_id, ex=ROUTE_TTL)

    async def charger_disconnected(self, charger_id: str) -> None:
        self._local.discard(charger_id)
        await asyncio.to_thread(self._release, charger_id)

    def _release(self, charger_id: str) -> None:
        self.redis.eval(_RELEASE, 1, _route(charger_id), self.node_id)

    def close(self) -> None:
        self.redis.close()
