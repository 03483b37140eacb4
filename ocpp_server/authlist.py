"""Local authorisation lists, decided in pure code: what each charger should hold, what to send.

Chargers check cards against their local list while offline (and, with LocalPreAuthorize,
before asking us). The list is built from our id tokens; each charger holds a versioned copy.
A charger that never had one, or whose version is not the one we last sent, gets it in full;
otherwise only the differences are sent, in messages no longer than it accepts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ocpp_server.events import LocalListEntryInfo

# Used when the charger's SendLocalListMaxLength is unknown (not probed): small enough for
# every charger seen so far, and a large list still goes out in a few messages.
DEFAULT_PER_MESSAGE = 50
# A token whose type we do not know (one removed from our records) is an RFID card.
DEFAULT_KIND = "ISO14443"
_PRIORITY = {"Accepted": 0, "Blocked": 1, "Expired": 2, "Invalid": 3}


@dataclass(frozen=True)
class ListLimits:
    """SendLocalListMaxLength (entries per message) and LocalAuthListMaxLength (whole list)."""

    per_message: int = DEFAULT_PER_MESSAGE
    total: int | None = None


@dataclass(frozen=True)
class ListUpdate:
    """One SendLocalList to make: the version after it, Full or Differential, its entries."""

    version: int
    full: bool
    entries: tuple[LocalListEntryInfo, ...]


def limits(config: Mapping[str, str | None]) -> ListLimits:
    """The list limits a charger's configuration names (missing or unreadable: defaults)."""
    per_message = _positive(config.get("SendLocalListMaxLength")) or DEFAULT_PER_MESSAGE
    return ListLimits(per_message, _positive(config.get("LocalAuthListMaxLength")))


def _positive(raw: str | None) -> int | None:
    try:
        value = int(str(raw).strip())
    except ValueError:
        return None
    return value if value > 0 else None


def supported(config: Mapping[str, str | None], last_status: str | None) -> bool:
    """False when the charger said it has no local list (by answer or by its configuration)."""
    if last_status == "NotSupported":
        return False
    profiles = config.get("SupportedFeatureProfiles")
    if profiles is not None and "LocalAuthListManagement" not in profiles:
        return False
    return str(config.get("LocalAuthListEnabled", "true")).strip().lower() != "false"


def entry(
    id_tag: str,
    status: str,
    expires_at: datetime | None,
    parent_id_tag: str | None,
    owner_active: bool,
    now: datetime,
    kind: str | None = None,
) -> LocalListEntryInfo:
    """A token as the charger should judge it offline: blocked with its owner, expired on time."""
    if status == "Accepted" and not owner_active:
        status = "Blocked"
    if status == "Accepted" and expires_at is not None and expires_at <= now:
        status = "Expired"
    return LocalListEntryInfo(
        id_tag, status, expires_at, parent_id_tag or None, kind or DEFAULT_KIND
    )


def wanted(
    entries: Iterable[LocalListEntryInfo], total: int | None
) -> tuple[LocalListEntryInfo, ...]:
    """The list to hold: accepted cards first when it must be cut to the charger's capacity."""
    ordered = sorted(entries, key=lambda e: (_PRIORITY.get(e.status or "", 9), e.id_tag))
    kept = ordered if total is None else ordered[:total]
    return tuple(sorted(kept, key=lambda e: e.id_tag))


def digest(entries: Iterable[LocalListEntryInfo]) -> str:
    """A fingerprint of a list: equal lists, equal digests (order does not matter)."""
    lines = sorted(
        f"{e.id_tag}\t{e.status}\t{e.expires_at.isoformat() if e.expires_at else ''}"
        f"\t{e.parent_id_tag or ''}"
        for e in entries
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def differences(
    held: Mapping[str, LocalListEntryInfo], target: Iterable[LocalListEntryInfo]
) -> tuple[LocalListEntryInfo, ...]:
    """Entries to add or change, then tags to remove (status None)."""
    target_by_tag = {e.id_tag: e for e in target}
    changed = [e for tag, e in target_by_tag.items() if held.get(tag) != e]
    removed = [
        LocalListEntryInfo(tag, None, kind=e.kind)
        for tag, e in held.items()
        if tag not in target_by_tag
    ]
    return tuple(sorted(changed, key=lambda e: e.id_tag)) + tuple(
        sorted(removed, key=lambda e: e.id_tag)
    )


def lagging(charger_version: int | None, synced_version: int | None) -> bool:
    """Whether the charger's list is not the one we last sent (never sent, lost, replaced)."""
    return synced_version is None or charger_version != synced_version


def plan(
    held: Mapping[str, LocalListEntryInfo],
    target: tuple[LocalListEntryInfo, ...],
    charger_version: int | None,
    synced_version: int | None,
    per_message: int,
) -> list[ListUpdate]:
    """The SendLocalList messages that bring the charger's list to `target` (none: in step).

    A lagging charger gets a Full update (then Differential ones when the list is longer than
    one message); one in step gets only the differences. Each message has its own version.
    """
    base = max(charger_version or 0, synced_version or 0)
    size = max(1, per_message)
    if lagging(charger_version, synced_version):
        chunks = [target[i : i + size] for i in range(0, len(target), size)] or [()]
        return [ListUpdate(base + n + 1, n == 0, chunk) for n, chunk in enumerate(chunks)]
    changes = differences(held, target)
    return [
        ListUpdate(base + n + 1, False, changes[i : i + size])
        for n, i in enumerate(range(0, len(changes), size))
    ]


def never_synced(synced_version: int | None, status: str | None) -> bool:
    """Whether a charger never took a list from us (first contact after boot: send it)."""
    return synced_version is None and status != "NotSupported"
