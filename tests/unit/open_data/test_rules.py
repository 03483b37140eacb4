"""Who the feeds show and how: company vehicles, bookings, maintenance, hours, geometry."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from open_data.model import Hold, VehicleRow
from open_data.rules import (
    Listing,
    coordinate,
    free_windows,
    osm_opening_hours,
    return_zone,
    shown,
    vehicle_type_id,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris
TURN = timedelta(minutes=10)


def vehicle(**changes) -> VehicleRow:
    values = dict(
        id=1,
        public_id="p-1",
        kind="ecar",
        model="Zoe",
        seats=4,
        hub_id=7,
        state="available",
        visibility="public",
        public_hours=None,
        max_range_km=300,
        soc_percent=50,
        tariff_id=None,
    )
    values.update(changes)
    return VehicleRow(**values)


def hold(start_h: float, end_h: float) -> Hold:
    start = NOW + timedelta(hours=start_h)
    return Hold(1, start, NOW + timedelta(hours=end_h) + TURN)


def test_private_and_absent_vehicles_are_never_shown():
    for v in (
        vehicle(visibility="fleet_only"),
        vehicle(state="in_use", hub_id=None),
        vehicle(state="offline"),
        vehicle(hub_id=None),
    ):
        assert shown(v, True, [], NOW, PARIS, TURN) is None
    assert shown(vehicle(), False, [], NOW, PARIS, TURN) is None  # its hub is closed


def test_shared_hours_vehicle_only_within_its_public_hours_and_until_they_end():
    hours = {"mon": [["08:00", "12:00"]]}
    inside = shown(
        vehicle(visibility="shared_hours", public_hours=hours), True, [], NOW, PARIS, TURN
    )
    assert inside is not None and inside.listing is Listing.AVAILABLE
    assert inside.available_until == datetime(2026, 11, 23, 12, tzinfo=PARIS)
    late = {"mon": [["14:00", "18:00"]]}
    assert (
        shown(vehicle(visibility="shared_hours", public_hours=late), True, [], NOW, PARIS, TURN)
        is None
    )


def test_a_vehicle_booked_now_or_within_the_turnaround_is_reserved():
    for h in (hold(-0.5, 1), hold(0.1, 2)):
        s = shown(vehicle(), True, [h], NOW, PARIS, TURN)
        assert s is not None and s.listing is Listing.RESERVED


def test_a_later_booking_bounds_the_rental_by_its_turnaround():
    s = shown(vehicle(), True, [hold(3, 4)], NOW, PARIS, TURN)
    assert s is not None and s.listing is Listing.AVAILABLE
    assert s.available_until == NOW + timedelta(hours=3) - TURN


def test_maintenance_at_a_hub_is_disabled_but_private_maintenance_stays_hidden():
    s = shown(vehicle(state="maintenance"), True, [], NOW, PARIS, TURN)
    assert s is not None and s.listing is Listing.DISABLED
    assert (
        shown(vehicle(state="maintenance", visibility="fleet_only"), True, [], NOW, PARIS, TURN)
        is None
    )


def test_free_windows_leave_out_bookings_and_their_turnarounds():
    windows = free_windows(vehicle(), [hold(3, 4)], NOW, timedelta(days=60), PARIS, TURN)
    assert windows == [
        (NOW, NOW + timedelta(hours=3) - TURN),
        (NOW + timedelta(hours=4) + TURN, None),
    ]


def test_osm_hours_group_equal_days():
    week = {d: [["07:00", "19:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    week["sat"] = [["09:00", "12:00"], ["14:00", "24:00"]]
    assert osm_opening_hours(week) == "Mo-Fr 07:00-19:00; Sa 09:00-12:00,14:00-24:00"
    assert osm_opening_hours(None) == "24/7"


def test_coordinates_keep_six_decimals_as_numbers():
    assert coordinate(Decimal("45.741200")) == 45.7412
    assert coordinate(4.12345678) == 4.123457


def test_return_zone_is_a_closed_multipolygon_or_nothing():
    square = [[4.8, 45.7], [4.81, 45.7], [4.81, 45.71], [4.8, 45.71]]
    zone = return_zone({"type": "Polygon", "coordinates": [square]})
    assert zone == [[[*square, square[0]]]]
    assert return_zone({"type": "Polygon", "coordinates": [[[4.8, 95.0]] * 4]}) is None
    assert return_zone({"type": "Point", "coordinates": [4.8, 45.7]}) is None
    assert return_zone(None) is None


def test_vehicle_type_ids_are_stable_slugs():
    assert vehicle_type_id("ecar", "Renault Zoe E-Tech") == "ecar-renault-zoe-e-tech"
    assert vehicle_type_id("ebike", "") == "ebike"
