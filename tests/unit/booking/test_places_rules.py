"""The map's pure rules: connector states, vehicles per kind, distances, nearest first."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking.places.cache import PlacesCache
from booking.places.rules import (
    ChargerSpot,
    ConnectorSpot,
    ConnectorState,
    HubSpot,
    VehicleSpot,
    by_distance,
    connector_state,
    distance_m,
    etag,
    kinds_by_hub,
    nearest,
    parse_origin,
    places,
)


def _c(status: str, availability: str = "Operative", n: int = 1) -> ConnectorSpot:
    return ConnectorSpot(n, status, availability, "IEC_62196_T2", 11000)


@pytest.mark.parametrize(
    ("online", "status", "availability", "state"),
    [
        (True, "Available", "Operative", ConnectorState.FREE),
        (True, "Preparing", "Operative", ConnectorState.BUSY),
        (True, "Charging", "Operative", ConnectorState.BUSY),
        (True, "SuspendedEV", "Operative", ConnectorState.BUSY),
        (True, "Occupied", "Operative", ConnectorState.BUSY),  # 2.0.1
        (True, "Reserved", "Operative", ConnectorState.BUSY),
        (True, "Faulted", "Operative", ConnectorState.OUT_OF_ORDER),
        (True, "Unavailable", "Operative", ConnectorState.OUT_OF_ORDER),
        (True, "Available", "Inoperative", ConnectorState.OUT_OF_ORDER),
        (True, "SomethingNew", "Operative", ConnectorState.OUT_OF_ORDER),
        (False, "Available", "Operative", ConnectorState.OFFLINE),
    ],
)
def test_connector_state(online, status, availability, state):
    assert connector_state(online, _c(status, availability)) is state


def test_a_charger_counts_free_connectors_only_when_online():
    connectors = (_c("Available", n=1), _c("Charging", n=2), _c("Available", n=3))
    assert ChargerSpot("CP", "", 1, True, connectors).free == 2
    assert ChargerSpot("CP", "", 1, False, connectors).free == 0


def test_kinds_by_hub():
    counts = kinds_by_hub([(1, "ebike"), (1, "ebike"), (1, "ecar"), (2, "ecar")])
    assert counts == {1: {"ebike": 2, "ecar": 1}, 2: {"ecar": 1}}


@pytest.mark.parametrize(
    ("lat", "lon", "found"),
    [
        ("45.74", "4.82", (45.74, 4.82)),
        ("-90", "180", (-90.0, 180.0)),
        ("91", "0", None),
        ("0", "-181", None),
        ("nan", "1", None),
        ("inf", "1", None),
        ("", "1", None),
        (None, None, None),
        ("x", "y", None),
    ],
)
def test_parse_origin(lat, lon, found):
    assert parse_origin(lat, lon) == found


def test_distance_between_two_known_places():
    # A degree along a meridian is pi R / 180; along the 45th parallel about cos(45°) of that.
    assert distance_m((0.0, 0.0), (1.0, 0.0)) == pytest.approx(111_195.08, abs=0.01)
    assert distance_m((45.0, 4.0), (45.0, 5.0)) == pytest.approx(78_626, rel=1e-3)
    assert distance_m((45.0, 4.0), (45.0, 4.0)) == 0


@given(
    st.tuples(st.floats(-89, 89), st.floats(-179, 179)),
    st.tuples(st.floats(-89, 89), st.floats(-179, 179)),
)
def test_distance_is_symmetric_and_bounded(a, b):
    d = distance_m(a, b)
    assert d == pytest.approx(distance_m(b, a), abs=1e-6)
    assert 0 <= d <= 20_040_000  # half the Earth's circumference


def _hub(i: int, lat: str, lon: str) -> HubSpot:
    return HubSpot(i, f"Hub {i}", "", Decimal(lat), Decimal(lon))


def test_nearest_first_and_ties_keep_their_order():
    items = [(0.0, 0.02, "far"), (0.0, 0.01, "near"), (0.0, 0.01, "near too")]
    ranked = nearest(items, (0.0, 0.0), lambda i: (i[0], i[1]))
    assert [i[2] for _, i in ranked] == ["near", "near too", "far"]


def test_places_group_vehicles_and_chargers_and_sort_by_distance():
    hubs = [_hub(1, "45.750", "4.830"), _hub(2, "45.740", "4.820")]
    vehicles = [
        VehicleSpot(10, "BIKE-1", "ebike", "", 80, 56, 1),
        VehicleSpot(11, "BIKE-2", "ebike", "", 90, 63, 1),
        VehicleSpot(12, "CAR-1", "ecar", "", 50, 195, 2),
    ]
    chargers = [ChargerSpot("CP-1", "", 2, True, (_c("Available"), _c("Charging", n=2)))]
    by_name = places(hubs, vehicles, chargers)
    assert [p.hub.id for p in by_name] == [1, 2]
    assert by_name[0].available == {"ebike": 2} and by_name[0].chargers == ()
    assert by_name[1].available == {"ecar": 1}
    assert (by_name[1].free_connectors, by_name[1].connectors) == (1, 2)
    near_2 = places(hubs, vehicles, chargers, origin=(45.7401, 4.8201))
    assert [p.hub.id for p in near_2] == [2, 1]
    assert near_2[0].distance_m is not None and near_2[0].distance_m < 20
    # The list is capped, the counts are not.
    capped = places(hubs, vehicles, chargers, per_hub=1)
    assert len(capped[0].vehicles) == 1 and capped[0].available == {"ebike": 2}


def test_etag_depends_on_the_body_only():
    assert etag(b"a") == etag(b"a") != etag(b"b")


def test_by_distance_reorders_cached_places():
    hubs = [_hub(1, "45.750", "4.830"), _hub(2, "45.740", "4.820")]
    found = places(hubs, [], [])
    ranked = by_distance(found, (45.7401, 4.8201))
    assert [p.hub.id for p in ranked] == [2, 1]
    assert all(p.distance_m is not None for p in ranked)
    assert [p.distance_m for p in found] == [None, None]  # the cached list is left alone


def test_places_cache_rebuilds_after_its_ttl():
    now = [100.0]
    builds = []

    def build():
        builds.append(now[0])
        return [], b"{}", etag(b"{}")

    cache = PlacesCache(5, clock=lambda: now[0])
    assert cache.get(build).etag == etag(b"{}")
    now[0] = 104.9
    cache.get(build)
    assert builds == [100.0]
    now[0] = 105.0
    cache.get(build)
    assert builds == [100.0, 105.0]
    assert len([PlacesCache(0, clock=lambda: 1.0).get(build) for _ in range(2)]) == 2
    assert len(builds) == 4  # ttl 0: every call reads again
