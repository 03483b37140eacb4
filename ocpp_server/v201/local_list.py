"""OCPP 2.0.1 local authorisation list: planned updates <-> SendLocalList payloads. Pure.

Entries are IdTokenType (the token and its type) with an IdTokenInfo; a removal (in a
Differential update) is the token without IdTokenInfo. An empty Full list omits
`localAuthorizationList` (the schema wants at least one entry when it is present).
"""

from __future__ import annotations

from typing import Any

from mobility.clock import parse_iso
from ocpp_server.authlist import DEFAULT_KIND, ListUpdate
from ocpp_server.events import LocalListEntryInfo, LocalListSent
from ocpp_server.v201.translate import GROUP_ID_KIND, iso


def _item(e: LocalListEntryInfo) -> dict[str, Any]:
    item: dict[str, Any] = {"idToken": {"idToken": e.id_tag, "type": e.kind}}
    if e.status is not None:
        info: dict[str, Any] = {"status": e.status}
        if e.expires_at is not None:
            info["cacheExpiryDateTime"] = iso(e.expires_at)
        if e.parent_id_tag:
            info["groupIdToken"] = {"idToken": e.parent_id_tag, "type": GROUP_ID_KIND}
        item["idTokenInfo"] = info
    return item


def local_list_payload(update: ListUpdate) -> dict[str, Any]:
    """SendLocalListRequest (camelCase) for a planned update."""
    payload: dict[str, Any] = {
        "versionNumber": update.version,
        "updateType": "Full" if update.full else "Differential",
    }
    if update.entries:
        payload["localAuthorizationList"] = [_item(e) for e in update.entries]
    return payload


def _entry(item: dict[str, Any]) -> LocalListEntryInfo:
    token = item.get("idToken") or {}
    tag, kind = str(token["idToken"]), str(token.get("type") or DEFAULT_KIND)
    info = item.get("idTokenInfo")
    if not isinstance(info, dict):
        return LocalListEntryInfo(tag, None, kind=kind)
    expiry = info.get("cacheExpiryDateTime")
    group = info.get("groupIdToken") or {}
    return LocalListEntryInfo(
        tag,
        str(info.get("status", "Accepted")),
        parse_iso(str(expiry)) if expiry else None,
        group.get("idToken") or None,
        kind,
    )


def local_list_sent(payload: dict[str, Any], status: str) -> LocalListSent:
    """SendLocalListRequest (camelCase, whoever sent it) and the station's answer status."""
    return LocalListSent(
        version=int(payload["versionNumber"]),
        full=payload.get("updateType") == "Full",
        entries=tuple(_entry(i) for i in payload.get("localAuthorizationList") or ()),
        status=status,
    )
