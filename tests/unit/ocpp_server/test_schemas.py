"""Charger calls checked against the compiled schemas: each fault gets its version's CallError."""

from __future__ import annotations

import pytest
from ocpp import exceptions as ocpp_errors

from ocpp_server import schemas

STATUS = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}


@pytest.mark.parametrize(
    ("version", "payload", "error"),
    [
        # OCPP-J 1.6 section 4.2.3: incomplete payloads are ProtocolErrors, and the 1.6 names.
        ("1.6", {"connectorId": 1}, ocpp_errors.ProtocolError),
        ("1.6", {**STATUS, "connectorId": "one"}, ocpp_errors.TypeConstraintViolationError),
        ("1.6", {**STATUS, "status": "Sleeping"}, ocpp_errors.PropertyConstraintViolationError),
        ("1.6", {**STATUS, "info": "x" * 51}, ocpp_errors.TypeConstraintViolationError),
    ],
)
def test_violations_are_named_as_the_version_names_them(version, payload, error):
    with pytest.raises(error) as caught:
        schemas.checked_call("StatusNotification", payload, version)
    assert type(caught.value) is error and caught.value.description


def test_201_names_occurrence_and_format_violations_in_its_spelling():
    with pytest.raises(ocpp_errors.OccurrenceConstraintViolationError):
        schemas.checked_call("Heartbeat", {"customData": {}}, "2.0.1")  # vendorId required
    with pytest.raises(ocpp_errors.OccurenceConstraintViolationError):
        schemas.checked_call("MeterValues", {"connectorId": 1, "meterValue": []}, "1.6")


def test_vendor_fields_are_dropped_and_a_clean_payload_is_kept_as_is():
    assert schemas.checked_call("StatusNotification", STATUS, "1.6") is STATUS
    assert schemas.checked_call("StatusNotification", {**STATUS, "acme": 1}, "1.6") == STATUS
