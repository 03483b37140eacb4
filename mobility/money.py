"""Money helpers: integer minor units per currency (ISO 4217 exponent), VAT, display.

Amounts are integer minor units plus a currency code everywhere in the platform; Decimal is
used for prices per unit. The exponent comes from CLDR (via Babel), never a literal 100.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import NamedTuple

from babel.numbers import UnknownCurrencyError, get_currency_precision

_ONE = Decimal(1)


@cache
def exponent(currency: str) -> int:
    """Digits after the decimal point of the currency's minor unit (EUR 2, JPY 0, KWD 3)."""
    code = currency.upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"not an ISO 4217 currency code: {currency!r}")
    try:
        return int(get_currency_precision(code))
    except UnknownCurrencyError:
        raise ValueError(f"unknown currency {currency!r}") from None


@cache
def _scale(currency: str) -> Decimal:
    return Decimal(10) ** exponent(currency)


def to_minor(amount: Decimal, currency: str) -> int:
    """Round a major-unit amount half-up (away from zero) to integer minor units."""
    return int((amount * _scale(currency)).quantize(_ONE, rounding=ROUND_HALF_UP))


def to_major(amount_minor: int, currency: str) -> Decimal:
    """Minor units as an exact major-unit Decimal (e.g. 1234 EUR -> 12.34)."""
    return Decimal(amount_minor).scaleb(-exponent(currency))


# A price per unit shows up to 4 decimals (0.125 EUR/kWh), never fewer than the currency's own.
_UNIT_PLACES = Decimal("0.0001")


def unit_amount(amount: Decimal, currency: str) -> Decimal:
    """A price per unit as shown: up to 4 decimals, at least the currency's (0.125, 0.18, 24.00)."""
    value = amount.quantize(_UNIT_PLACES).normalize()
    places = exponent(currency)
    if -value.as_tuple().exponent < places:  # type: ignore[operator]
        value = value.quantize(Decimal(1).scaleb(-places))
    return value


def vat_of(amount_minor: int, vat_percent: Decimal) -> int:
    """VAT on a rounded net amount, half-up (negative amounts mirror positive ones)."""
    sign = -1 if amount_minor < 0 else 1
    vat = (Decimal(abs(amount_minor)) * vat_percent / 100).quantize(_ONE, ROUND_HALF_UP)
    return sign * int(vat)


def split_gross(gross_minor: int, vat_percent: Decimal) -> tuple[int, int]:
    """A VAT-inclusive amount as (net, vat) in minor units; net + vat == gross exactly."""
    net = int((Decimal(gross_minor) * 100 / (100 + vat_percent)).quantize(_ONE, ROUND_HALF_UP))
    return net, gross_minor - net


def format_minor(amount_minor: int, currency: str) -> str:
    """Plain '12.34 EUR' (locale-neutral; pages format with the reader's locale)."""
    exp = exponent(currency)
    sign = "-" if amount_minor < 0 else ""
    whole, frac = divmod(abs(amount_minor), 10**exp)
    return f"{sign}{whole}.{frac:0{exp}d} {currency}" if exp else f"{sign}{whole} {currency}"


class Money(NamedTuple):
    """An amount in integer minor units of a currency (e.g. a value inside a message)."""

    minor: int
    currency: str

    def __str__(self) -> str:
        return format_minor(self.minor, self.currency)


def plain(value: Decimal) -> str:
    """A Decimal as plain digits, without exponent or trailing zeros: 2E+1 -> '20', 0.50 -> '0.5'.

    str() and normalize() give '2E+1' for twenty; pages in a locale use their number helper.
    """
    if not value.is_finite():
        return str(value)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
