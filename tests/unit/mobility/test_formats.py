"""Numbers, money, percentages, times and messages as pages show them, per language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask import Flask

from booking.web import TRANSLATIONS
from mobility.errors import N_, ValidationFailed
from mobility.money import Money, plain, unit_amount
from mobility.web.i18n import (
    error_text,
    init_i18n,
    local_time,
    money,
    number,
    percent,
    translated,
)

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture(scope="module")
def app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "test"
    init_i18n(app, [TRANSLATIONS], "Europe/Paris")
    return app


@contextmanager
def reading(app: Flask, lang: str) -> Iterator[None]:
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        yield


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2E+1", "20"),
        ("1E+1", "10"),
        ("20.00", "20"),
        ("0.50", "0.5"),
        ("0.0001", "0.0001"),
        ("1E-7", "0.0000001"),
        ("-0.0", "0"),
        ("-3.20", "-3.2"),
        ("1234567.891", "1234567.891"),
    ],
)
def test_plain_decimals_never_show_an_exponent(value, shown):
    assert plain(Decimal(value)) == shown


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        ("0.15", "EUR", "0.15"),
        ("1.2000", "EUR", "1.20"),
        ("24.0000", "EUR", "24.00"),
        ("2E+1", "EUR", "20.00"),
        ("0.125", "EUR", "0.125"),
        ("0.0016666666666666666666666667", "EUR", "0.0017"),
        ("0.10", "JPY", "0.1"),
        ("2E+1", "JPY", "20"),
        ("1.5", "KWD", "1.500"),
    ],
)
def test_unit_prices_keep_up_to_four_decimals_and_the_currency_s_own(value, currency, shown):
    assert f"{unit_amount(Decimal(value), currency):f}" == shown


def test_numbers_per_locale_without_exponent(app):
    with reading(app, "en"):
        assert number(Decimal("1E+1")) == "10"
        assert number(Decimal("1234.5")) == "1,234.5"
        assert number(Decimal("0.25")) == "0.25"
        assert number(Decimal("2E+1"), digits=2) == "20.00"
    with reading(app, "fr"):
        assert number(Decimal("1E+1")) == "10"
        assert number(Decimal("1234.5")) == f"1{NNBSP}234,5"
    with reading(app, "de"):
        assert number(Decimal("1234.5")) == "1.234,5"


def test_percentages_and_money_per_locale(app):
    with reading(app, "en"):
        assert percent(Decimal("2E+1")) == "20%"
        assert percent(Decimal("5.50")) == "5.5%"
        assert money(1250, "EUR") == "€12.50"
    with reading(app, "fr"):
        assert percent(Decimal("2E+1")) == f"20{NBSP}%"
        assert money(1250, "EUR") == f"12,50{NBSP}€"
    with reading(app, "de"):
        assert percent(Decimal("19.6")) == f"19,6{NBSP}%"
        assert money(123456, "EUR") == f"1.234,56{NBSP}€"


def test_times_in_the_given_zone_spelt_per_locale(app):
    moment = datetime(2026, 11, 27, 16, 21, tzinfo=UTC)
    with reading(app, "en"):
        assert local_time(moment, "Europe/Paris", "datetime") == "Fri, Nov 27, 2026, 17:21"
        assert local_time(moment, "Europe/London", "time") == "16:21"
        assert local_time(moment, None, "time") == "17:21"  # the platform's zone
        assert local_time(moment, "Europe/Vienna", "month") == "November 2026"
        assert local_time(None) == ""
    with reading(app, "fr"):
        assert local_time(moment, "Europe/Paris", "datetime") == "ven. 27 nov. 2026, 17:21"
        assert local_time(moment, "Europe/Paris") == "27/11/2026 17:21"  # CLDR short
    with reading(app, "de"):
        assert local_time(moment, "Europe/Berlin", "datetime") == "Fr., 27. Nov. 2026, 17:21"


def test_messages_are_translated_with_their_values_formatted(app):
    message = N_("%(km)s km cannot be covered in this trip's time.", km=Decimal("1E+1"))
    assert str(message) == "10 km cannot be covered in this trip's time."  # API, logs
    limit = N_(
        "This booking (%(amount)s) would exceed your monthly company limit of %(limit)s;"
        " %(left)s left.",
        amount=Money(1240, "EUR"),
        limit=Money(30000, "EUR"),
        left=Money(810, "EUR"),
    )
    with reading(app, "fr"):
        assert (
            translated(message) == "10 km ne peuvent pas être parcourus dans la durée de ce trajet."
        )
        assert f"(12,40{NBSP}€)" in translated(limit)
        assert f"il reste 8,10{NBSP}€" in translated(limit)
    with reading(app, "de"):
        error = ValidationFailed(N_("The end must be after the start."), field="end")
        assert error_text(error) == "Das Ende muss nach dem Beginn liegen."
        assert error.message == "The end must be after the start."
    with reading(app, "en"):
        assert translated(N_("Not in any catalogue, %(n)s.", n=3)) == "Not in any catalogue, 3."
