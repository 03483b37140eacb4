"""The feeds' own wording in every language they publish (GBFS Localized String). Pure."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_currency, format_decimal

from mobility.errors import ConfigError

Localized = list[dict[str, str]]

TEXTS: dict[str, dict[str, str]] = {
    "ebike": {"en": "E-bike", "fr": "Vélo à assistance électrique", "de": "E-Bike"},
    "ecar": {"en": "Electric car", "fr": "Voiture électrique", "de": "Elektroauto"},
    "hub_closed": {
        "en": "The {hub} hub is closed: no rentals or returns there for now.",
        "fr": "Le hub {hub} est fermé : ni location ni retour pour le moment.",
        "de": "Der Hub {hub} ist geschlossen: derzeit keine Ausleihe oder Rückgabe.",
    },
    "maintenance_ebike": {
        "en": "The e-bikes at {hub} are being serviced.",
        "fr": "Les vélos électriques de {hub} sont en maintenance.",
        "de": "Die E-Bikes am Hub {hub} werden gewartet.",
    },
    "maintenance_ecar": {
        "en": "The electric cars at {hub} are being serviced.",
        "fr": "Les voitures électriques de {hub} sont en maintenance.",
        "de": "Die Elektroautos am Hub {hub} werden gewartet.",
    },
    "return_zone": {
        "en": "Return area of {hub}",
        "fr": "Zone de retour {hub}",
        "de": "Rückgabebereich {hub}",
    },
    "incl_vat": {
        "en": "Prices include VAT.",
        "fr": "Prix TTC.",
        "de": "Preise inkl. MwSt.",
    },
    "base": {
        "en": "{price} per rental.",
        "fr": "{price} par location.",
        "de": "{price} pro Ausleihe.",
    },
    "per_min_1": {
        "en": "{rate} per minute{span}.",
        "fr": "{rate} par minute{span}.",
        "de": "{rate} pro Minute{span}.",
    },
    "per_min_n": {
        "en": "{rate} per {interval} minutes{span}.",
        "fr": "{rate} par tranche de {interval} minutes{span}.",
        "de": "{rate} je {interval} Minuten{span}.",
    },
    "once_min": {
        "en": "{rate} once at minute {start}.",
        "fr": "{rate} une fois à la minute {start}.",
        "de": "{rate} einmalig ab Minute {start}.",
    },
    "per_km_1": {
        "en": "{rate} per kilometre.",
        "fr": "{rate} par kilomètre.",
        "de": "{rate} pro Kilometer.",
    },
    "per_km_n": {
        "en": "{rate} per {interval} kilometres.",
        "fr": "{rate} par tranche de {interval} kilomètres.",
        "de": "{rate} je {interval} Kilometer.",
    },
    "from_min": {
        "en": " from minute {n}",
        "fr": " à partir de la minute {n}",
        "de": " ab Minute {n}",
    },
    "until_min": {
        "en": " until minute {n}",
        "fr": " jusqu'à la minute {n}",
        "de": " bis Minute {n}",
    },
    "time_step": {
        "en": "Time is billed in steps of {seconds} s.",
        "fr": "Le temps est facturé par pas de {seconds} s.",
        "de": "Die Zeit wird in Schritten von {seconds} s abgerechnet.",
    },
    "distance_step": {
        "en": "Distance is billed in steps of {metres} m.",
        "fr": "La distance est facturée par pas de {metres} m.",
        "de": "Die Strecke wird in Schritten von {metres} m abgerechnet.",
    },
    "conditional": {
        "en": "Other prices apply at some times or under some conditions.",
        "fr": "D'autres prix s'appliquent à certains moments ou sous certaines conditions.",
        "de": "Zu bestimmten Zeiten oder Bedingungen gelten andere Preise.",
    },
    "min_price": {
        "en": "Minimum price {price}.",
        "fr": "Prix minimum {price}.",
        "de": "Mindestpreis {price}.",
    },
    "max_price": {
        "en": "Maximum price {price}.",
        "fr": "Prix maximum {price}.",
        "de": "Höchstpreis {price}.",
    },
    "daily_cap": {
        "en": "At most {price} per calendar day.",
        "fr": "Au plus {price} par jour calendaire.",
        "de": "Höchstens {price} pro Kalendertag.",
    },
    "free": {"en": "Free of charge.", "fr": "Gratuit.", "de": "Kostenlos."},
}

SUPPORTED = ("en", "fr", "de")


def languages(setting: str) -> tuple[str, ...]:
    """The GBFS_LANGUAGES setting as a tuple; every language needs our wording in it."""
    found = tuple(x.strip() for x in setting.split(",") if x.strip())
    unknown = [x for x in found if x not in SUPPORTED]
    if not found or unknown:
        raise ConfigError(f"GBFS_LANGUAGES must list some of {', '.join(SUPPORTED)}")
    return found


def text(key: str, lang: str, **values: Any) -> str:
    """One of our sentences in one language."""
    return TEXTS[key][lang].format(**values)


def localized(key: str, langs: tuple[str, ...], **values: Any) -> Localized:
    """One of our sentences in every published language."""
    return [{"text": text(key, lang, **values), "language": lang} for lang in langs]


def same(value: str, langs: tuple[str, ...]) -> Localized:
    """A proper name (a hub's, the system's): the same text in every language."""
    return [{"text": value, "language": lang} for lang in langs]


def money(amount: Decimal, currency: str, lang: str) -> str:
    """An amount in the language's format; sub-cent rates keep their digits."""
    return format_currency(amount, currency, locale=lang, decimal_quantization=False)


def number(value: Decimal | int, lang: str) -> str:
    """A number in the language's format."""
    return format_decimal(value, locale=lang)
