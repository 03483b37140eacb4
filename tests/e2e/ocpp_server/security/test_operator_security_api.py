"""The operator's security API: critical events to acknowledge, certificates, profiles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mobility.app import build_core, create_app
from mobility.bus import InProcessBus
from mobility.demo import seed_demo
from mobility.models import ApiToken, User
from mobility.security import token_digest
from ocpp_server.security.events import SecurityEventReport
from tests.support import pki


@pytest.fixture
def api(db, settings, tmp_path):
    seed_demo(db)
    tokens = {}
    with db.transaction() as s:
        for email in ("operator@example.org", "citizen@example.org"):
            user = s.scalar(select(User).where(User.email == email))
            token = f"tok-{user.id}-secret"
            s.add(
                ApiToken(
                    user_id=user.id, token_hash=token_digest(token), created_at=datetime.now(UTC)
                )
            )
            tokens[email.split("@")[0]] = {"Authorization": f"Bearer {token}"}
    ca_settings = settings.with_(
        ocpp_ca_cert=str(tmp_path / "ca.pem"), ocpp_ca_key=str(tmp_path / "ca.key")
    )
    core = build_core(ca_settings, db=db, bus=InProcessBus())
    client = create_app(ca_settings, db=db, bus=core.bus).test_client()
    yield client, tokens, core.security
    core.outbox.close()


def test_critical_events_are_listed_until_acknowledged(api):
    client, tokens, security = api
    at = datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert security.record_event(
        "CP-LYON-001", SecurityEventReport("TamperDetectionActivated", at, "lid")
    )
    assert not security.record_event("CP-LYON-002", SecurityEventReport("InvalidMessages", at))
    op = tokens["operator"]
    everything = client.get("/api/v1/operator/security-events", headers=op).get_json()
    assert everything["total"] == 2
    open_critical = client.get(
        "/api/v1/operator/security-events?critical=true&open=true", headers=op
    )
    (event,) = open_critical.get_json()["items"]
    assert event["charger"] == "CP-LYON-001" and event["type"] == "TamperDetectionActivated"
    assert event["tech_info"] == "lid" and event["acknowledged_at"] is None
    r = client.post(f"/api/v1/operator/security-events/{event['id']}/acknowledge", headers=op)
    assert r.status_code == 200
    after = client.get("/api/v1/operator/security-events?critical=true&open=true", headers=op)
    assert after.get_json()["total"] == 0
    mine = client.get("/api/v1/operator/security-events?charger=CP-LYON-002", headers=op)
    assert [e["type"] for e in mine.get_json()["items"]] == ["InvalidMessages"]
    assert (
        client.post("/api/v1/operator/security-events/999/acknowledge", headers=op).status_code
        == 404
    )
    citizen = client.get("/api/v1/operator/security-events", headers=tokens["citizen"])
    assert citizen.status_code == 403


def test_certificates_and_security_profile(api):
    client, tokens, security = api
    op = tokens["operator"]
    csr_pem, _ = pki.csr("CP-LYON-001")
    assert security.sign_request("CP-LYON-001", "ChargePointCertificate", csr_pem).accepted
    (cert,) = client.get(
        "/api/v1/operator/chargers/CP-LYON-001/certificates", headers=op
    ).get_json()["items"]
    assert cert["status"] == "issued" and cert["subject"] == "CN=CP-LYON-001" and cert["not_after"]
    assert client.get("/api/v1/operator/chargers/NOPE/certificates", headers=op).status_code == 404

    url = "/api/v1/operator/chargers/CP-LYON-001/security-profile"
    assert client.put(url, json={"profile": 3}, headers=op).get_json()["security_profile"] == 3
    charger = client.get("/api/v1/operator/chargers/CP-LYON-001", headers=op).get_json()
    assert charger["security_profile"] == 3
    assert client.put(url, json={"profile": 4}, headers=op).status_code == 422
    assert client.put(url, json={"profile": "2"}, headers=op).status_code == 422
    assert client.put(url, json={"profile": 2}, headers=tokens["citizen"]).status_code == 403
