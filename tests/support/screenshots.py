"""Photograph the citizen and fleet pages (bin/screenshots): phone and desktop, en, fr and de.

Seeds the demo district with some activity in a throwaway SQLite database, serves the app on a
free local port and walks the site tour in headless Debian Chromium (tests/support/site_tour.py).
Every page is photographed in English at both sizes; the main pages in French and German too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from mobility import migrations
from mobility.app import create_app
from mobility.config import load_settings
from mobility.db import Database
from mobility.mail import LogMailer
from tests.support.browser import ARGS, CHROMIUM, served
from tests.support.site_tour import DESKTOP, PHONE, Stop, seed_activity, stops, tour

SIZES = {"phone": PHONE, "desktop": DESKTOP}
LANGUAGES = {"en": "en-GB", "fr": "fr-FR", "de": "de-DE"}


def _wanted(stop: Stop, lang: str, everything_in: tuple[str, ...], only: tuple[str, ...]) -> bool:
    if only:
        return stop.name in only
    return stop.main or lang in everything_in


def photograph(
    folder: Path, everything_in: tuple[str, ...] = ("en",), only: tuple[str, ...] = ()
) -> list[Path]:
    """Write the PNGs into `folder`: all pages in `everything_in`, the main pages otherwise
    (or just the pages named in `only`, in every language)."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({}, database_url=f"sqlite:///{tmp}/demo.sqlite")
        db = Database(settings)
        migrations.upgrade(db.engine)
        app = create_app(settings, db=db, mailer=LogMailer())
        activity = seed_activity(app)
        with served(app) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for size, viewport in SIZES.items():
                for lang, locale in LANGUAGES.items():
                    chosen = [s for s in stops(activity) if _wanted(s, lang, everything_in, only)]
                    for stop, page in tour(browser, base, chosen, viewport, locale):
                        path = folder / f"{stop.name}-{lang}-{size}.png"
                        page.screenshot(path=str(path), full_page=True)
                        written.append(path)
            browser.close()
        db.dispose()
    return written


def main(argv: list[str] | None = None) -> int:
    """bin/screenshots [FOLDER] [--all-languages]"""
    parser = argparse.ArgumentParser(prog="bin/screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="docs/screenshots", type=Path)
    parser.add_argument(
        "--all-languages",
        action="store_true",
        help="every page in fr and de too, not only the main ones",
    )
    parser.add_argument("--only", default="", help="comma-separated page names, e.g. home,receipt")
    args = parser.parse_args(argv)
    everything = tuple(LANGUAGES) if args.all_languages else ("en",)
    only = tuple(name for name in args.only.split(",") if name)
    written = photograph(args.folder, everything, only)
    print(f"{len(written)} screenshots in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
