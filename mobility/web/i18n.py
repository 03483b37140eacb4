"""Languages and formats of the web pages: the visitor's choice, else the browser's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from babel.numbers import format_currency as babel_currency
from flask import Flask, redirect, request, session
from flask_babel import Babel, format_currency, format_datetime, format_decimal, get_locale
from werkzeug.wrappers import Response

from mobility.money import exponent, to_major

# Lyon, Munich, Vienna: French, German, and English for everyone else.
LANGUAGES = ("en", "fr", "de")
DEFAULT_LANGUAGE = "en"
SESSION_KEY = "lang"


def select_locale() -> str:
    """The language chosen on the site, else the browser's best match, else English."""
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def language() -> str:
    """The current page's language code."""
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def money(minor: int, currency: str) -> str:
    """Integer minor units as money in the page's locale ('12,50 €' in French)."""
    return str(format_currency(to_major(minor, currency), currency))


# A unit price shows up to 4 decimals (0.125 EUR/kWh), never fewer than the currency's own.
_UNIT_PLACES = Decimal("0.0001")


def unit_price(amount: Decimal, currency: str) -> str:
    """A price per unit in the page's locale with the digits it has ('0,125 €', '0,36 €')."""
    value = amount.quantize(_UNIT_PLACES).normalize()
    places = exponent(currency)
    if -value.as_tuple().exponent < places:  # type: ignore[operator]
        value = value.quantize(Decimal(1).scaleb(-places))
    shown = babel_currency(value, currency, locale=get_locale(), decimal_quantization=False)
    return str(shown)


def number(value: Decimal | float | int, digits: int | None = None) -> str:
    """A number in the page's locale, never in scientific notation (Decimal('1E+1') -> '10')."""
    if digits is not None:
        return str(format_decimal(value, format=f"#,##0.{'0' * digits}" if digits else "#,##0"))
    return str(format_decimal(value))


def local_time(value: datetime | None, tz: str | None = None, style: str = "short") -> str:
    """A moment in the hub's (or platform's) timezone, formatted for the page's locale."""
    if value is None:
        return ""
    zone = ZoneInfo(tz) if tz else None
    shown = value.astimezone(zone) if zone else value
    # The value is already local: rebase=False, or flask-babel takes the naive value for UTC
    # and shifts it into the app's default zone a second time (an hour off in Paris).
    return str(format_datetime(shown.replace(tzinfo=None), style, rebase=False))


def _switch(code: str) -> Response:
    """Remember the visitor's language and go back to the page they were on."""
    if code in LANGUAGES:
        session[SESSION_KEY] = code
    target = request.args.get("next") or "/"
    parts = urlparse(target)
    # Only same-site paths: never an open redirect.
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = "/"
    return redirect(target)


def init_i18n(app: Flask, translation_dirs: Sequence[str], timezone: str) -> None:
    """Install Babel, the format helpers for templates and the language switch."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_dirs)
    app.config["BABEL_DEFAULT_TIMEZONE"] = timezone
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def _formats() -> dict[str, Any]:
        return {
            "money": money,
            "unit_price": unit_price,
            "number": number,
            "local_time": local_time,
            "lang": language(),
            "languages": LANGUAGES,
        }

    app.add_url_rule("/language/<code>", "language", _switch, methods=["GET"])
