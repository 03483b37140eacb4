"""What the console reads and writes of OCPP payloads."""

import json

import pytest

from console.ocpp_terms import configuration, example, parse_payload, stop_request
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


def test_configuration_from_either_version():
    keys = configuration(
        "GetConfiguration",
        {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]},
    )
    assert [(k.key, k.value, k.readonly) for k in keys] == [("HeartbeatInterval", "300", False)]
    keys = configuration(
        "GetVariables",
        {
            "getVariableResult": [
                {
                    "attributeStatus": "Accepted",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                    "attributeValue": "60",
                }
            ]
        },
    )
    assert [(k.key, k.value) for k in keys] == [("OCPPCommCtrlr.HeartbeatInterval", "60")]
    assert configuration("GetConfiguration", None) == []


def test_stop_request_in_each_protocol():
    assert stop_request(V16, "7") == ("RemoteStopTransaction", {"transactionId": 7})
    assert stop_request(V201, "ab-1") == ("RequestStopTransaction", {"transactionId": "ab-1"})
    with pytest.raises(ValueError):
        stop_request(("Reset",), "7")
