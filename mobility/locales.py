"""The platform's languages and the locale-explicit formats that pages and mails share.

Pages take their locale from the request (Flask-Babel); mails are rendered after commit, with
no request, in their recipient's language: both spell moments with `moment` below.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from babel import Locale, dates


class Language(StrEnum):
    """A language the citizen site and its mails are written in (Lyon, Munich, Vienna)."""

    EN = "en"
    FR = "fr"
    DE = "de"


LANGUAGES: tuple[str, ...] = tuple(language.value for language in Language)
DEFAULT_LANGUAGE = Language.EN.value


def supported(code: str | None) -> str | None:
    """`code` if the platform speaks it, else None."""
    return code if code in LANGUAGES else None


def language_of(*choices: str | None) -> str:
    """The first supported language among `choices` (best first), else English."""
    for code in choices:
        if supported(code):
            return str(code)
    return DEFAULT_LANGUAGE


# CLDR skeletons: each locale orders and spells them its own way ('Fri, Nov 27, 2026, 17:21',
# 'ven. 27 nov. 2026, 17:21', 'Fr., 27. Nov. 2026, 17:21'); a 24-hour clock in all three.
SKELETONS = {
    "datetime": ("yMMMEd", "Hm"),
    "date": ("yMMMEd", None),
    "time": (None, "Hm"),
    "month": ("yMMMM", None),
}


def moment(value: datetime, zone: ZoneInfo, locale: Locale | str | None, style: str) -> str:
    """A moment in `zone`, spelt for `locale`.

    `style` is a CLDR width (short, medium, long, full) or one of SKELETONS.
    """
    shown = value.astimezone(zone)
    if style not in SKELETONS:
        # The value is aware and already in its zone: babel formats it as it is.
        return str(dates.format_datetime(shown, style, locale=locale))
    day, clock = SKELETONS[style]
    date_text = dates.format_skeleton(day, shown, locale=locale) if day else ""
    time_text = dates.format_skeleton(clock, shown, locale=locale) if clock else ""
    if not (date_text and time_text):
        return str(date_text or time_text)
    pattern = str(dates.get_datetime_format("medium", locale=locale))
    return pattern.replace("{1}", date_text).replace("{0}", time_text)
