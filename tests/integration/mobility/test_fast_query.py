"""FastQuery returns exactly what SQLAlchemy returns for the same statement, on this database."""

from datetime import timedelta

from sqlalchemy import bindparam, select

from booking.rules import BookingPolicy
from booking.search import Search, search_params
from mobility.clock import utcnow
from mobility.db import FastQuery
from mobility.demo import seed_demo
from mobility.models import Company, Vehicle, VehicleVisibility


def test_rows_match_sqlalchemy_for_binds_of_every_kind(db):
    seed_demo(db)
    with db.transaction() as s:
        company = s.scalar(select(Company))
        car = s.scalar(select(Vehicle).where(Vehicle.kind == "ecar"))
        car.visibility = VehicleVisibility.SHARED_HOURS
        car.owner_company_id = company.id
        car.public_hours = {"mon": [["07:00", "19:00"]]}
    start = utcnow() + timedelta(days=1)
    # Datetimes, enums, ints, strings in; JSON, booleans, NULLs out.
    stmt, params = search_params(
        Search(start=start, end=start + timedelta(hours=2)), 1, BookingPolicy(), rows=True
    )
    with db.reads() as conn:
        expected = [tuple(row) for row in conn.execute(stmt, params)]
    got = [tuple(row) for row in FastQuery(stmt).all(db, params)]
    assert got == expected and len(got) > 10
    shared = [row for row in FastQuery(stmt).all(db, params) if row.id == car.id]
    assert shared[0].public_hours == {"mon": [["07:00", "19:00"]]}


def test_a_query_is_reused_with_new_parameters(db):
    seed_demo(db)
    query = FastQuery(select(Vehicle.code).where(Vehicle.kind == bindparam("kind")))
    bikes = {row.code for row in query.all(db, {"kind": "ebike"})}
    cars = {row.code for row in query.all(db, {"kind": "ecar"})}
    assert bikes and cars and not bikes & cars
    assert all(code.startswith("BIKE") for code in bikes)
