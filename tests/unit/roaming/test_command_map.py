"""OCPI commands as OCPP 1.6 and 2.0.1 calls, and answers as OCPI results (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from roaming import command_map as cm

EXPIRY = datetime(2026, 5, 1, 12, tzinfo=UTC)


def test_ocpp16_calls_use_16_action_names():
    assert cm.start_session("1.6", "TAG", 2, 9) == cm.OcppCall(
        "RemoteStartTransaction", {"connectorId": 2, "idTag": "TAG"}
    )
    assert cm.stop_session(None, "41").payload == {"transactionId": 41}
    reserve = cm.reserve_now("1.6", "TAG", 1, EXPIRY, 7)
    assert reserve.payload == {
        "connectorId": 1,
        "expiryDate": "2026-05-01T12:00:00Z",
        "idTag": "TAG",
        "reservationId": 7,
    }
    assert cm.unlock_connector("1.6", 2).payload == {"connectorId": 2}


def test_ocpp201_calls_use_201_action_names():
    start = cm.start_session("2.0.1", "TAG", 2, 9)
    assert start.action == "RequestStartTransaction"
    assert start.payload == {
        "idToken": {"idToken": "TAG", "type": "Central"},
        "remoteStartId": 9,
        "evseId": 2,
    }
    assert cm.stop_session("2.0.1", "abc") == cm.OcppCall(
        "RequestStopTransaction", {"transactionId": "abc"}
    )
    assert cm.reserve_now("2.0.1", "TAG", 1, EXPIRY, 7).payload["id"] == 7
    assert cm.unlock_connector("2.0.1", 3).payload == {"evseId": 3, "connectorId": 1}
    assert cm.cancel_reservation(7).payload == {"reservationId": 7}


@pytest.mark.parametrize(
    ("status", "result"),
    [
        ("Accepted", "ACCEPTED"),
        ("Unlocked", "ACCEPTED"),
        ("Rejected", "REJECTED"),
        ("Occupied", "EVSE_OCCUPIED"),
        ("Faulted", "EVSE_INOPERATIVE"),
        ("NotSupported", "NOT_SUPPORTED"),
        ("UnlockFailed", "FAILED"),
        (None, "FAILED"),
    ],
)
def test_answers_become_command_results(status, result):
    assert cm.result({"status": status}) == result
