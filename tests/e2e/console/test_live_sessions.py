"""Running sessions update live on the sessions page: polled with an ETag any worker honours."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from mobility.app import create_app
from mobility.clock import utcnow
from mobility.models import Charger, ChargingTransaction, MeterValue, User
from tests.e2e.console.conftest import sign_in

EVERY = timedelta(minutes=5)


def running_session(db, cp_id="CP-LYON-002", minutes=30):
    """A session started `minutes` ago, read every 5 minutes: 11 kW, energy rising."""
    start = utcnow().replace(microsecond=0) - timedelta(minutes=minutes)
    with db.transaction() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == cp_id))
        user = s.scalar(select(User).where(User.email == "citizen@example.org"))
        tx = ChargingTransaction(
            charger_id=charger.id,
            connector_id=1,
            id_tag="RFID-CONFLUENCE-0001",
            user_id=user.id,
            started_at=start,
            meter_start_wh=1000,
            transaction_ref=None,
        )
        s.add(tx)
        s.flush()
        for i in range(minutes // 5 + 1):
            add_reading(s, tx, start + EVERY * i, 1000 + 11000 * 5 * i // 60)
        return tx.id


def add_reading(s, tx, at, wh, watts=11000):
    for measurand, value in (("Energy.Active.Import.Register", wh), ("Power.Active.Import", watts)):
        s.add(
            MeterValue(
                charger_id=tx.charger_id,
                connector_id=tx.connector_id,
                transaction_id=tx.id,
                timestamp=at,
                measurand=measurand,
                value=Decimal(value),
            )
        )


def _row(html, tx_id):
    return html.split(f'data-running="{tx_id}"')[1].split("</tr>")[0]


def _cost(app, db, tx_id):
    billing = app.extensions["console"].billing
    with db.sessions() as s:
        minute = utcnow().replace(second=0, microsecond=0)
        price = billing.running_price(s, s.get(ChargingTransaction, tx_id), minute)
    return f"{price.total_minor / 100:.2f} {price.currency}"


def test_running_sessions_show_energy_power_and_cost_so_far(operator, db, app):
    tx_id = running_session(db)
    html = operator.get("/console/sessions").get_data(as_text=True)
    running = html.split('id="running"')[1].split("</table>")[0]
    assert 'data-live="/console/live/sessions"' in html
    row = _row(running, tx_id)
    assert "5.50 kWh" in row and "11.0 kW" in row and "CP-LYON-002:1" in row
    assert _cost(app, db, tx_id) in row and "citizen@example.org" in row
    with db.transaction() as s:
        s.get(ChargingTransaction, tx_id).status = "completed"
    html = operator.get("/console/sessions").get_data(as_text=True)
    assert "No session is running." in html.split('id="running"')[1].split("</table>")[0]


def test_live_rows_share_their_etag_across_workers_and_follow_new_readings(
    operator, db, settings, bus
):
    tx_id = running_session(db)
    other = create_app(settings, db=db, bus=bus).test_client()  # a second web worker
    sign_in(other, "operator@example.org")
    first = operator.get("/console/live/sessions")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "5.50 kWh" in _row(first.get_data(as_text=True), tx_id)
    assert first.headers["Cache-Control"] == "no-cache"
    for client in (operator, other):
        assert (
            client.get("/console/live/sessions", headers={"If-None-Match": etag}).status_code == 304
        )
    with db.transaction() as s:  # the charger reports again (stored by any OCPP node)
        add_reading(s, s.get(ChargingTransaction, tx_id), utcnow(), 1000 + 6600, watts=7400)
    changed = other.get("/console/live/sessions", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    row = _row(changed.get_data(as_text=True), tx_id)
    assert "6.60 kWh" in row and "7.4 kW" in row
    again = operator.get(
        "/console/live/sessions", headers={"If-None-Match": changed.headers["ETag"]}
    )
    assert again.status_code == 304


def test_running_sessions_are_paged(operator, db):
    ids = [running_session(db, minutes=10 + n) for n in range(27)]
    first = operator.get("/console/sessions").get_data(as_text=True)
    running = first.split('id="running"')[1].split("</section>")[0]
    assert running.count("data-running=") == 10 and "Page 1 of 3 (27)" in running
    last = operator.get("/console/live/sessions?running_page=3").get_data(as_text=True)
    assert last.count("data-running=") == 7 and f'data-running="{ids[-1]}"' in last


def test_running_sessions_follow_the_lists_filter(operator, db):
    here, there = running_session(db), running_session(db, "CP-LYON-003")

    def shown(query):
        html = operator.get("/console/live/sessions" + query).get_data(as_text=True)
        return sorted(int(p.split('"')[0]) for p in html.split('data-running="')[1:])

    assert shown("") == sorted([here, there])
    assert shown("?charger=CP-LYON-003") == [there]
    assert shown("?status=completed") == [] and shown("?user=nobody@") == []
    page = operator.get("/console/sessions?charger=CP-LYON-003").get_data(as_text=True)
    assert 'data-live="/console/live/sessions?charger=CP-LYON-003"' in page
    assert "Running sessions matching the filter" in page
