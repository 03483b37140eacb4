"""OCPP 2.0.1 payloads <-> neutral events, and the protocol-neutral rules they lean on."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ocpp_server import rules
from ocpp_server.events import (
    Authorization,
    AvailabilityChanged,
    LocalListVersion,
    ReservationOutcome,
)
from ocpp_server.v201 import commands, translate

T0 = "2026-11-24T10:00:00Z"
T1 = "2026-11-24T11:00:00Z"
AT0 = datetime(2026, 11, 24, 10, tzinfo=UTC)


def _mv(ts: str, *values: dict) -> dict:
    return {"timestamp": ts, "sampled_value": list(values)}


def _event(kind: str, **extra) -> dict:
    info = {"transaction_id": "TX-9", **extra.pop("info", {})}
    return {
        "event_type": kind,
        "timestamp": T0,
        "trigger_reason": extra.pop("trigger_reason", "Authorized"),
        "seq_no": extra.pop("seq_no", 0),
        "transaction_info": info,
        **extra,
    }


def test_boot_maps_station_and_modem():
    info = translate.station_info(
        {
            "reason": "PowerUp",
            "charging_station": {
                "model": "M",
                "vendor_name": "V",
                "serial_number": "S",
                "firmware_version": "1.2",
                "modem": {"iccid": "89", "imsi": "20"},
            },
        }
    )
    assert (info.protocol, info.vendor, info.model, info.serial_number) == ("2.0.1", "V", "M", "S")
    assert (info.firmware_version, info.iccid, info.imsi) == ("1.2", "89", "20")
    bare = translate.station_info({"reason": "PowerUp", "charging_station": {"model": "M"}})
    assert bare.vendor is None and bare.iccid is None


def test_status_uses_the_evse_as_connector():
    report = translate.status_report(
        {"timestamp": T0, "connector_status": "Occupied", "evse_id": 2, "connector_id": 1}
    )
    assert (report.connector_id, report.status, report.timestamp) == (2, "Occupied", AT0)
    assert report.error_code == "NoError"


def test_id_token_info_has_cache_expiry_and_group():
    auth = Authorization("Accepted", AT0, "FLEET-1")
    assert translate.id_token_info(auth) == {
        "status": "Accepted",
        "cache_expiry_date_time": "2026-11-24T10:00:00Z",
        "group_id_token": {"id_token": "FLEET-1", "type": "Central"},
    }
    assert translate.id_token_info(Authorization("Invalid")) == {"status": "Invalid"}
    assert translate.id_token({"id_token": "ABC", "type": "eMAID"}) == "ABC"
    assert translate.id_token(None) is None


def test_samples_apply_multiplier_and_units():
    found = translate.samples(
        [
            _mv(
                T0,
                {"value": 12.5, "unit_of_measure": {"unit": "kWh"}},
                {
                    "value": 74,
                    "measurand": "Power.Active.Import",
                    "unit_of_measure": {"multiplier": 2},
                },
                {"value": 64, "measurand": "SoC", "unit_of_measure": {"unit": "Percent"}},
                {"value": 16, "measurand": "Current.Import", "phase": "L1"},
                {"value": "NaN"},
                {"value": 1e20},
            )
        ]
    )
    assert [(m.measurand, m.value, m.unit) for m in found] == [
        ("Energy.Active.Import.Register", Decimal("12500.0"), "Wh"),
        ("Power.Active.Import", Decimal("7400"), "W"),
        ("SoC", Decimal("64"), "%"),
        ("Current.Import", Decimal("16"), "A"),
    ]
    assert found[3].phase == "L1" and found[0].timestamp == AT0


def test_register_prefers_the_moment_asked_for():
    begin = {"value": 100, "context": "Transaction.Begin"}
    periodic = {"value": 900, "context": "Sample.Periodic"}
    phase = {"value": 5, "context": "Transaction.Begin", "phase": "L1"}
    found = translate.samples([_mv(T0, begin, phase), _mv(T1, periodic)])
    assert translate.register_wh(found, "Transaction.Begin") == 100
    assert translate.register_wh(found, "Transaction.End") == 900  # the latest total reading
    assert translate.register_wh((), "Transaction.End") is None


def test_started_updated_ended():
    readings = [
        _mv(T0, {"value": 1.5, "context": "Transaction.Begin", "unit_of_measure": {"unit": "kWh"}})
    ]
    started = translate.started(
        _event(
            "Started",
            id_token={"id_token": "CARD", "type": "ISO14443"},
            evse={"id": 2, "connector_id": 1},
            meter_value=readings,
            reservation_id=5,
        )
    )
    assert (started.transaction_ref, started.connector_id, started.id_token) == ("TX-9", 2, "CARD")
    assert (started.meter_start_wh, started.reservation_id, started.seq_no) == (1500, 5, 0)
    cable_first = translate.started(_event("Started", trigger_reason="CablePluggedIn"))
    assert (cable_first.id_token, cable_first.meter_start_wh, cable_first.connector_id) == (
        "",
        0,
        0,
    )
    updated = translate.updated(_event("Updated", seq_no=4, meter_value=readings))
    assert (updated.seq_no, updated.id_token, len(updated.samples)) == (4, None, 1)
    report = translate.update_report(
        _event("Updated", seq_no=4, evse={"id": 1}, meter_value=readings)
    )
    assert (report.transaction_ref, report.seq_no, report.connector_id) == ("TX-9", 4, 1)
    ended = translate.ended(_event("Ended", seq_no=7, info={"stopped_reason": "EVDisconnected"}))
    assert (ended.reason, ended.meter_stop_wh, ended.csms_assigned_ref) == (
        "EVDisconnected",
        None,
        False,
    )
    assert translate.ended(_event("Ended")).reason is None  # the core records "Local"


def test_routine_updates_are_not_kept_whole():
    assert translate.worth_keeping(_event("Started"))
    assert translate.worth_keeping(_event("Ended"))
    assert not translate.worth_keeping(_event("Updated", trigger_reason="MeterValuePeriodic"))
    assert translate.worth_keeping(
        _event("Updated", trigger_reason="MeterValuePeriodic", offline=True)
    )
    assert translate.worth_keeping(_event("Updated", trigger_reason="ChargingStateChanged"))


def test_meter_values_outside_transactions():
    report = translate.meter_report({"evse_id": 0, "meter_value": [_mv(T0, {"value": 3})]})
    assert report.connector_id == 0 and report.transaction_ref is None and len(report.samples) == 1


def test_reservations():
    terms = translate.reservation_terms(
        {
            "id": 1,
            "expiryDateTime": T1,
            "idToken": {"idToken": "CARD", "type": "Local"},
            "evseId": 2,
        }
    )
    assert (terms.connector_id, terms.id_token) == (2, "CARD")
    assert (
        translate.reservation_terms(
            {"expiryDateTime": T1, "idToken": {"idToken": "CARD", "type": "Local"}}
        ).connector_id
        == 0
    )
    with pytest.raises(KeyError):
        translate.reservation_terms({"expiryDateTime": T1})
    expired = {"reservation_id": 3, "reservation_update_status": "Expired"}
    assert translate.reservation_update(expired) == ReservationOutcome(3, "expired")
    removed = {"reservation_id": 3, "reservation_update_status": "Removed"}
    assert translate.reservation_update(removed) == ReservationOutcome(3, "cancelled")


def test_command_effects():
    token = {"idToken": "CARD", "type": "Local"}
    reserve = {"id": 8, "expiryDateTime": T1, "idToken": token}
    assert commands.effects("ReserveNow", reserve, {"status": "Accepted"}) == [
        ReservationOutcome(8, "accepted")
    ]
    assert commands.effects("ReserveNow", reserve, {"status": "Occupied"}) == [
        ReservationOutcome(8, "occupied")
    ]
    availability = {"operationalStatus": "Inoperative", "evse": {"id": 2}}
    assert commands.effects("ChangeAvailability", availability, {"status": "Scheduled"}) == [
        AvailabilityChanged(2, "Inoperative")
    ]
    whole = {"operationalStatus": "Operative"}
    assert commands.effects("ChangeAvailability", whole, {"status": "Accepted"}) == [
        AvailabilityChanged(None, "Operative")
    ]
    assert commands.effects("ChangeAvailability", whole, {"status": "Rejected"}) == []
    assert commands.effects(
        "ChangeAvailability",
        {**availability, "evse": {"id": 1, "connectorId": 2}},
        {"status": "Accepted"},
    ) == [AvailabilityChanged(1, "Inoperative", 2)]
    sent = {
        "versionNumber": 3,
        "updateType": "Differential",
        "localAuthorizationList": [
            {
                "idToken": {"idToken": "CARD", "type": "ISO14443"},
                "idTokenInfo": {
                    "status": "Accepted",
                    "cacheExpiryDateTime": T1,
                    "groupIdToken": {"idToken": "FLEET", "type": "Central"},
                },
            },
            {"idToken": {"idToken": "GONE", "type": "eMAID"}},
        ],
    }
    [answered] = commands.effects("SendLocalList", sent, {"status": "Accepted"})
    assert (answered.version, answered.full, answered.status) == (3, False, "Accepted")
    card, gone = answered.entries
    assert (card.id_tag, card.status, card.parent_id_tag, card.kind) == (
        "CARD",
        "Accepted",
        "FLEET",
        "ISO14443",
    )
    assert card.expires_at is not None
    assert (gone.id_tag, gone.status, gone.kind) == ("GONE", None, "eMAID")
    [failed] = commands.effects("SendLocalList", sent, {"status": "VersionMismatch"})
    assert failed.status == "VersionMismatch"
    assert commands.effects("GetLocalListVersion", {}, {"versionNumber": 9}) == [
        LocalListVersion(9)
    ]
    assert commands.effects("Reset", {"type": "Immediate"}, {"status": "Accepted"}) == []


def test_sequence_numbers_note_gaps_and_late_messages():
    assert rules.next_seq_no(None, None) == (None, None)
    assert rules.next_seq_no(None, 0) == (0, None)
    assert rules.next_seq_no(0, 1) == (1, None)
    assert rules.next_seq_no(1, 5) == (5, "gap: 2..4 missing")
    assert rules.next_seq_no(5, 3) == (5, "late: 3 after 5")
    assert rules.next_seq_no(5, None) == (5, None)


def test_prune_follows_local_references():
    schema = {
        "definitions": {"Inner": {"properties": {"keep": {}}}},
        "properties": {"inner": {"$ref": "#/definitions/Inner"}, "odd": {"$ref": "#/nowhere"}},
    }
    value = {"inner": {"keep": 1, "drop": 2}, "odd": {"x": 1}, "junk": 0}
    assert rules.prune(value, schema) == {"inner": {"keep": 1}, "odd": {"x": 1}}


def test_negotiation_prefers_201_but_keeps_a_chargers_version():
    from ocpp_server import protocols

    assert protocols.subprotocols() == ["ocpp2.0.1", "ocpp1.6"]
    assert protocols.choose(["ocpp1.6", "ocpp2.0.1"]) == "ocpp2.0.1"
    assert protocols.choose(["ocpp1.6", "ocpp2.0.1"], "1.6") == "ocpp1.6"
    assert protocols.choose(["ocpp2.0.1"], "1.6") == "ocpp2.0.1"
    assert protocols.choose(["ocpp1.6"], "2.0.1") == "ocpp1.6"
    assert protocols.choose(["ocpp2.1"]) is None
    assert protocols.by_version(None).version == "1.6"
    assert protocols.by_version("2.0.1").reservation_id_field == "id"
