"""Pure, protocol-neutral charging rules."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ocpp_server import rules
from ocpp_server.events import Authorization, MeterSample

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def test_charge_point_ids():
    assert rules.valid_charge_point_id("CP-LYON-001")
    for bad in ("", "a/b", "x" * 65, "sp ace", "ctl\x00"):
        assert not rules.valid_charge_point_id(bad)


def test_authorization_expiry_and_group():
    past, future = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    assert rules.authorization("Accepted", past, None, NOW).status == "Expired"
    assert rules.authorization("Accepted", future, "PARENT", NOW) == Authorization(
        "Accepted", future, "PARENT"
    )
    assert rules.authorization("Blocked", None, None, NOW) == Authorization("Blocked")


def test_accepted_tokens_are_cached_by_chargers_for_a_bounded_time():
    day = timedelta(hours=24)
    assert rules.authorization("Accepted", None, None, NOW, day).expires_at == NOW + day
    soon = NOW + timedelta(hours=2)  # the card's own expiry comes first
    assert rules.authorization("Accepted", soon, None, NOW, day).expires_at == soon
    assert rules.authorization("Blocked", None, None, NOW, day).expires_at is None
    assert rules.authorization("Accepted", None, None, NOW, None).expires_at is None


def test_units_are_normalised_to_base_units():
    energy = rules.ENERGY_REGISTER
    assert rules.normalised(Decimal("1.5"), "kWh", energy) == (Decimal("1500.0"), "Wh")
    assert rules.normalised(Decimal("7.4"), "kW", rules.POWER) == (Decimal("7400.0"), "W")
    assert rules.normalised(Decimal("12"), None, energy) == (Decimal("12"), "Wh")
    assert rules.normalised(Decimal("80"), "Percent", "SoC") == (Decimal("80"), "%")
    assert rules.normalised(Decimal("80"), None, "SoC") == (Decimal("80"), "%")
    assert rules.normalised(Decimal("230"), "V", "Voltage") == (Decimal("230"), "V")


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


def _power(minute: int, watts: int) -> MeterSample:
    return MeterSample(NOW + timedelta(minutes=minute), rules.POWER, Decimal(watts), "W")


def test_idle_time_starts_at_the_last_drop_to_zero_power():
    assert rules.idle_since(None, [_power(0, 7000), _power(10, 0)]) == NOW + timedelta(minutes=10)
    # A pause (smart charging, slow start) that ends in charging again is not idle time.
    paused = [_power(0, 0), _power(5, 7000), _power(30, 0), _power(40, 3000)]
    assert rules.idle_since(None, paused) is None
    # A later batch without power samples keeps what an earlier one found; zero stays zero.
    since = NOW + timedelta(minutes=10)
    assert rules.idle_since(since, [_power(20, 0)]) == since
    assert rules.idle_since(since, []) == since
    assert rules.idle_since(since, [_power(20, 11)]) is None


def test_meter_anomalies():
    hour = 3600
    assert rules.meter_anomaly(1000, 8000, hour, 11000) is None
    assert "below the start" in rules.meter_anomaly(5000, 40, hour, 11000)
    # 22 kWh in an hour from an 11 kW connector: a unit or register mix-up.
    assert "more than" in rules.meter_anomaly(0, 22000, hour, 11000)
    assert rules.meter_anomaly(0, 22000, hour, None) is None  # unknown rating: cannot tell
    # 7 kW measured for two hours but 14 Wh recorded: kWh values labelled Wh.
    assert "measured power" in rules.meter_anomaly(0, 14, 2 * hour, 11000, Decimal(7000))
    assert rules.meter_anomaly(0, 13000, 2 * hour, 11000, Decimal(7000)) is None
