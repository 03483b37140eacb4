"""Write-behind for high-volume charger reports (status, meter values).

Answers go out at once; reports are persisted in batches every FLUSH_INTERVAL by one worker
thread, so thousands of chargers cost a few transactions per second instead of one each.
Transactions, authorisation and boot stay synchronous: they need the database's answer.
Trade-off: a crash may lose up to one interval of acknowledged status/meter reports (never a
start/stop, which is what billing uses); a graceful stop flushes everything.
"""

from __future__ import annotations

import asyncio
import logging

from mobility.db import Database
from ocpp_server.events import Report
from ocpp_server.reports import write_batch

log = logging.getLogger(__name__)

FLUSH_INTERVAL = 0.1


class WriteBehind:
    """Queue of reports to persist, flushed by a background task."""

    def __init__(self, db: Database, interval: float = FLUSH_INTERVAL) -> None:
        self.db = db
        self.interval = interval
        self._items: list[tuple[str, Report]] = []
        self._lock = asyncio.Lock()

    def add(self, cp_id: str, report: Report) -> None:
        """Queue a status or meter report."""
        self._items.append((cp_id, report))

    async def flush(self) -> int:
        """Persist everything queued so far (serialised: one batch at a time)."""
        async with self._lock:
            batch, self._items = self._items, []
            if not batch:
                return 0
            return await asyncio.to_thread(write_batch, self.db, batch)

    async def run(self) -> None:
        """Flush forever; a failing batch is logged and retried with the next one."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.flush()
            except Exception:
                log.exception("write-behind flush failed")
