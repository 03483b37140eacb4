"""Pure OCPP rules."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ocpp_server import rules


def test_charge_point_ids():
    assert rules.valid_charge_point_id("CP-LYON-001")
    for bad in ("", "a/b", "x" * 65, "sp ace", "ctl\x00"):
        assert not rules.valid_charge_point_id(bad)


def test_id_tag_info_expiry_and_parent():
    now = datetime(2026, 11, 24, tzinfo=UTC)
    past, future = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    assert rules.id_tag_info("Accepted", past, None, now)["status"] == "Expired"
    info = rules.id_tag_info("Accepted", future, "PARENT", now)
    assert info == {
        "status": "Accepted",
        "expiry_date": future.isoformat(),
        "parent_id_tag": "PARENT",
    }
    assert rules.id_tag_info("Blocked", None, None, now) == {"status": "Blocked"}


def test_accepted_tags_are_cached_by_chargers_for_a_bounded_time():
    now = datetime(2026, 11, 24, tzinfo=UTC)
    day = timedelta(hours=24)
    info = rules.id_tag_info("Accepted", None, None, now, day)
    assert info == {"status": "Accepted", "expiry_date": (now + day).isoformat()}
    soon = now + timedelta(hours=2)  # the card's own expiry comes first
    assert rules.id_tag_info("Accepted", soon, None, now, day)["expiry_date"] == soon.isoformat()
    assert rules.id_tag_info("Blocked", None, None, now, day) == {"status": "Blocked"}
    assert "expiry_date" not in rules.id_tag_info("Accepted", None, None, now, None)


def test_units_and_energy_conversion():
    assert rules.default_unit(None) == "Wh"
    assert rules.default_unit("SoC") == "Percent"
    assert rules.energy_wh("1.5", "kWh") == Decimal("1500.0")
    assert rules.energy_wh("oops", "Wh") is None


def test_prune_drops_undeclared_keys_recursively():
    schema = {
        "properties": {
            "a": {"type": "integer"},
            "list": {"type": "array", "items": {"properties": {"v": {}}}},
        }
    }
    value = {"a": 1, "extra": 2, "list": [{"v": 1, "junk": 0}]}
    assert rules.prune(value, schema) == {"a": 1, "list": [{"v": 1}]}
    assert rules.prune(value, None) == value


def test_idle_detection_from_power_samples():
    mv = [
        {
            "timestamp": "2026-11-24T10:00:00Z",
            "sampled_value": [{"measurand": "Power.Active.Import", "value": "0"}],
        }
    ]
    assert rules.charging_ended_at(mv) == datetime(2026, 11, 24, 10, tzinfo=UTC)
