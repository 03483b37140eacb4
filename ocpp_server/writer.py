"""Write-behind for high-volume charger reports (status, meter values).

Answers go out at once; reports are persisted in batches every FLUSH_INTERVAL by one worker
thread, so thousands of chargers cost a few transactions per second instead of one each.
Transactions, authorisation and boot stay synchronous: they need the database's answer.
A batch leaves the queue only once it is stored: while the database is away, reports wait in
memory (retried with backoff) up to LIMIT; beyond that the node stops acknowledging reports
(the charger gets a CallError and sends again later) rather than dropping any. A graceful stop
flushes everything; a crash may lose at most one interval of acknowledged status/meter reports
(never a start/stop, which is what billing uses).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import DataError, IntegrityError

from mobility.db import Database
from ocpp_server.events import Report
from ocpp_server.reports import write_batch

log = logging.getLogger(__name__)

FLUSH_INTERVAL = 0.1
LONGEST_WAIT = 5.0
LIMIT = 100_000  # reports held in memory at most (a few hundred bytes each)


class WriteBehind:
    """Queue of reports to persist, flushed by a background task."""

    def __init__(self, db: Database, interval: float = FLUSH_INTERVAL, limit: int = LIMIT) -> None:
        self.db = db
        self.interval = interval
        self.limit = limit
        self._items: list[tuple[str, Report]] = []
        self._lock = asyncio.Lock()

    @property
    def full(self) -> bool:
        """True when no more reports may be acknowledged until the database takes some."""
        return len(self._items) >= self.limit

    def add(self, cp_id: str, report: Report) -> bool:
        """Queue a status or meter report; False (not queued) when full."""
        if self.full:
            return False
        self._items.append((cp_id, report))
        return True

    async def flush(self) -> int:
        """Persist everything queued so far; on failure it all stays queued (and raises)."""
        async with self._lock:
            batch = self._items[:]
            if not batch:
                return 0
            try:
                written = await asyncio.to_thread(write_batch, self.db, batch)
            except (DataError, IntegrityError):
                # Not an outage: some report the database refuses. Store the rest one by one.
                written = await asyncio.to_thread(_one_by_one, self.db, batch)
            # Reports queued while this batch was written come after it: keep them.
            del self._items[: len(batch)]
            return written

    async def run(self) -> None:
        """Flush forever, backing off while the database is away."""
        wait = self.interval
        while True:
            await asyncio.sleep(wait)
            try:
                # Shielded: a stop cancelling this loop mid-write must not leave a stored batch
                # in the queue (the final flush would store it twice); it waits for the lock.
                await asyncio.shield(self.flush())
                wait = self.interval
            except Exception as exc:
                if wait == self.interval:
                    log.warning("storing %d reports failed, will retry: %s", len(self._items), exc)
                wait = min(wait * 2, LONGEST_WAIT)


def _one_by_one(db: Database, batch: list[tuple[str, Report]]) -> int:
    """Store reports singly, dropping (and logging) only those the database refuses."""
    written = 0
    for item in batch:
        try:
            written += write_batch(db, [item])
        except (DataError, IntegrityError) as exc:
            log.error("dropped a report of %s the database refuses: %s", item[0], exc)
    return written
