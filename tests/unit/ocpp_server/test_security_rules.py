"""Security rules, the CA's CSR and certificate reading, and the adapters' security effects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from mobility.security import token_digest
from ocpp_server.security import rules
from ocpp_server.security.ca import CertificateAuthority, certificate_facts, csr_facts, serial_hex
from ocpp_server.security.events import (
    CertificateDeleted,
    CertificateInstalled,
    CertificateSignedAnswer,
    ChargerPasswordChanged,
)
from ocpp_server.security.rules import CsrFacts
from ocpp_server.v16 import security as v16
from ocpp_server.v201 import security as v201
from tests.support import pki


@pytest.mark.parametrize(
    ("stored", "connected", "refused", "raised"),
    [
        (1, 1, False, None),
        (1, 2, False, 2),
        (1, 3, False, 3),
        (2, 1, True, None),
        (3, 2, True, None),
    ],
)
def test_profiles_go_up_never_down(stored, connected, refused, raised):
    assert (rules.profile_refusal(stored, connected) is not None) is refused
    assert rules.raised_profile(stored, connected) == raised


@pytest.mark.parametrize(
    ("facts", "problem"),
    [
        (CsrFacts("CP-1", "EC", 256, True), None),
        (CsrFacts("CP-1", "RSA", 2048, True), None),
        (CsrFacts("CP-1", "RSA", 1024, True), "1024"),
        (CsrFacts("CP-1", "EC", 192, True), "192"),
        (CsrFacts("CP-2", "EC", 256, True), "CP-2"),
        (CsrFacts(None, "EC", 256, True), "None"),
        (CsrFacts("CP-1", "EC", 256, False), "signature"),
        (CsrFacts("CP-1", "Ed25519PublicKey", 0, True), "Ed25519"),
    ],
)
def test_csr_needs_the_charger_id_and_a_strong_key(facts, problem):
    found = rules.csr_refusal(facts, "CP-1")
    assert (found is None) if problem is None else (problem in found)


def test_critical_events_follow_the_specifications():
    assert rules.is_critical("TamperDetectionActivated") and rules.is_critical("FirmwareUpdated")
    assert not rules.is_critical("InvalidMessages") and not rules.is_critical("VendorThing")


def test_renewal_window():
    now = datetime(2026, 11, 27, tzinfo=UTC)
    assert rules.renewal_due(now + timedelta(days=29), now, timedelta(days=30))
    assert not rules.renewal_due(now + timedelta(days=31), now, timedelta(days=30))


def test_passwords_never_reach_the_command_history():
    key = {"key": "AuthorizationKey", "value": "secret"}
    assert rules.redacted("ChangeConfiguration", key)["value"] == rules.REDACTED
    other = {"key": "HeartbeatInterval", "value": "60"}
    assert rules.redacted("ChangeConfiguration", other) == other
    data = [
        {
            "component": {"name": "SecurityCtrlr"},
            "variable": {"name": "BasicAuthPassword"},
            "attributeValue": "s",
        },
        {
            "component": {"name": "OCPPCommCtrlr"},
            "variable": {"name": "HeartbeatInterval"},
            "attributeValue": "60",
        },
    ]
    kept = rules.redacted("SetVariables", {"setVariableData": data})["setVariableData"]
    assert [d["attributeValue"] for d in kept] == [rules.REDACTED, "60"]


def test_ca_is_created_once_and_signs_a_client_certificate(tmp_path):
    ca = CertificateAuthority.load_or_create(
        str(tmp_path / "ca.pem"), str(tmp_path / "ca.key"), "Test CA"
    )
    again = CertificateAuthority.load_or_create(
        str(tmp_path / "ca.pem"), str(tmp_path / "ca.key"), "x"
    )
    assert again.certificate == ca.certificate
    assert oct((tmp_path / "ca.key").stat().st_mode & 0o777) == "0o600"
    csr_pem, _ = pki.csr("CP-1")
    assert csr_facts(csr_pem) == CsrFacts("CP-1", "EC", 256, True)
    chain = ca.sign(csr_pem, days=30)
    facts = certificate_facts(chain)
    assert facts.common_name == "CP-1" and facts.issuer == "CN=Test CA"
    assert timedelta(days=29) < facts.not_after - datetime.now(UTC) <= timedelta(days=30)
    assert chain.endswith(ca.certificate_pem)


def test_weak_rsa_csr_is_read_with_its_size():
    weak, _ = pki.csr("CP-1", rsa.generate_private_key(public_exponent=65537, key_size=1024))
    assert csr_facts(weak).key_bits == 1024 and csr_facts(weak).key_type == "RSA"
    with pytest.raises(ValueError):
        csr_facts("not a csr")


def test_serial_numbers_in_ocpp_form():
    assert serial_hex(255) == "ff" and serial_hex("00FF") == "ff"


def test_v16_effects_of_security_commands():
    chain = {"certificateChain": "PEM"}
    assert v16.effects("CertificateSigned", chain, {"status": "Rejected"}) == [
        CertificateSignedAnswer("ChargePointCertificate", "PEM", False)
    ]
    install = {"certificateType": "CentralSystemRootCertificate", "certificate": "PEM"}
    assert v16.effects("InstallCertificate", install, {"status": "Accepted"}) == [
        CertificateInstalled("CentralSystemRootCertificate", "PEM")
    ]
    assert v16.effects("InstallCertificate", install, {"status": "Failed"}) == []
    delete = {"certificateHashData": {"serialNumber": "ff"}}
    assert v16.effects("DeleteCertificate", delete, {"status": "Accepted"}) == [
        CertificateDeleted("ff")
    ]
    key = {"key": "AuthorizationKey", "value": "k"}
    assert v16.effects("ChangeConfiguration", key, {"status": "Accepted"}) == [
        ChargerPasswordChanged(token_digest("k"))
    ]
    assert v16.effects("ChangeConfiguration", key, {"status": "Rejected"}) == []


def test_v201_password_taken_only_when_the_station_accepts_it():
    data = {
        "setVariableData": [
            {
                "component": {"name": "SecurityCtrlr"},
                "variable": {"name": "BasicAuthPassword"},
                "attributeValue": "p",
            }
        ]
    }
    result = {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}}
    taken = {"setVariableResult": [{**result, "attributeStatus": "Accepted"}]}
    refused = {"setVariableResult": [{**result, "attributeStatus": "Rejected"}]}
    assert v201.effects("SetVariables", data, taken) == [ChargerPasswordChanged(token_digest("p"))]
    assert v201.effects("SetVariables", data, refused) == []
