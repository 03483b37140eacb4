"""Neutral remote start and stop as each OCPP version's request."""

from __future__ import annotations

import pytest

from mobility.remote_charging import RemoteStart, RemoteStop
from ocpp_server.v16 import remote as v16
from ocpp_server.v201 import remote as v201


def test_start_in_both_versions():
    request = RemoteStart(2, "APP-0123456789ABCDEF", 77, "Central")
    assert v16.start(request) == (
        "RemoteStartTransaction",
        {"connectorId": 2, "idTag": "APP-0123456789ABCDEF"},
    )
    assert v201.start(request) == (
        "RequestStartTransaction",
        {
            "idToken": {"idToken": "APP-0123456789ABCDEF", "type": "Central"},
            "remoteStartId": 77,
            "evseId": 2,
        },
    )


def test_stop_in_both_versions():
    assert v16.stop(RemoteStop("42")) == ("RemoteStopTransaction", {"transactionId": 42})
    assert v201.stop(RemoteStop("tx-9")) == ("RequestStopTransaction", {"transactionId": "tx-9"})
    with pytest.raises(ValueError):
        v16.stop(RemoteStop("tx-9"))  # a 2.0.1 id means nothing to a 1.6 charger


def test_bus_form_round_trips_and_refuses_nonsense():
    request = RemoteStart(1, "RFID-1", 5)
    assert RemoteStart.from_payload(request.to_payload()) == request
    assert RemoteStop.from_payload(RemoteStop("7").to_payload()) == RemoteStop("7")
    with pytest.raises(ValueError):
        RemoteStart(0, "RFID-1", 5)
    with pytest.raises(ValueError):
        RemoteStart(1, "X" * 21, 5)
    with pytest.raises(KeyError):
        RemoteStart.from_payload({"connectorId": 1})
    with pytest.raises(ValueError):
        RemoteStop.from_payload({"transactionRef": ""})
