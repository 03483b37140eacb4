"""Mails in their recipient's language, rendered when they are sent.

A use case records which letter goes to whom, in which language and with which values
(`letter_intent`, an outbox intent of the mail kind). The mail handler renders it after commit,
on an outbox worker or in the retry job: there is no request there, and maybe no web app. So a
letter is written against a `Writer`, Babel's catalogue and formats for one locale given
explicitly (what Flask-Babel's force_locale does for a page), with times in the zone the letter
names (a hub's) or the platform's.
"""

from __future__ import annotations

import gettext
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.support import Translations

from mobility.locales import language_of, moment
from mobility.mail import Mailer

Values = Mapping[str, Any]


def letter_intent(to: str, letter: str, locale: str, **values: Any) -> dict[str, Any]:
    """The payload of a mail rendered when it is sent (values are JSON: times as ISO text)."""
    return {"to": to, "letter": letter, "locale": locale, "values": values}


class Writer:
    """One letter's language: its catalogue, and moments spelt its way in a given zone."""

    def __init__(self, translations: gettext.NullTranslations, locale: str, timezone: str):
        self._translations, self.locale, self.timezone = translations, locale, timezone

    def gettext(self, text: str, **values: Any) -> str:
        """`text` translated, its %(name)s placeholders filled (as Flask-Babel's gettext)."""
        found = self._translations.gettext(text)
        return found % values if values else found

    def moment(self, iso: str, tz: str | None = None, style: str = "datetime") -> str:
        """An ISO moment in zone `tz` (else the platform's), spelt for the letter's locale."""
        zone = ZoneInfo(tz or self.timezone)
        return moment(datetime.fromisoformat(iso), zone, self.locale, style)


@dataclass(frozen=True)
class Mail:
    """A rendered letter: its subject and the paragraphs of its plain-text body."""

    subject: str
    paragraphs: Sequence[str]

    @property
    def body(self) -> str:
        """The paragraphs, a blank line apart (mail programs wrap long lines themselves)."""
        return "\n\n".join(self.paragraphs)


Letter = Callable[[Writer, Values], Mail]


class Letters:
    """The platform's letters and catalogues: renders and sends recorded mail intents."""

    def __init__(
        self, letters: Mapping[str, Letter], translation_dirs: Sequence[str], timezone: str
    ) -> None:
        self._letters, self._dirs, self.timezone = dict(letters), list(translation_dirs), timezone
        self._catalogues: dict[str, gettext.NullTranslations] = {}
        self._lock = threading.Lock()

    def writer(self, locale: str | None) -> Writer:
        """A writer for `locale` (English for a language the platform does not speak)."""
        code = language_of(locale)
        return Writer(self._catalogue(code), code, self.timezone)

    def _catalogue(self, code: str) -> gettext.NullTranslations:
        with self._lock:
            if code not in self._catalogues:
                self._catalogues[code] = self._load(code)
            return self._catalogues[code]

    def _load(self, code: str) -> gettext.NullTranslations:
        found: Translations | None = None
        for folder in self._dirs:
            loaded = Translations.load(folder, [code])
            if not isinstance(loaded, Translations):
                continue  # no catalogue for this language here (English is the source)
            if found is None:
                found = loaded
            else:
                found.merge(loaded)
        return found if found is not None else gettext.NullTranslations()

    def render(self, letter: str, locale: str | None, values: Values) -> Mail:
        """The letter `letter` in `locale` with `values`."""
        write = self._letters.get(letter)
        if write is None:
            raise LookupError(f"no letter named {letter!r}")
        return write(self.writer(locale), values)

    def sender(self, mailer: Mailer) -> Callable[[dict[str, Any]], None]:
        """The mail intents' handler: a letter is rendered now, a written mail sent as is."""

        def send(payload: dict[str, Any]) -> None:
            if "letter" in payload:
                mail = self.render(payload["letter"], payload.get("locale"), payload["values"])
                mailer.send(payload["to"], mail.subject, mail.body)
            else:
                mailer.send(payload["to"], payload["subject"], payload["body"])

        return send
