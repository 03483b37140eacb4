"""What the console reads and writes of OCPP payloads."""

import json

import pytest

from console.ocpp_terms import (
    change_request,
    example,
    parse_payload,
    read_request,
    reserve_request,
    setting_16,
    setting_201,
    stop_request,
)
from ocpp_server.v16.commands import COMMANDS as V16
from ocpp_server.v201.commands import COMMANDS as V201


def test_examples_are_json_objects_for_every_catalogue_command():
    for version, catalogue in (("1.6", V16), ("2.0.1", V201)):
        for action in catalogue:
            assert isinstance(json.loads(example(version, action)), dict)
    assert json.loads(example("1.6", "Reset")) == {"type": "Soft"}
    assert json.loads(example("2.0.1", "Reset")) == {"type": "OnIdle"}


def test_payload_must_be_an_object():
    assert parse_payload("  ") == {}
    assert parse_payload('{"type": "Hard"}') == {"type": "Hard"}
    with pytest.raises(ValueError):
        parse_payload("[1]")
    with pytest.raises(ValueError):
        parse_payload("{nope")


def test_stored_16_keys_as_settings():
    key = setting_16("HeartbeatInterval", "300", False, True, None, None)
    assert (key.name, key.value, key.writable, key.note) == ("HeartbeatInterval", "300", True, "")
    assert key.target == (("key", "HeartbeatInterval"),)
    assert not setting_16("ChargePointModel", "M", True, True, None, None).writable
    unknown = setting_16("Foo", None, None, False, None, "NotSupported")
    assert not unknown.writable and unknown.note == "unknown to the charger"
    pending = setting_16("WebSocketPingInterval", "60", False, True, "30", "RebootRequired")
    assert pending.writable and pending.note == "30 after the next reboot"
    changed = setting_16("MeterValueSampleInterval", "30", None, True, None, "Rejected")
    assert changed.writable and changed.note == "last change: Rejected"


def test_stored_201_attributes_as_settings():
    hb = setting_201(
        "OCPPCommCtrlr", "", 0, 0, "HeartbeatInterval", "", "Actual", "300", "ReadWrite", False
    )
    assert (hb.name, hb.value, hb.writable) == ("OCPPCommCtrlr.HeartbeatInterval", "300", True)
    power = setting_201("EVSE", "", 1, 2, "Power", "", "MaxSet", "22000", "ReadOnly", False)
    assert power.name == "EVSE EVSE 1/2.Power (MaxSet)" and not power.writable
    secret = setting_201(
        "SecurityCtrlr", "a", 0, 0, "BasicAuthPassword", "x", "Actual", "pw", "WriteOnly", True
    )
    assert secret.name == "SecurityCtrlr[a].BasicAuthPassword[x]"
    assert secret.value is None and secret.writable and secret.note == "applies after a reset"


def test_change_requests_in_each_protocol():
    assert change_request("1.6", {"key": "HeartbeatInterval"}, "60") == (
        "ChangeConfiguration",
        {"key": "HeartbeatInterval", "value": "60"},
    )
    action, payload = change_request(
        "2.0.1",
        {
            "component": "EVSE",
            "component_instance": "",
            "evse_id": "1",
            "connector_id": "2",
            "variable": "Power",
            "variable_instance": "L1",
            "attribute_type": "MaxSet",
        },
        "11000",
    )
    assert action == "SetVariables"
    assert payload == {
        "setVariableData": [
            {
                "attributeType": "MaxSet",
                "attributeValue": "11000",
                "component": {"name": "EVSE", "evse": {"id": 1, "connectorId": 2}},
                "variable": {"name": "Power", "instance": "L1"},
            }
        ]
    }
    plain = change_request("2.0.1", {"component": "C", "variable": "V"}, "1")[1]
    assert plain["setVariableData"][0]["component"] == {"name": "C"}
    assert plain["setVariableData"][0]["attributeType"] == "Actual"
    for version, fields, value in (
        ("1.6", {}, "1"),
        ("1.6", {"key": "K" * 51}, "1"),
        ("1.6", {"key": "K"}, "v" * 501),
        ("2.0.1", {"component": "C"}, "1"),
        ("2.0.1", {"component": "C", "variable": "V", "evse_id": "one"}, "1"),
        ("2.0.1", {"component": "C", "variable": "V"}, "v" * 1001),
    ):
        with pytest.raises(ValueError):
            change_request(version, fields, value)


def test_read_requests_in_each_protocol():
    assert read_request("1.6", 5) == ("GetConfiguration", {})
    assert read_request(None, 5) == ("GetConfiguration", {})
    assert read_request("2.0.1", 5) == (
        "GetBaseReport",
        {"requestId": 5, "reportBase": "ConfigurationInventory"},
    )


def test_stop_request_in_each_protocol():
    assert stop_request(V16, "7") == ("RemoteStopTransaction", {"transactionId": 7})
    assert stop_request(V201, "ab-1") == ("RequestStopTransaction", {"transactionId": "ab-1"})
    with pytest.raises(ValueError):
        stop_request(("Reset",), "7")


def test_reserve_requests_in_each_protocol():
    from datetime import UTC, datetime, timedelta, timezone

    at = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert reserve_request("1.6", 2, "TAG", "ISO14443", at) == {
        "connectorId": 2,
        "expiryDate": "2026-03-02T08:30:00Z",
        "idTag": "TAG",
    }
    assert reserve_request("2.0.1", 2, "TAG", "Central", at.astimezone(UTC)) == {
        "evseId": 2,
        "expiryDateTime": "2026-03-02T08:30:00Z",
        "idToken": {"idToken": "TAG", "type": "Central"},
    }
    assert "evseId" not in reserve_request("2.0.1", 0, "TAG", "ISO14443", at)
