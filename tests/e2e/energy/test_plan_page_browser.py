"""An operator opens a hub's charging plan in a real headless Chromium and plans it again."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from energy.admin import SiteTerms, create_site, set_home_bay
from mobility.demo import DEMO_PASSWORD
from mobility.models import EnergyPlan, Hub, Vehicle
from tests.support.browser import log_in, page, served  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def test_operator_sees_the_plan_chart_and_replans(page, app, db):  # noqa: F811
    with db.sessions() as s:
        hub = s.scalar(select(Hub).where(Hub.slug == "confluence-nautique"))
        car = s.scalar(select(Vehicle).where(Vehicle.code == "CAR-102"))
        hub_id, hub_name, car_id = hub.id, hub.name, car.id
    site_id = create_site(db, hub_id, SiteTerms(grid_limit_kw=Decimal(8), pv_peak_kwp=Decimal(15)))
    set_home_bay(db, car_id, "CP-LYON-001", 1, Decimal(11))
    with served(app) as base:
        log_in(page, base, "operator@example.org", DEMO_PASSWORD)
        page.goto(base + "/energy/sites")
        page.get_by_role("link", name=hub_name).click()
        assert "No plan yet" in page.inner_text("main")
        page.get_by_role("button", name="Plan again now").click()
        chart = page.locator("#plan-chart")
        assert chart.is_visible()
        points = page.locator("#plan-chart polyline.load").get_attribute("points")
        assert points and len(points.split()) == 2 * 96
        limit = page.locator("#plan-chart polyline.limit").get_attribute("points")
        # the limit line sits above (smaller y) or on the load line in every slot
        load_y = [float(p.split(",")[1]) for p in points.split()]
        limit_y = [float(p.split(",")[1]) for p in limit.split()]
        assert all(ly <= y + 1e-6 for ly, y in zip(limit_y, load_y, strict=True))
        assert page.get_by_role("img", name="Site load").count() == 1
    with db.sessions() as s:
        assert s.scalar(select(EnergyPlan.id).where(EnergyPlan.site_id == site_id)) is not None
