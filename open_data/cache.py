"""Feeds kept in memory as ready-to-send bytes, rebuilt when the data or the time changes.

At most once per ttl a request reads the change marker (one small query). When it moved, the
system is read again and the feeds built from it are rebuilt on their next request; live feeds
are also rebuilt when time alone changes them (a booking begins, company hours end) and at least
every MAX_AGE, as GBFS wants near-realtime data no older than five minutes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from mobility.clock import utcnow
from open_data.feeds import FEEDS, Staleness
from open_data.model import Snapshot
from open_data.rules import rfc3339
from open_data.snapshot import Marker, Reader
from open_data.system import FeedConfig
from open_data.vehicles import next_time_change

MAX_AGE = timedelta(minutes=5)
# A change stamped this close before a marker read may belong to a transaction that had not
# committed yet (updated_at is set at flush): such a marker is read again on the next check.
SLACK = timedelta(seconds=5)
SETTINGS_TTL = 3600
NEVER = datetime.max.replace(tzinfo=utcnow().tzinfo)


@dataclass(frozen=True)
class Document:
    """One feed as sent: identity and gzip bytes, their ETags, and how long it holds."""

    body: bytes
    gzipped: bytes
    etag: str
    snapshot: Snapshot | None
    data: dict[str, Any]
    valid_until: datetime
    ttl: int
    last_updated: datetime

    def max_age(self, now: datetime, next_check: datetime) -> int:
        """Seconds a client may keep it: until our next marker check or its own expiry."""
        if self.snapshot is None:
            return self.ttl
        return max(0, int((min(next_check, self.valid_until) - now).total_seconds()))


@dataclass(frozen=True)
class _Seen:
    snapshot: Snapshot
    marker: Marker
    newest: datetime | None
    checked_at: datetime


class FeedCache:
    """Every feed of every version, built lazily, shared by the web server's threads."""

    def __init__(
        self, cfg: FeedConfig, reader: Reader, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.cfg = cfg
        self.reader = reader
        self.clock = clock
        self._seen: _Seen | None = None
        self._docs: dict[tuple[str, str], Document] = {}
        self._lock = threading.Lock()

    def get(self, version: str, name: str) -> tuple[Document, int]:
        """The feed's document and the seconds clients may cache it."""
        now = self.clock()
        doc, seen = self._docs.get((version, name)), self._seen
        if doc is not None and self._fresh(doc, seen, now):
            assert seen is not None
            return doc, doc.max_age(now, self._next_check(seen))
        with self._lock:
            now = self.clock()
            seen = self._check(now)
            doc = self._docs.get((version, name))
            if doc is None or not self._current(doc, seen, now):
                doc = self._build(version, name, seen, now, doc)
                self._docs[(version, name)] = doc
            return doc, doc.max_age(now, self._next_check(seen))

    def _next_check(self, seen: _Seen) -> datetime:
        return seen.checked_at + timedelta(seconds=self.cfg.ttl)

    def _fresh(self, doc: Document, seen: _Seen | None, now: datetime) -> bool:
        """Servable without touching the database."""
        if seen is None or now >= doc.valid_until:
            return False
        return doc.snapshot is None or (
            doc.snapshot is seen.snapshot and now < self._next_check(seen)
        )

    @staticmethod
    def _current(doc: Document, seen: _Seen, now: datetime) -> bool:
        stale_data = doc.snapshot is not None and doc.snapshot is not seen.snapshot
        return not stale_data and now < doc.valid_until

    def _check(self, now: datetime) -> _Seen:
        """Read the marker when due; read the system again when it moved."""
        seen = self._seen
        if seen is not None and now < self._next_check(seen):
            return seen
        marker, newest = self.reader.marker()
        moved = seen is None or marker != seen.marker
        unsure = newest is not None and seen is not None and newest >= seen.checked_at - SLACK
        snapshot = self.reader.snapshot(now) if moved or unsure or seen is None else seen.snapshot
        self._seen = _Seen(snapshot, marker, newest, now)
        return self._seen

    def _build(
        self, version: str, name: str, seen: _Seen, now: datetime, old: Document | None
    ) -> Document:
        feed = FEEDS[name]
        data = feed.build(self.cfg, seen.snapshot, now, version)
        if feed.staleness is Staleness.SETTINGS:
            return _document(self.cfg, version, data, now, SETTINGS_TTL, None, NEVER)
        live = feed.staleness is not Staleness.DATA
        valid_until = _live_until(self.cfg, seen.snapshot, now) if live else NEVER
        # Same content (a re-read that found nothing new, or time that changed nothing): keep
        # its bytes, ETag and last_updated, so that clients' copies stay valid (304); a live
        # feed says it is current at least every MAX_AGE.
        if (
            old is not None
            and old.data == data
            and not (live and now - old.last_updated >= MAX_AGE)
        ):
            return replace(old, snapshot=seen.snapshot, valid_until=valid_until)
        stamp = now if live else seen.snapshot.read_at
        return _document(self.cfg, version, data, stamp, self.cfg.ttl, seen.snapshot, valid_until)


def _live_until(cfg: FeedConfig, snapshot: Snapshot, now: datetime) -> datetime:
    change = next_time_change(cfg, snapshot, now)
    return min(change or NEVER, now + MAX_AGE)


def _document(
    cfg: FeedConfig,
    version: str,
    data: dict[str, Any],
    last_updated: datetime,
    ttl: int,
    snapshot: Snapshot | None,
    valid_until: datetime,
) -> Document:
    doc = {
        "last_updated": rfc3339(last_updated, cfg.tz),
        "ttl": ttl,
        "version": version,
        "data": data,
    }
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    etag = hashlib.sha256(body).hexdigest()[:32]
    # mtime=0: the same bytes give the same compressed bytes in every process.
    gzipped = gzip.compress(body, 6, mtime=0)
    return Document(body, gzipped, etag, snapshot, data, valid_until, ttl, last_updated)
