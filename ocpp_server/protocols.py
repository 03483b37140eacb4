"""The OCPP versions this CSMS speaks, in order of preference when a charger offers several."""

from __future__ import annotations

from collections.abc import Sequence

from ocpp_server import v16, v201
from ocpp_server.node import ProtocolAdapter

# A charger offering both gets 2.0.1; one never seen yet is treated as 1.6 (the default).
ADAPTERS: tuple[ProtocolAdapter, ...] = (v201.ADAPTER, v16.ADAPTER)
DEFAULT = v16.ADAPTER


def subprotocols() -> list[str]:
    """Websocket subprotocols to offer, most preferred first."""
    return [a.subprotocol for a in ADAPTERS]


def by_subprotocol(name: str | None) -> ProtocolAdapter | None:
    """The adapter of a negotiated subprotocol."""
    return next((a for a in ADAPTERS if a.subprotocol == name), None)


def by_version(version: str | None) -> ProtocolAdapter:
    """The adapter of a charger's recorded protocol version (chargers never seen: the default)."""
    return next((a for a in ADAPTERS if a.version == version), DEFAULT)


def choose(offered: Sequence[str], kept_version: str | None = None) -> str | None:
    """The subprotocol to speak with a charger offering `offered` (None: nothing in common).

    A charger that last booted with a version keeps it while it still offers it, so a node
    speaking a newer version never switches a charger over mid-session (clear its recorded
    version to let it move); others get the most preferred version they offer.
    """
    kept = next((a.subprotocol for a in ADAPTERS if a.version == kept_version), None)
    if kept is not None and kept in offered:
        return kept
    return next((name for name in subprotocols() if name in offered), None)
