"""Versions and credentials over real HTTP: token A, B and C, update, unregister."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from mobility.models import RoamingPartner
from tests.e2e.roaming.conftest import register


async def test_registration_exchanges_tokens_and_reads_the_partners_endpoints(cpo, emsp):
    token_a = cpo.core.roaming.partners.issue("Test eMSP")
    # Token A opens versions and credentials only.
    versions = await asyncio.to_thread(emsp.call, "GET", cpo.versions, None, token_a)
    assert versions.status_code == 200
    body = versions.json()
    assert body["status_code"] == 1000 and body["timestamp"].endswith("Z")
    details_url = body["data"][0]["url"]
    details = (await asyncio.to_thread(emsp.call, "GET", details_url, None, token_a)).json()
    modules = {(e["identifier"], e["role"]) for e in details["data"]["endpoints"]}
    assert {("locations", "SENDER"), ("tokens", "RECEIVER"), ("cdrs", "SENDER")} <= modules
    refused = await asyncio.to_thread(emsp.call, "GET", cpo.module("locations"), None, token_a)
    assert refused.status_code == 401 and refused.json()["status_code"] == 2000

    credentials_url = f"{cpo.url}/ocpi/2.2.1/credentials"
    answer = await asyncio.to_thread(
        emsp.call, "POST", credentials_url, emsp.credentials(), token_a
    )
    assert answer.status_code == 200, answer.text
    ours = answer.json()["data"]
    assert ours["url"] == cpo.versions and ours["roles"][0]["role"] == "CPO"
    token_c = ours["token"]
    assert token_c != token_a and emsp.refused == 0  # we called the eMSP with its token B

    with cpo.core.db.sessions() as s:
        partner = s.scalar(select(RoamingPartner))
        assert (partner.country_code, partner.party_id, partner.status) == (
            "NL",
            "EMS",
            "registered",
        )
        assert partner.token_b == emsp.token_b and partner.version == "2.2.1"
        assert {e["identifier"] for e in partner.endpoints} >= {"sessions", "cdrs"}

    # Token A is spent; token C works; a second POST is refused with 405.
    spent = await asyncio.to_thread(emsp.call, "GET", cpo.versions, None, token_a)
    assert spent.status_code == 401
    located = await asyncio.to_thread(emsp.call, "GET", cpo.module("locations"), None, token_c)
    assert located.status_code == 200
    again = await asyncio.to_thread(emsp.call, "POST", credentials_url, emsp.credentials(), token_c)
    assert again.status_code == 405


async def test_update_renews_tokens_and_unregister_ends_access(cpo, emsp):
    await asyncio.to_thread(register, cpo, emsp)
    credentials_url = f"{cpo.url}/ocpi/2.2.1/credentials"
    old_c = emsp.token_c
    emsp.token_b = "emsp-token-b-0002"
    updated = await asyncio.to_thread(emsp.call, "PUT", credentials_url, emsp.credentials())
    assert updated.status_code == 200
    new_c = updated.json()["data"]["token"]
    assert new_c != old_c
    with cpo.core.db.sessions() as s:
        assert s.scalar(select(RoamingPartner.token_b)) == "emsp-token-b-0002"
    stale = await asyncio.to_thread(emsp.call, "GET", cpo.versions, None, old_c)
    assert stale.status_code == 401

    gone = await asyncio.to_thread(emsp.call, "DELETE", credentials_url, None, new_c)
    assert gone.status_code == 200 and gone.json()["status_code"] == 1000
    after = await asyncio.to_thread(emsp.call, "GET", cpo.module("tariffs"), None, new_c)
    assert after.status_code == 401
    with cpo.core.db.sessions() as s:
        assert s.scalar(select(RoamingPartner.status)) == "unregistered"


async def test_registration_fails_with_3001_when_the_partner_cannot_be_read(cpo, emsp):
    token_a = cpo.core.roaming.partners.issue("Test eMSP")
    offer = {**emsp.credentials(), "token": "a-token-the-emsp-does-not-know"}
    answer = await asyncio.to_thread(
        emsp.call, "POST", f"{cpo.url}/ocpi/2.2.1/credentials", offer, token_a
    )
    assert answer.json()["status_code"] == 3001
    with cpo.core.db.sessions() as s:
        assert s.scalar(select(RoamingPartner.status)) == "pending"
