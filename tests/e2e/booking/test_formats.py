"""Quotes and receipts show numbers the reader's way, never in scientific notation.

A ten-hour quote used to read "1E+1 h" and a 20 % VAT rate "2E+1%" (Decimal.normalize()).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from tests.e2e.booking.conftest import ride_for

NBSP = "\u00a0"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _log_in(client) -> str:
    token = _csrf(client.get("/login").get_data(as_text=True))
    data = {"email": "citizen@example.org", "password": "demo-password-2026", "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302
    return _csrf(client.get("/profile").get_data(as_text=True))  # the signed-in session's


def _quote(client, vehicle_id: int, token: str, lang: str) -> str:
    start = datetime.now(ZoneInfo("Europe/Paris")).replace(minute=0) + timedelta(days=1)
    form = {
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"),
        "csrf_token": token,
        "action": "quote",
    }
    r = client.post(f"/vehicles/{vehicle_id}/book", data=form, headers={"Accept-Language": lang})
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_a_ten_hour_quote_reads_10_h(client, ids):
    token = _log_in(client)
    english = _quote(client, ids["bike"], token, "en")
    assert '<td class="num">10 h</td>' in english and "E+" not in english
    german = _quote(client, ids["bike"], token, "de")
    assert '<td>Zeit</td><td class="num">10 h</td>' in german and "E+" not in german
    assert f"90,00{NBSP}€" in german  # 10 h at 9 EUR an hour, before the daily cap


def test_a_receipt_shows_a_20_percent_vat_rate(client, db, ids):
    token = _log_in(client)
    start = datetime.now(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%dT%H:%M")
    end = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    form = {"start": start, "end": end, "csrf_token": token, "action": "confirm"}
    assert client.post(f"/vehicles/{ids['bike']}/book", data=form).status_code == 302
    bookings = client.get("/bookings").get_data(as_text=True)
    booking_id = re.search(r"/bookings/(\d+)/start", bookings).group(1)
    assert (
        client.post(f"/bookings/{booking_id}/start", data={"csrf_token": token}).status_code == 302
    )
    ride_for(db, 20)
    trip_id = re.search(r"/trips/(\d+)/end", client.get("/trip").get_data(as_text=True)).group(1)
    form = {"distance_km": "3,5", "end_soc": "60", "hub_id": ids["hub2"], "csrf_token": token}
    done = client.post(f"/trips/{trip_id}/end", data=form)
    assert done.status_code == 302, done.get_data(as_text=True)

    english = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "E+" not in english
    assert english.count('data-label="VAT rate">20%</td>') == 2  # unlock fee and time
    french = client.get(done.headers["Location"], headers={"Accept-Language": "fr"})
    html = french.get_data(as_text=True)
    assert "E+" not in html
    assert html.count(f'data-label="Taux de TVA">20{NBSP}%</td>') == 2
    assert "Frais de déverrouillage / démarrage" in html and "Facture INV-" in html


def test_times_are_shown_in_the_hubs_timezone(client, db, ids, citizen):
    from sqlalchemy import update

    from mobility.models import Hub

    with db.transaction() as s:  # Place Nautique moves to London time (an hour behind Paris)
        s.execute(update(Hub).where(Hub.id == ids["hub"]).values(timezone="Europe/London"))
    start = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    body = {
        "vehicle_id": ids["bike"],
        "start": start.isoformat(),
        "end": (start + timedelta(hours=2)).isoformat(),
    }
    assert client.post("/api/v1/bookings", headers=citizen, json=body).status_code == 201
    _log_in(client)
    html = client.get("/bookings", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    london, paris = (start.astimezone(ZoneInfo(z)) for z in ("Europe/London", "Europe/Paris"))
    table = html.split('id="bookings"')[1].split("</ul>")[0]
    day = format_date(london, "EEE d MMM y", locale="fr")  # e.g. "sam. 28 nov. 2026"
    assert f"{day}, {london:%H:%M}" in table  # the hub's time, not the platform's
    assert f"{paris:%H:%M}" not in table
