"""What a 2.0.1 station holds about a customer (CustomerInformation), put together by request.

The station answers a CustomerInformation request with NotifyCustomerInformation parts of
at most 512 characters, numbered by seqNo, the last one with tbc false. Each part is kept
once (a replayed part changes nothing); the answer is the parts in order, complete when the
last one and every part before it arrived.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobility.db import Database
from mobility.models import CustomerInformationPart
from ocpp_server.events import CustomerInformationReport
from ocpp_server.services import charger_row


@dataclass(frozen=True)
class CustomerInformation:
    """The answer to one request so far: its text, whether all of it came, what is missing."""

    request_id: int
    data: str
    complete: bool
    parts: int
    missing: tuple[int, ...]


def assemble(request_id: int, parts: Iterable[tuple[int, str, bool]]) -> CustomerInformation:
    """(seqNo, data, tbc) parts -> the text in order, complete once the last part (tbc false)
    and every part before it are here. Pure."""
    by_seq = {seq: (data, tbc) for seq, data, tbc in parts}
    last = min((seq for seq, (_, tbc) in by_seq.items() if not tbc), default=None)
    top = last if last is not None else max(by_seq, default=-1)
    missing = tuple(seq for seq in range(top + 1) if seq not in by_seq)
    text = "".join(by_seq[seq][0] for seq in sorted(by_seq) if last is None or seq <= last)
    return CustomerInformation(
        request_id, text, last is not None and not missing, len(by_seq), missing
    )


def record_part(db: Database, cp_id: str, part: CustomerInformationReport) -> bool:
    """Keep a part once; True when it was new."""
    with db.transaction() as s:
        charger_pk = charger_row(s, cp_id).id
        seen = s.scalar(
            select(CustomerInformationPart.id).where(
                CustomerInformationPart.charger_id == charger_pk,
                CustomerInformationPart.request_id == part.request_id,
                CustomerInformationPart.seq_no == part.seq_no,
            )
        )
        if seen is not None:
            return False
        s.add(
            CustomerInformationPart(
                charger_id=charger_pk,
                request_id=part.request_id,
                seq_no=part.seq_no,
                data=part.data,
                tbc=part.tbc,
                generated_at=part.generated_at,
            )
        )
        return True


def answer(s: Session, charger_pk: int, request_id: int) -> CustomerInformation:
    """What a station sent so far for one request."""
    rows = s.execute(
        select(
            CustomerInformationPart.seq_no,
            CustomerInformationPart.data,
            CustomerInformationPart.tbc,
        ).where(
            CustomerInformationPart.charger_id == charger_pk,
            CustomerInformationPart.request_id == request_id,
        )
    )
    return assemble(request_id, ((seq, data, tbc) for seq, data, tbc in rows))
