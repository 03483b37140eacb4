"""OCPI mapping rules and wire format (pure)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from billing.pricing_periods import Period
from roaming import rules
from roaming.wire import (
    OcpiError,
    authorization_header,
    envelope,
    number,
    ocpi_time,
    parse_time,
    presented_tokens,
)


@pytest.mark.parametrize(
    ("ocpp", "online", "ocpi"),
    [
        ("Available", True, "AVAILABLE"),
        ("Preparing", True, "CHARGING"),
        ("SuspendedEV", True, "CHARGING"),
        ("Occupied", True, "CHARGING"),  # OCPP 2.0.1
        ("Reserved", True, "RESERVED"),
        ("Unavailable", True, "INOPERATIVE"),
        ("Faulted", True, "OUTOFORDER"),
        ("Available", False, "UNKNOWN"),
        ("SomethingNew", True, "UNKNOWN"),
    ],
)
def test_evse_status_from_connector_status(ocpp, online, ocpi):
    assert rules.evse_status(ocpp, online) == ocpi


def test_evse_uid_round_trips_and_rejects_what_is_not_ours():
    uid = rules.evse_uid("CP-LYON-001", 2)
    assert uid == "CP-LYON-001-2" and rules.split_evse_uid(uid) == ("CP-LYON-001", 2)
    assert rules.split_evse_uid("CP-LYON") is None and rules.split_evse_uid("X-0") is None
    assert rules.evse_id("FR", "MOB", "cp-lyon_001", 1) == "FR*MOB*ECPLYON001*1"


def test_opening_times_from_hub_hours():
    assert rules.opening_times(None) == {"twentyfourseven": True}
    hours = rules.opening_times({"tue": [["06:00", "12:00"], ["14:00", "20:00"]]})
    assert hours == {
        "twentyfourseven": False,
        "regular_hours": [
            {"weekday": 2, "period_begin": "06:00", "period_end": "12:00"},
            {"weekday": 2, "period_begin": "14:00", "period_end": "20:00"},
        ],
    }


def test_plug_electrics_by_standard_and_power():
    assert rules.plug("IEC_62196_T2", 22000) == rules.Plug("AC_3_PHASE", "SOCKET", 230, 31, 22000)
    assert rules.plug("IEC_62196_T2", 7400).power_type == "AC_1_PHASE"
    dc = rules.plug("IEC_62196_T2_COMBO", 150000)
    assert (dc.power_type, dc.format, dc.max_amperage) == ("DC", "CABLE", 375)
    assert rules.plug("IEC_62196_T2", None).max_electric_power == rules.DEFAULT_POWER_W


def test_charging_periods_and_totals_from_priced_periods():
    start = datetime(2026, 3, 1, 10, tzinfo=UTC)
    periods = [
        Period(start + timedelta(hours=1), 1800, Decimal(0), parking=True),
        Period(start, 3600, Decimal("7400"), power_kw=Decimal("7.4")),
    ]
    out = rules.charging_periods(periods, "T1")
    assert [p["start_date_time"] for p in out] == ["2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"]
    assert out[0]["dimensions"] == [
        {"type": "ENERGY", "volume": 7.4},
        {"type": "TIME", "volume": 1},
        {"type": "MAX_POWER", "volume": 7.4},
    ]
    assert out[1]["dimensions"] == [{"type": "PARKING_TIME", "volume": 0.5}]
    assert rules.totals(periods) == {
        "total_energy": 7.4,
        "total_time": 1.5,
        "total_parking_time": 0.5,
    }
    third = rules.charging_periods([Period(start, 1000)], "T1")[0]["dimensions"]
    assert third == [{"type": "TIME", "volume": 0.2778}]  # 4 decimals


def test_price_from_minor_units():
    assert rules.price(700, 840, 2) == {"excl_vat": 7, "incl_vat": 8.4}
    assert rules.price(1234, 1481, 2) == {"excl_vat": 12.34, "incl_vat": 14.81}
    assert rules.price(500, 600, 0) == {"excl_vat": 500, "incl_vat": 600}


def test_link_to_the_next_page_keeps_the_filters():
    url = "https://cpo.example/ocpi/cpo/2.2.1/cdrs"
    query = {"date_from": "2026-01-01T00:00:00Z", "offset": "0", "limit": "50"}
    link = rules.link_next(url, 0, 50, 120, query)
    assert link == (
        "<https://cpo.example/ocpi/cpo/2.2.1/cdrs?date_from=2026-01-01T00:00:00Z"
        '&offset=50&limit=50>; rel="next"'
    )
    assert rules.link_next(url, 100, 50, 120, query) is None


def test_window_is_inclusive_from_and_exclusive_to():
    t = datetime(2026, 1, 1, tzinfo=UTC)
    window = rules.Window(date_from=t, date_to=t + timedelta(hours=1))
    assert window.holds(t) and not window.holds(t + timedelta(hours=1))
    assert not window.holds(t - timedelta(seconds=1)) and rules.Window().holds(t)


def test_tokens_in_authorization_headers_base64_or_plain():
    assert presented_tokens(authorization_header("abc-123")) == ["abc-123", "YWJjLTEyMw=="]
    # The spec's own example encodes a trailing newline.
    example = "Token ZWJmM2IzOTktNzc5Zi00NDk3LTliOWQtYWM2YWQzY2M0NGQyCg=="
    assert presented_tokens(example)[0] == "ebf3b399-779f-4497-9b9d-ac6ad3cc44d2"
    assert presented_tokens("Token plain-2.1.1-token") == ["plain-2.1.1-token"]
    assert presented_tokens("Bearer abc") == [] and presented_tokens(None) == []
    assert base64.b64decode(authorization_header("x").split()[1]) == b"x"


def test_times_numbers_and_envelope():
    moment = datetime(2026, 6, 1, 12, 30, 15, 999, tzinfo=UTC)
    assert ocpi_time(moment) == "2026-06-01T12:30:15Z"
    assert parse_time("2026-06-01T12:30:15Z", "x") == moment.replace(microsecond=0)
    assert parse_time("2026-06-01T12:30:15", "x").tzinfo is not None  # no zone: UTC
    with pytest.raises(OcpiError) as refused:
        parse_time("yesterday", "date_from")
    assert refused.value.status_code == 2001
    assert number(Decimal("0.35")) == 0.35 and number(Decimal("20.00")) == 20
    body = envelope([1], 1000)
    assert body["data"] == [1] and body["status_code"] == 1000 and body["timestamp"].endswith("Z")
    assert "data" not in envelope(None, 2001, "bad")
