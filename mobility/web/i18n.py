"""Languages and formats of the web pages: the visitor's choice, else their account's, else
the browser's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from babel.numbers import format_currency as babel_currency
from babel.numbers import format_percent
from flask import Flask, current_app, g, redirect, request, session
from flask_babel import Babel, format_currency, format_decimal, get_locale, gettext, refresh
from sqlalchemy import update
from werkzeug.wrappers import Response

from mobility.errors import DomainError, Message
from mobility.locales import DEFAULT_LANGUAGE, LANGUAGES, moment, supported
from mobility.models import User
from mobility.money import Money, to_major, unit_amount
from mobility.web.context import web_context

SESSION_KEY = "lang"


def _signed_in() -> User | None:
    """The user of this browser session, as loaded before the request (no query here).

    API calls with a bearer token are left out: an app sends its device's language with
    every call, and an error page must not need the database to pick its language.
    """
    if g.get("via_token"):
        return None
    user: User | None = g.get("user")
    return user


def select_locale() -> str:
    """The language switched to this session, else the account's, else the browser's."""
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return str(chosen)
    user = _signed_in()
    if user is not None and supported(user.locale):
        return str(user.locale)
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def choose_language(code: str) -> bool:
    """Switch this session to `code`, kept as the account's language too (mails follow it).

    False, and nothing changes, for a language the site does not speak.
    """
    if not supported(code):
        return False
    session[SESSION_KEY] = code
    user = _signed_in()
    if user is not None and user.locale != code:
        with web_context().db.transaction() as s:
            s.execute(update(User).where(User.id == user.id).values(locale=code))
    refresh()  # what this request translates from now on is in the new language
    return True


def language() -> str:
    """The current page's language code."""
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def money(minor: int, currency: str) -> str:
    """Integer minor units as money in the page's locale ('12,50 €' in French)."""
    return str(format_currency(to_major(minor, currency), currency))


def unit_price(amount: Decimal, currency: str) -> str:
    """A price per unit in the page's locale with the digits it has ('0,125 €', '0,36 €')."""
    value = unit_amount(amount, currency)
    shown = babel_currency(value, currency, locale=get_locale(), decimal_quantization=False)
    return str(shown)


def number(value: Decimal | float | int, digits: int | None = None) -> str:
    """A number in the page's locale, never in scientific notation (Decimal('1E+1') -> '10')."""
    if digits is not None:
        return str(format_decimal(value, format=f"#,##0.{'0' * digits}" if digits else "#,##0"))
    return str(format_decimal(value))


def percent(value: Decimal | int) -> str:
    """A percentage given in percent (20 -> '20 %' in French), its decimals kept (5.5 %)."""
    return str(
        format_percent(Decimal(value) / 100, locale=get_locale(), decimal_quantization=False)
    )


def local_time(value: datetime | None, tz: str | None = None, style: str = "short") -> str:
    """A moment in the hub's (else the platform's) timezone, formatted for the page's locale.

    `style` is a CLDR width (short, medium, long, full) or one of mobility.locales.SKELETONS.
    """
    if value is None:
        return ""
    zone = ZoneInfo(tz or current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment(value, zone, get_locale(), style)


def _shown(value: Any) -> Any:
    """A message's value as the page shows it: money and numbers in the page's locale."""
    if isinstance(value, Money):
        return money(value.minor, value.currency)
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        return number(value)
    return value


def translated(message: Message | str) -> str:
    """A message in the page's language (its English template when the catalogue lacks it)."""
    if isinstance(message, str):
        return str(gettext(message))
    if not message.params:
        return str(gettext(message.template))
    values = {k: _shown(v) for k, v in message.params.items()}
    return str(gettext(message.template, **values))


def error_text(exc: DomainError) -> str:
    """A domain error's message as a page shows it."""
    return translated(exc.text)


def _switch(code: str) -> Response:
    """Remember the visitor's language and go back to the page they were on."""
    choose_language(code)
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
            "percent": percent,
            "local_time": local_time,
            "translated": translated,
            "lang": language(),
            "languages": LANGUAGES,
        }

    app.add_url_rule("/language/<code>", "language", _switch, methods=["GET"])
