"""The citizen site's catalogues: extracted from the sources, fully translated, compiled.

So a later change cannot ship an untranslated string unnoticed: a new `_()` or `N_()` without
re-extraction, a French or German entry left empty or fuzzy, a placeholder lost in translation
or a .mo not recompiled after a .po change each fail here.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
CATALOGUES = ROOT / "booking" / "translations"
LANGUAGES = ("fr", "de")


def _catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _extracted(*folders: str) -> set[str | tuple[str, ...]]:
    """Msgids in the sources of `folders`, as `pybabel extract -F babel.cfg` finds them."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: set[str | tuple[str, ...]] = set()
    for folder in folders:
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / folder), method_map, options_map
        ):
            found.add(message[:2] if isinstance(message, tuple) else message)
    return found


def _ids(catalogue: Catalog) -> set[str | tuple[str, ...]]:
    return {m.id[:2] if isinstance(m.id, tuple) else m.id for m in catalogue if m.id}


@pytest.fixture(scope="module")
def template() -> Catalog:
    return _catalogue(CATALOGUES / "messages.pot")


def test_the_template_holds_every_message_of_the_sources(template):
    # pybabel extract -F babel.cfg -o booking/translations/messages.pot booking console
    extracted = _extracted("booking", "console")
    assert extracted - _ids(template) == set(), "run pybabel extract, update, translate"
    assert _ids(template) - extracted == set(), "the template has messages no source uses"


def test_core_messages_shown_on_pages_are_in_the_template(template):
    # mobility and billing are not extracted; booking/catalogue.py repeats what pages show.
    missing = _extracted("mobility", "billing") - _ids(template)
    assert missing == set(), "add these to booking/catalogue.py"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_has_a_checked_translation(template, lang):
    po = _catalogue(CATALOGUES / lang / "LC_MESSAGES" / "messages.po", lang)
    assert _ids(template) <= _ids(po), "run pybabel update -i messages.pot -d translations"
    problems = []
    for message in po:
        if not message.id or message.id not in template:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(form.strip() for form in forms):
            problems.append(f"untranslated: {message.id!r}")
        # Placeholders and plural forms (babel's checkers: python-format, num_plurals).
        problems += [f"{message.id!r}: {error}" for error in message.check(po)]
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogues_match_their_sources(lang):
    folder = CATALOGUES / lang / "LC_MESSAGES"
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue(folder / "messages.po", lang))  # as pybabel compile does
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with (folder / "messages.mo").open("rb") as f:
        committed = gettext.GNUTranslations(f)
    assert committed._catalog == fresh._catalog, "run pybabel compile -d booking/translations"  # type: ignore[attr-defined]
