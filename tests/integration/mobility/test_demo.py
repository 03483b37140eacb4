"""The demo seed builds a usable district and is idempotent."""

from sqlalchemy import func, select

from mobility.demo import DEMO_PASSWORD, seed_demo
from mobility.models import Charger, Hub, Tariff, User, Vehicle
from mobility.security import verify_password


def _counts(db):
    with db.sessions() as s:
        return {
            m.__name__: s.scalar(select(func.count()).select_from(m))
            for m in (Hub, Vehicle, Charger, Tariff, User)
        }


def test_seed_demo_twice_creates_once(db):
    first = seed_demo(db)
    counts = _counts(db)
    second = seed_demo(db)
    assert _counts(db) == counts
    assert first == second
    assert counts["Hub"] == 3 and counts["Charger"] == 3 and counts["Tariff"] == 3
    with db.sessions() as s:
        citizen = s.scalar(select(User).where(User.email == "citizen@example.org"))
        assert citizen is not None
        assert verify_password(citizen.password_hash, DEMO_PASSWORD)
        assert not verify_password(citizen.password_hash, "wrong")
        kinds = set(s.scalars(select(Vehicle.kind)))
        assert kinds == {"ebike", "ecar"}


def test_smart_charging_demo_parks_each_e_car_on_its_own_bay_once(db):
    from energy.inputs import read_site
    from mobility.clock import utcnow
    from mobility.demo import seed_smart_charging
    from mobility.models import EnergySite

    seed_demo(db)
    assert seed_smart_charging(db) == 3
    assert seed_smart_charging(db) == 3  # again: nothing new
    with db.sessions() as s:
        sites = list(s.scalars(select(EnergySite)))
        assert len(sites) == 3
        inputs = read_site(s, sites[0], utcnow(), 96)
    cars = inputs.problem.vehicles
    assert len(cars) == 2 and len({c.connector_id for c in cars}) == 2
    assert all(c.max_kw == 11 for c in cars)
