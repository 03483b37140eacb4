"""Tokens module, CPO side: the partner pushes its drivers' tokens; chargers then accept them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobility.db import Database
from mobility.models import RoamingToken
from roaming.partners import Caller
from roaming.wire import CLIENT_ERROR, INVALID_PARAMETERS, UNKNOWN_TOKEN, OcpiError, parse_time

TOKEN_TYPES = ("AD_HOC_USER", "APP_USER", "OTHER", "RFID")
WHITELISTS = ("ALWAYS", "ALLOWED", "ALLOWED_OFFLINE", "NEVER")
_REQUIRED = ("country_code", "party_id", "uid", "type", "contract_id", "issuer", "valid")
_LIMITS = {"uid": 36, "contract_id": 36, "issuer": 64, "country_code": 2, "party_id": 3}


def _check(token: dict[str, Any]) -> None:
    """A whole Token object, as the spec requires it."""
    missing = [k for k in (*_REQUIRED, "whitelist", "last_updated") if token.get(k) is None]
    if missing:
        raise OcpiError(INVALID_PARAMETERS, f"missing fields: {', '.join(missing)}")
    for key, limit in _LIMITS.items():
        if not isinstance(token[key], str) or not 0 < len(token[key]) <= limit:
            raise OcpiError(INVALID_PARAMETERS, f"{key} must be a string of at most {limit}")
    if token["type"] not in TOKEN_TYPES or token["whitelist"] not in WHITELISTS:
        raise OcpiError(INVALID_PARAMETERS, "unknown type or whitelist")
    if not isinstance(token["valid"], bool):
        raise OcpiError(INVALID_PARAMETERS, "valid must be true or false")
    parse_time(str(token["last_updated"]), "last_updated")


def _owned(caller: Caller, country_code: str, party_id: str) -> None:
    # A partner pushes its own tokens only (its party from the credentials handshake).
    if (country_code.upper(), party_id.upper()) != (caller.country_code, caller.party_id):
        raise OcpiError(CLIENT_ERROR, "not your country_code/party_id", http_status=404)


def _find(
    s: Session, caller: Caller, key: tuple[str, str, str, str], lock: bool = False
) -> RoamingToken | None:
    country_code, party_id, uid, kind = key
    stmt = select(RoamingToken).where(
        RoamingToken.partner_id == caller.partner_id,
        RoamingToken.country_code == country_code.upper(),
        RoamingToken.party_id == party_id.upper(),
        RoamingToken.uid == uid,
        RoamingToken.type == kind,
    )
    return s.scalar(stmt.with_for_update() if lock else stmt)


def _apply(row: RoamingToken, token: dict[str, Any]) -> None:
    row.contract_id, row.valid = token["contract_id"], token["valid"]
    row.whitelist, row.data = token["whitelist"], token
    row.last_updated = parse_time(str(token["last_updated"]), "last_updated")


class Tokens:
    """Partner tokens stored for authorisation at our chargers."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, caller: Caller, key: tuple[str, str, str, str]) -> dict[str, Any]:
        """The token as we hold it."""
        _owned(caller, key[0], key[1])
        with self.db.sessions() as s:
            row = _find(s, caller, key)
            if row is None:
                raise OcpiError(UNKNOWN_TOKEN, "unknown token", http_status=404)
            return dict(row.data)

    def put(self, caller: Caller, key: tuple[str, str, str, str], body: Any) -> None:
        """Create or replace a token (the URL's ids must be the object's)."""
        _owned(caller, key[0], key[1])
        if not isinstance(body, dict):
            raise OcpiError(INVALID_PARAMETERS, "the body must be a Token object")
        _check(body)
        url_ids = (key[0].upper(), key[1].upper(), key[2], key[3])
        if (
            body["country_code"].upper(),
            body["party_id"].upper(),
            body["uid"],
            body["type"],
        ) != url_ids:
            raise OcpiError(
                INVALID_PARAMETERS, "the URL and the Token object name different tokens"
            )
        with self.db.transaction() as s:
            row = _find(s, caller, key, lock=True)
            if row is None:
                row = RoamingToken(
                    partner_id=caller.partner_id,
                    country_code=url_ids[0],
                    party_id=url_ids[1],
                    uid=key[2],
                    type=key[3],
                )
                s.add(row)
            _apply(row, body)

    def patch(self, caller: Caller, key: tuple[str, str, str, str], body: Any) -> None:
        """Change some fields of a token we hold (last_updated is required)."""
        _owned(caller, key[0], key[1])
        if not isinstance(body, dict) or body.get("last_updated") is None:
            raise OcpiError(INVALID_PARAMETERS, "a PATCH needs last_updated")
        fixed = {k: body[k] for k in ("country_code", "party_id", "uid", "type") if k in body}
        with self.db.transaction() as s:
            row = _find(s, caller, key, lock=True)
            if row is None:
                raise OcpiError(UNKNOWN_TOKEN, "unknown token", http_status=404)
            if any(str(v).upper() != str(row.data[k]).upper() for k, v in fixed.items()):
                raise OcpiError(INVALID_PARAMETERS, "a PATCH cannot change the token's ids")
            merged = {**row.data, **body}
            _check(merged)
            _apply(row, merged)
