"""Every priced invoice names the tariff that priced it; credit notes carry their original's."""

from billing.facade import find_tariff
from mobility.models import Vehicle
from tests.integration.billing.conftest import make_booking, make_session, make_trip


def _code_of(s, vehicle_id):
    vehicle = s.get(Vehicle, vehicle_id)
    return find_tariff(s, vehicle.kind, tariff_id=vehicle.tariff_id).code


def test_invoices_remember_their_tariff(db, billing, demo):
    with db.transaction() as s:
        session = make_session(s, demo["charger"], user_id=demo["citizen"])
        charging = billing.settle_charging(s, session)
        trip = billing.settle_trip(
            s, make_trip(s, make_booking(s, billing, demo["citizen"], demo["bike"]), 20)
        )
        fee = billing.cancel_booking(s, make_booking(s, billing, demo["citizen"], demo["car"]), 300)
        note = billing.refund(s, charging, 100, "slow charging")
        expected = {
            "charging": "CHARGE-STD",
            "trip": _code_of(s, demo["bike"]),
            "cancellation": _code_of(s, demo["car"]),
            "credit_note": "CHARGE-STD",  # the refunded invoice's tariff
        }
    assert {i.kind: i.tariff_code for i in (charging, trip, fee, note)} == expected
    assert expected["trip"] != expected["cancellation"]  # bikes and cars are priced apart
