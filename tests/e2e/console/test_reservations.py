"""ReserveNow and CancelReservation from the charger page, through the OCPP server's use case."""

from datetime import timedelta

from sqlalchemy import select

from mobility.clock import utcnow
from mobility.models import (
    AuditEntry,
    Booking,
    ChargerCommand,
    IdToken,
    Reservation,
    User,
    Vehicle,
)
from tests.e2e.console.conftest import csrf_of

CARD = "RFID-CONFLUENCE-0001"


def _audit(db, action):
    with db.sessions() as s:
        return s.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()


def _reservations(db):
    with db.sessions() as s:
        return s.scalars(select(Reservation).order_by(Reservation.id)).all()


def _reserve(operator, cp_id, **form):
    page = operator.get(f"/console/chargers/{cp_id}").get_data(as_text=True)
    data = {"connector_id": "1", "id_tag": CARD, "minutes": "30", "csrf_token": csrf_of(page)}
    return operator.post(f"/console/chargers/{cp_id}/reservations", data={**data, **form})


def test_reserve_and_cancel_from_the_charger_page(operator, live, db):
    before = utcnow()
    r = _reserve(operator, "CP-LYON-001", note="VIP arriving")
    assert r.status_code == 303 and r.headers["Location"].endswith("#reservations")
    [res] = _reservations(db)
    assert (res.connector_id, res.id_tag, res.status) == (1, CARD, "accepted")
    assert before + timedelta(minutes=29) < res.expires_at <= utcnow() + timedelta(minutes=30)
    with db.sessions() as s:
        sent = s.scalar(select(ChargerCommand).where(ChargerCommand.action == "ReserveNow"))
        parent = s.scalar(select(IdToken.parent_id_tag).where(IdToken.id_tag == CARD))
    assert sent.payload["reservationId"] == res.id and sent.payload["idTag"] == CARD
    assert sent.payload.get("parentIdTag") == parent  # a fleet card reserves for its group
    [entry] = _audit(db, "charger.reserve")
    assert (entry.target_id, entry.reason) == ("CP-LYON-001", "VIP arriving")
    assert entry.details["reservation_id"] == res.id and entry.details["id_tag"] == CARD
    page = operator.get("/console/chargers/CP-LYON-001").get_data(as_text=True)
    assert f"Reservation {res.id}: the charger answered" in page
    row = page.split(f'data-reservation="{res.id}"')[1].split("</tr>")[0]
    assert "accepted" in row and f"Cancel reservation {res.id}" in row
    url = f"/console/chargers/CP-LYON-001/reservations/{res.id}/cancel"
    r = operator.post(url, data={"reason": "plans changed", "csrf_token": csrf_of(page)})
    assert r.status_code == 303
    assert _reservations(db)[0].status == "cancelled"
    [entry] = _audit(db, "charger.cancel_reservation")
    assert entry.reason == "plans changed" and entry.details == {"reservation_id": res.id}
    r = operator.post(url, data={"csrf_token": csrf_of(page)})  # not open any more
    assert r.status_code == 409 and "is cancelled" in r.get_data(as_text=True)
    assert len(_audit(db, "charger.cancel_reservation")) == 1
    row = operator.get("/console/chargers/CP-LYON-001").get_data(as_text=True)
    assert f"Cancel reservation {res.id}" not in row


def test_reservations_are_checked_before_anything_is_recorded(operator, live, db):
    assert _reserve(operator, "CP-LYON-001", id_tag="NOBODY").status_code == 404
    assert _reserve(operator, "CP-LYON-001", minutes="0").status_code == 422
    assert _reserve(operator, "CP-LYON-001", minutes="9999").status_code == 422
    assert _reserve(operator, "CP-LYON-001", connector_id="-1").status_code == 422
    assert _reserve(operator, "CP-NOPE").status_code == 404
    assert _reservations(db) == [] and _audit(db, "charger.reserve") == []
    page = operator.get("/console/chargers/CP-LYON-001").get_data(as_text=True)
    r = operator.post(
        "/console/chargers/CP-LYON-002/reservations/999/cancel", data={"csrf_token": csrf_of(page)}
    )
    assert r.status_code == 404


def test_reserving_on_an_offline_charger_ends_the_reservation_and_keeps_the_attempt(operator, db):
    r = _reserve(operator, "CP-LYON-002")
    assert r.status_code == 503 and "not connected" in r.get_data(as_text=True)
    [res] = _reservations(db)
    assert res.status == "unavailable"
    with db.sessions() as s:
        attempt = s.scalar(select(ChargerCommand).where(ChargerCommand.action == "ReserveNow"))
    assert attempt.status == "offline" and attempt.payload["reservationId"] == res.id
    assert len(_audit(db, "charger.reserve")) == 1  # the operator did ask


def test_a_201_station_is_reserved_with_its_own_words(operator, live201, db):
    r = _reserve(operator, "CP-LYON-001", connector_id="0")
    assert r.status_code == 303
    [res] = _reservations(db)
    assert (res.connector_id, res.status) == (0, "accepted")
    action, sent = live201.cp.received[-1]
    assert action == "ReserveNow" and sent["id"] == res.id and "evse_id" not in sent
    assert sent["id_token"] == {"id_token": CARD, "type": "ISO14443"}
    page = operator.get("/console/chargers/CP-LYON-001").get_data(as_text=True)
    url = f"/console/chargers/CP-LYON-001/reservations/{res.id}/cancel"
    assert operator.post(url, data={"csrf_token": csrf_of(page)}).status_code == 303
    assert live201.cp.received[-1] == ("CancelReservation", {"reservation_id": res.id})
    assert _reservations(db)[0].status == "cancelled"


def test_a_cancelled_bookings_reservation_ends_on_a_201_station(live201, db, bus, app):
    from ocpp_server.reservations import BookingReservations

    start = utcnow() + timedelta(minutes=10)
    with db.transaction() as s:
        row = Booking(
            user_id=s.scalar(select(User.id).where(User.email == "citizen@example.org")),
            vehicle_id=s.scalar(select(Vehicle.id).limit(1)),
            start_at=start,
            end_at=start + timedelta(hours=1),
            block_end_at=start + timedelta(hours=1),
        )
        s.add(row)
        s.flush()
        booking = row.id
    desk = app.extensions["console"].reservations
    expiry = (utcnow() + timedelta(minutes=20)).isoformat()
    made = desk.reserve(
        "CP-LYON-001",
        {"evseId": 1, "expiryDateTime": expiry, "idToken": {"idToken": CARD, "type": "ISO14443"}},
        booking_id=booking,
    )
    BookingReservations(db, bus, 10)({"booking_id": booking})
    # CancelReservation names it reservationId in 2.0.1 too (ReserveNow calls it id).
    assert live201.cp.received[-1] == ("CancelReservation", {"reservation_id": made.reservation_id})
    assert _reservations(db)[0].status == "cancelled"
