"""The cards page shows each charger's local list version as the OCPP server recorded it."""

import time

from sqlalchemy import func, select

from mobility.models import Charger, IdToken, LocalListEntry
from tests.e2e.console.conftest import csrf_of


def _row(html: str, cp_id: str) -> str:
    return html.split(f'data-list="{cp_id}"')[1].split("</tr>")[0]


def _synced(db) -> int | None:
    with db.sessions() as s:
        return s.scalar(
            select(Charger.local_list_synced_version).where(
                Charger.charge_point_id == "CP-LYON-001"
            )
        )


def _held(db) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(LocalListEntry))


def test_local_list_version_per_charger_in_step_then_behind(operator, live, db):
    # The node gives a charger our list at its first contact after boot (in the background).
    with db.sessions() as s:
        cards = s.scalar(select(func.count()).select_from(IdToken))
    deadline = time.monotonic() + 10
    while _held(db) != cards and time.monotonic() < deadline:
        time.sleep(0.1)
    version = _synced(db)
    assert version is not None and _held(db) == cards
    html = operator.get("/console/cards").get_data(as_text=True)
    lists = html.split('id="local-list-versions"')[1]
    assert "CP-LYON-002" not in lists  # never had a list
    row = _row(lists, "CP-LYON-001")
    assert f'<td class="num">{version}</td><td class="num">{version}</td>' in row
    assert "Accepted" in row and f'<td class="num">{cards}</td>' in row and "in step" in row
    lagging = operator.get("/console/cards?lists=lagging").get_data(as_text=True)
    assert 'data-list="CP-LYON-001"' not in lagging
    assert "Every charger holds our latest list." in lagging
    # The charger reports another version (it lost its list): the page shows it behind.
    r = operator.post(
        "/console/chargers/CP-LYON-001/commands/GetLocalListVersion",
        data={"payload": "{}", "csrf_token": csrf_of(html)},
    )
    assert r.status_code == 303
    row = _row(operator.get("/console/cards?lists=lagging").get_data(as_text=True), "CP-LYON-001")
    assert f'<td class="num">7</td><td class="num">{version}</td>' in row and "behind" in row


def test_local_lists_are_paged_apart_from_the_cards(operator, db):
    with db.transaction() as s:
        for n in range(30):
            s.add(
                Charger(
                    charge_point_id=f"CP-LIST-{n:02d}",
                    ocpp_version="1.6",
                    local_list_version=n + 1,
                    local_list_synced_version=n + 1 if n % 2 else None,
                    local_list_status="Accepted" if n % 2 else "Failed",
                )
            )
    first = operator.get("/console/cards?q=confluence").get_data(as_text=True)
    assert first.count('data-list="CP-LIST-') == 25 and "Page 1 of 2 (30)" in first
    assert "lists_page=2" in first and "q=confluence" in first.split("lists_page=2")[0][-300:]
    second = operator.get("/console/cards?q=confluence&lists_page=2").get_data(as_text=True)
    assert second.count('data-list="CP-LIST-') == 5 and 'data-list="CP-LIST-29"' in second
    assert "RFID-CONFLUENCE-0001" in second  # the cards list keeps its own search and page
    lagging = operator.get("/console/cards?lists=lagging").get_data(as_text=True)
    assert lagging.count('data-list="CP-LIST-') == 15
    assert "Failed" in _row(lagging, "CP-LIST-00")
