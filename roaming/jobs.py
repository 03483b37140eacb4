"""The roaming job: running roaming sessions' cost so far goes to their partner every minute.

Chargers' meter readings are written in batches behind the OCPP node, so a session's
progress is pushed from here rather than per reading; starts and ends are pushed at once.
"""

from __future__ import annotations

from sqlalchemy import select

from mobility.clock import utcnow
from mobility.db import Database
from mobility.jobs import JobSpec
from mobility.models import ChargingTransaction, TransactionStatus
from mobility.outbox import Outbox
from mobility.roaming import SESSION_CHANGED

INTERVAL_SECONDS = 60


def push_running_sessions(db: Database, outbox: Outbox, limit: int = 1000) -> int:
    """Record one Session push per running roaming session for this minute (safe twice)."""
    minute = utcnow().strftime("%Y%m%d%H%M")
    with db.transaction() as s:
        ids = list(
            s.scalars(
                select(ChargingTransaction.id)
                .where(
                    ChargingTransaction.roaming_partner_id.is_not(None),
                    ChargingTransaction.status == TransactionStatus.ACTIVE,
                )
                .order_by(ChargingTransaction.id)
                .limit(limit)
            )
        )
        for tx_id in ids:
            key = f"{SESSION_CHANGED}:{tx_id}:m{minute}"
            outbox.record(s, SESSION_CHANGED, key, {"transaction_id": tx_id})
    return len(ids)


def jobs(db: Database, outbox: Outbox) -> list[JobSpec]:
    """The roaming jobs with their collaborators bound in."""
    return [
        JobSpec(
            "roaming.push_running_sessions",
            lambda: push_running_sessions(db, outbox),
            "interval",
            {"seconds": INTERVAL_SECONDS},
        )
    ]
