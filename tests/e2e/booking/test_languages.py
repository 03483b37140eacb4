"""The citizen site speaks French, German and English: from the browser, or as switched."""

from __future__ import annotations


def test_browser_language_chooses_the_page_language(client):
    page = client.get("/", headers={"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"})
    body = page.get_data(as_text=True)
    assert '<html lang="de">' in body
    assert "Fahrzeug finden" in body


def test_unknown_browser_language_falls_back_to_english(client):
    body = client.get("/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert '<html lang="en">' in body
    assert "Find a vehicle" in body


def test_switching_language_sticks_and_returns_to_the_page(client):
    r = client.get("/language/fr?next=/search", headers={"Accept-Language": "de"})
    assert r.status_code == 302
    assert r.headers["Location"].endswith("/search")
    body = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="fr">' in body
    assert "Trouver un véhicule" in body


def test_switch_never_redirects_off_site(client):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        r = client.get("/language/de", query_string={"next": target})
        assert r.headers["Location"] in ("/", "http://localhost/")


def test_unknown_language_code_changes_nothing(client):
    client.get("/language/xx")
    body = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in body
