"""Operators adjust bookings from the console through the booking use cases, with a reason."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from billing.gateway import OfflineGateway
from mobility.app import create_app
from mobility.clock import utcnow
from mobility.errors import PaymentFailed
from mobility.models import AuditEntry, Booking, Invoice, User, Vehicle
from tests.e2e.console.conftest import csrf_of, sign_in

LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def desk(app):
    return app.extensions["console"].bookings


@pytest.fixture
def ids(db):
    with db.sessions() as s:
        user = s.scalar(select(User.id).where(User.email == "citizen@example.org"))
        bike = s.scalar(select(Vehicle.id).where(Vehicle.code == "BIKE-101"))
    return user, bike


def _book(desk, ids, start, minutes=60):
    start = start.replace(second=0, microsecond=0)
    return desk.create(ids[0], ids[1], start, start + timedelta(minutes=minutes)).id


def _booking(db, booking_id):
    with db.sessions() as s:
        return s.get(Booking, booking_id)


def _audit(db, action):
    with db.sessions() as s:
        return s.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def _post(operator, booking_id, kind, **form):
    page = operator.get(f"/console/bookings/{booking_id}").get_data(as_text=True)
    url = f"/console/bookings/{booking_id}/{kind}"
    return operator.post(url, data={"csrf_token": csrf_of(page), **form})


def _local(at, settings):
    from zoneinfo import ZoneInfo

    return at.astimezone(ZoneInfo(settings.timezone)).strftime(LOCAL)


def test_times_are_changed_under_the_booking_rules(operator, desk, ids, db, settings):
    start = utcnow() + timedelta(days=1)
    booking = _book(desk, ids, start)
    other = _book(desk, ids, start + timedelta(hours=5))
    before = _booking(db, booking)
    assert f'href="/console/bookings/{booking}"' in operator.get(
        "/console/bookings?view=all"
    ).get_data(as_text=True)
    new_start, new_end = before.start_at + timedelta(hours=2), before.end_at + timedelta(hours=3)
    times = {"start_at": _local(new_start, settings), "end_at": _local(new_end, settings)}
    r = _post(operator, booking, "reschedule", **times)
    assert r.status_code == 422 and "Say why." in r.get_data(as_text=True)
    clash = {
        "start_at": _local(before.start_at + timedelta(hours=5), settings),
        "end_at": _local(before.start_at + timedelta(hours=6), settings),
        "reason": "asked by phone",
    }
    r = _post(operator, booking, "reschedule", **clash)
    assert r.status_code == 409 and "already booked" in r.get_data(as_text=True)
    backwards = {**times, "end_at": times["start_at"], "reason": "x"}
    assert _post(operator, booking, "reschedule", **backwards).status_code == 422
    assert _booking(db, booking).start_at == before.start_at and not _audit(
        db, "booking.reschedule"
    )
    r = _post(operator, booking, "reschedule", **times, reason="asked by phone")
    assert r.status_code == 303
    moved = _booking(db, booking)
    assert (moved.start_at, moved.end_at) == (new_start, new_end)
    assert moved.quote_minor > before.quote_minor  # two hours instead of one, priced again
    [entry] = _audit(db, "booking.reschedule")
    assert entry.reason == "asked by phone" and entry.target_id == str(booking)
    assert entry.details["start_at"] == [before.start_at.isoformat(), new_start.isoformat()]
    assert entry.details["quote_minor"] == [before.quote_minor, moved.quote_minor]
    page = operator.get(f"/console/bookings/{booking}").get_data(as_text=True)
    assert "booking.reschedule" in page.split('id="adjustments"')[1]
    assert _booking(db, other).status == "confirmed"


def test_cancel_waiving_or_charging_the_fee(operator, desk, ids, db):
    soon = _book(desk, ids, utcnow() + timedelta(minutes=20))  # the booker would pay the fee
    later = _book(desk, ids, utcnow() + timedelta(days=2))  # the booker would cancel for free
    r = _post(operator, soon, "cancel", fee="waive", reason="bike had a flat tyre")
    assert r.status_code == 303
    cancelled = _booking(db, soon)
    assert (cancelled.status, cancelled.cancel_fee_minor) == ("cancelled", 0)
    assert _audit(db, "booking.cancel")[0].details == {"fee_minor": 0, "invoice": None}
    r = _post(operator, later, "cancel", fee="charge", reason="third late change this week")
    assert r.status_code == 303
    charged = _booking(db, later)
    fee = min(500, charged.quote_minor)
    assert (charged.status, charged.cancel_fee_minor) == ("cancelled", fee)
    with db.sessions() as s:
        invoice = s.scalar(select(Invoice).where(Invoice.booking_id == later))
    assert (invoice.kind, invoice.total_minor) == ("cancellation", fee)
    entry = _audit(db, "booking.cancel")[1]
    assert entry.details == {"fee_minor": fee, "invoice": invoice.number}
    page = operator.get(f"/console/bookings/{later}").get_data(as_text=True)
    assert f"fee invoice {invoice.number}" in page and invoice.number in page
    assert "Cancel booking" not in page  # a cancelled booking has nothing left to adjust
    r = _post(operator, later, "cancel", fee="waive", reason="again")
    assert r.status_code == 409 and len(_audit(db, "booking.cancel")) == 2


def test_no_show_after_the_start_only_and_a_released_one_can_be_charged(operator, desk, ids, db):
    ahead = _book(desk, ids, utcnow() + timedelta(hours=3))
    page = operator.get(f"/console/bookings/{ahead}").get_data(as_text=True)
    assert "Mark as a no-show" not in page and "Cancel for the booker" in page
    r = _post(operator, ahead, "no_show", fee="charge", reason="never came")
    assert r.status_code == 409 and "not started yet" in r.get_data(as_text=True)
    now = _book(desk, ids, utcnow())  # started
    assert "Mark as a no-show" in operator.get(f"/console/bookings/{now}").get_data(as_text=True)
    r = _post(operator, now, "no_show", fee="charge", reason="never came")
    assert r.status_code == 303
    missed = _booking(db, now)
    assert missed.status == "no_show" and missed.no_show_at is not None
    assert missed.cancel_fee_minor == min(500, missed.quote_minor) > 0
    r = _post(operator, now, "no_show", fee="charge", reason="twice")
    assert r.status_code == 409 and "recorded already" in r.get_data(as_text=True)
    # The no-show job released this one without a fee; the operator charges it afterwards.
    with db.transaction() as s:
        released = s.get(Booking, ahead)
        released.status, released.start_at = "no_show", utcnow() - timedelta(hours=1)
        released.end_at = released.block_end_at = utcnow()
    page = operator.get(f"/console/bookings/{ahead}").get_data(as_text=True)
    assert "Charge the no-show fee" in page and "Change the times" not in page
    r = _post(operator, ahead, "no_show", fee="charge", reason="repeat offender")
    assert r.status_code == 303 and _booking(db, ahead).cancel_fee_minor > 0
    assert [e.reason for e in _audit(db, "booking.no_show")] == ["never came", "repeat offender"]
    assert all(e.details["invoice"] for e in _audit(db, "booking.no_show"))


class CapGateway(OfflineGateway):
    """The offline provider, refusing any hold above 10.00."""

    def authorize(self, **kw):
        if kw["amount_minor"] > 1000:
            raise PaymentFailed("Card declined: over the card's limit")
        return super().authorize(**kw)


def test_a_move_whose_new_hold_is_refused_is_put_back_and_says_so(app, db, settings, bus, ids):
    picky = create_app(settings, db=db, bus=bus, gateway=CapGateway())  # on the demo district
    operator = picky.test_client()
    sign_in(operator, "operator@example.org")
    desk = picky.extensions["console"].bookings
    booking = _book(desk, ids, utcnow() + timedelta(days=1), minutes=30)
    before = _booking(db, booking)
    times = {
        "start_at": _local(before.start_at, settings),
        "end_at": _local(before.start_at + timedelta(days=3), settings),
        "reason": "longer trip",
    }
    r = _post(operator, booking, "reschedule", **times)
    assert r.status_code == PaymentFailed.http_status and "over the card" in r.get_data(True)
    after = _booking(db, booking)
    assert (after.end_at, after.quote_minor) == (before.end_at, before.quote_minor)
    assert len(_audit(db, "booking.reschedule")) == 1  # what was asked, and then:
    [undone] = _audit(db, "booking.reschedule_undone")
    assert "over the card" in undone.reason
