"""Sending a signed certificate to a charger once its SignCertificate has been answered."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

Send = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


async def deliver(cp_id: str, send: Send, payload: dict[str, Any]) -> None:
    """CertificateSigned to the charger; a failure is logged and left to the redelivery job.

    The certificate is already stored as issued: nothing is lost when the charger is gone
    or does not answer now (`ocpp.deliver_certificates` sends it again).
    """
    try:
        await send("CertificateSigned", payload)
    except Exception as exc:  # timeout, CallError, closed socket: all retried by the job
        log.warning("%s: CertificateSigned not delivered now, the job retries: %s", cp_id, exc)
