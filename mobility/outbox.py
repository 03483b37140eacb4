"""Side effects after commit: record an intent in the use case's transaction, run it after.

A use case calls `record(s, kind, key, payload)`; once its transaction commits (and releases
its locks) the intent is carried out by the handler registered for its kind, either in the
caller's thread (`wait=True`, when the caller needs the outcome) or on the outbox's worker
threads. A crash or an outage leaves the intent pending: `run_due` (a job) retries it with
backoff. Handlers must be idempotent: they may run again after a crash mid-way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mobility.clock import utcnow
from mobility.db import Database, after_commit, rowcount
from mobility.models import OutboxItem, OutboxStatus

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
LEASE = timedelta(seconds=120)  # longer than any handler's provider timeouts
MAX_ATTEMPTS = 12
_WIPE = "_wipe_when_done"


class Retry(Exception):
    """Raised by a handler: not possible yet (a prerequisite is pending); try again later."""


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 5 s doubling up to 1 h."""
    return timedelta(seconds=min(3600, 5 * 2 ** max(0, attempts - 1)))


class Outbox:
    """Records intents and carries them out after commit, once each."""

    def __init__(self, db: Database, workers: int = 4) -> None:
        self.db = db
        self._handlers: dict[str, Handler] = {}
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="outbox")
        self._futures: set[Future[None]] = set()
        self._lock = threading.Lock()

    def register(self, kind: str, handler: Handler) -> None:
        """Route intents of `kind` to `handler` (the composition root wires them)."""
        self._handlers[kind] = handler

    def record(
        self,
        s: Session,
        kind: str,
        key: str,
        payload: dict[str, Any],
        *,
        wait: bool = False,
        secret: bool = False,
    ) -> None:
        """Record an intent in `s`'s transaction (once per key) and run it after commit.

        `secret` payloads (a mail with a sign-in link) are wiped once carried out.
        """
        exists = s.scalar(select(OutboxItem.id).where(OutboxItem.key == key))
        if exists is None:
            body = {**payload, _WIPE: True} if secret else payload
            s.add(OutboxItem(kind=kind, key=key, payload=body))
            s.flush()
        after_commit(s, (lambda: self.run(key)) if wait else (lambda: self.submit(key)))

    def submit(self, key: str) -> None:
        """Run an intent on a worker thread."""
        future = self._pool.submit(self._run_quietly, key)
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def _run_quietly(self, key: str) -> None:
        self.run(key)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.discard(future)

    def flush(self, timeout: float | None = None) -> None:
        """Wait for intents handed to worker threads (tests, graceful shutdown)."""
        with self._lock:
            pending = set(self._futures)
        wait_for(pending, timeout)

    def close(self) -> None:
        """Finish running intents and stop the workers."""
        self._pool.shutdown(wait=True)

    def run(self, key: str) -> bool:
        """Carry out one intent now if it is due and nobody else holds it; True when done."""
        item = self._claim(key)
        if item is None:
            return False
        handler = self._handlers.get(item.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for {item.kind!r} intents")
            handler(item.payload)
        except Retry as exc:
            self._failed(item, str(exc) or "waiting", count=False)
            return False
        except Exception as exc:  # any failure: record it, retry later, never lose the intent
            log.warning("intent %s failed (attempt %s): %s", key, item.attempts, exc)
            self._failed(item, f"{type(exc).__name__}: {exc}")
            return False
        self._done(item)
        return True

    def run_due(self, limit: int = 200) -> int:
        """Retry intents whose time has come (job; safe to run in parallel with others)."""
        with self.db.sessions() as s:
            keys = list(
                s.scalars(
                    select(OutboxItem.key)
                    .where(
                        OutboxItem.status == OutboxStatus.PENDING,
                        OutboxItem.next_attempt_at <= utcnow(),
                    )
                    .order_by(OutboxItem.id)
                    .limit(limit)
                )
            )
        return sum(self.run(key) for key in keys)

    def _claim(self, key: str) -> OutboxItem | None:
        """Take the intent's lease (a conditional update: one runner wins)."""
        now = utcnow()
        with self.db.transaction() as s:
            claimed = rowcount(
                s.execute(
                    update(OutboxItem)
                    .where(
                        OutboxItem.key == key,
                        OutboxItem.status == OutboxStatus.PENDING,
                        OutboxItem.next_attempt_at <= now,
                    )
                    .values(next_attempt_at=now + LEASE, attempts=OutboxItem.attempts + 1)
                )
            )
            if not claimed:
                return None
            return s.scalar(select(OutboxItem).where(OutboxItem.key == key))

    def _done(self, item: OutboxItem) -> None:
        values: dict[str, Any] = {"status": OutboxStatus.DONE, "done_at": utcnow()}
        if item.payload.get(_WIPE):
            values["payload"] = {_WIPE: True}
        with self.db.transaction() as s:
            s.execute(
                update(OutboxItem).where(OutboxItem.id == item.id).values(last_error=None, **values)
            )

    def _failed(self, item: OutboxItem, error: str, count: bool = True) -> None:
        attempts = item.attempts if count else max(0, item.attempts - 1)
        dead = count and attempts >= MAX_ATTEMPTS
        with self.db.transaction() as s:
            s.execute(
                update(OutboxItem)
                .where(OutboxItem.id == item.id)
                .values(
                    status=OutboxStatus.DEAD if dead else OutboxStatus.PENDING,
                    attempts=attempts,
                    next_attempt_at=utcnow() + backoff(max(attempts, 1)),
                    last_error=error[:2000],
                )
            )
        if dead:
            log.error("intent %s gave up after %s attempts: %s", item.key, attempts, error)


def pending_keys(db: Database, keys: Iterable[str]) -> list[str]:
    """Which of these intents are not done yet."""
    wanted = list(keys)
    if not wanted:
        return []
    with db.sessions() as s:
        return list(
            s.scalars(
                select(OutboxItem.key).where(
                    OutboxItem.key.in_(wanted), OutboxItem.status != OutboxStatus.DONE
                )
            )
        )
