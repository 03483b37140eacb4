"""Command line: `mobility db upgrade`, `mobility demo`, `mobility run`, and the separate parts."""

from __future__ import annotations

import errno
import logging
import sys
import time

import click
from sqlalchemy.exc import OperationalError

from mobility.config import Settings, load_settings
from mobility.errors import ConfigError


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(None, **{k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        raise click.ClickException(f"Invalid configuration: {exc}") from None


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
def main(verbose: bool) -> None:
    """E-mobility sharing and charging platform."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        # One line per connection event from us; frames (the ocpp library logs each one) and
        # websocket handshakes only with -v.
        for noisy in ("alembic", "ocpp", "websockets"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    from mobility import migrations
    from mobility.db import Database

    database = Database(_settings())
    migrations.upgrade(database.engine, revision)
    database.dispose()
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.option("--revision", required=True, help="Revision to go back to ('base' drops all).")
@click.option("--yes", is_flag=True, help="Confirm dropping every table (with 'base').")
def db_downgrade(revision: str, yes: bool) -> None:
    """Revert migrations down to REVISION (data in dropped tables is lost)."""
    from mobility import migrations
    from mobility.db import Database

    if revision == "base" and not yes:
        raise click.ClickException("'--revision base' drops every table; add --yes to confirm.")
    database = Database(_settings())
    migrations.downgrade(database.engine, revision)
    database.dispose()
    click.echo(f"database at {revision}")


@main.command()
def demo() -> None:
    """Migrate and seed the demo district (safe to run again)."""
    from mobility import migrations
    from mobility.db import Database
    from mobility.demo import DEMO_PASSWORD, seed_demo, seed_smart_charging

    database = Database(_settings())
    migrations.upgrade(database.engine)
    summary = seed_demo(database)
    seed_smart_charging(database)
    database.dispose()
    click.echo(
        f"demo district ready: {summary.hubs} hubs, {summary.vehicles} vehicles, "
        f"{summary.chargers} chargers; log in as citizen@example.org / {DEMO_PASSWORD}"
    )


def _serve(web: bool, ocpp: bool, scheduler: bool, **overrides: object) -> None:
    from mobility.app import Platform, serve_forever

    settings = _settings(**overrides)
    serve_forever(Platform(settings, web=web, ocpp=ocpp, scheduler=scheduler))


_web_port = click.option("--web-port", type=int, default=None, help="Web port (WEB_PORT).")
_ocpp_port = click.option("--ocpp-port", type=int, default=None, help="OCPP port (OCPP_PORT).")


@main.command()
@_web_port
@_ocpp_port
@click.option(
    "--demo/--no-demo",
    "with_demo",
    default=False,
    help="Seed the demo district (demo logins and chargers with public passwords).",
)
def run(web_port: int | None, ocpp_port: int | None, with_demo: bool) -> None:
    """Everything in one process: OCPP server + web + scheduler."""
    from mobility import migrations
    from mobility.db import Database
    from mobility.demo import seed_demo, seed_smart_charging

    settings = _settings(web_port=web_port, ocpp_port=ocpp_port)
    database = Database(settings)
    migrations.upgrade(database.engine)
    if with_demo:
        seed_demo(database)
        seed_smart_charging(database)
    database.dispose()
    click.echo(
        f"web: http://{settings.web_host}:{settings.web_port}/  "
        f"OCPP: ws://{settings.ocpp_host}:{settings.ocpp_port}/ocpp/<charge_point_id>"
    )
    _serve(True, True, settings.run_scheduler, web_port=web_port, ocpp_port=ocpp_port)


@main.command()
@_ocpp_port
def ocpp(ocpp_port: int | None) -> None:
    """Only the OCPP websocket server (one node)."""
    _serve(False, True, False, ocpp_port=ocpp_port)


@main.command()
@_web_port
def web(web_port: int | None) -> None:
    """Only the web app (waitress; or any WSGI server on 'mobility.wsgi:app')."""
    _serve(True, False, False, web_port=web_port)


@main.command()
def scheduler() -> None:
    """Only the scheduler (run exactly one per deployment)."""
    _serve(False, False, True)


@main.group()
def jobs() -> None:
    """Periodic jobs."""


@jobs.command("run-once")
def jobs_run_once() -> None:
    """Run every periodic job once now."""
    from mobility.app import all_jobs, build_core
    from mobility.scheduler import run_all_once

    core = build_core(_settings())
    started = time.monotonic()
    ran = run_all_once(all_jobs(core))
    click.echo(f"ran {len(ran)} jobs in {time.monotonic() - started:.2f}s")


@main.group()
def ocpi() -> None:
    """OCPI roaming partners."""


@ocpi.command("add-partner")
@click.argument("name")
def ocpi_add_partner(name: str) -> None:
    """Issue a credentials token A for a new partner (give it to them with our versions URL)."""
    from mobility.app import build_core

    settings = _settings()
    core = build_core(settings)
    token = core.roaming.partners.issue(name)
    core.outbox.close()
    core.db.dispose()
    click.echo(f"token A: {token}")
    click.echo(f"versions URL: {settings.base_url}/ocpi/versions")


def entry() -> None:
    """Console entry point: expected failures are one clear line, not a traceback."""
    try:
        main(standalone_mode=True)
    except OperationalError as exc:
        _fail(f"The database is unreachable: {_first_line(exc.orig or exc)}")
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            _fail(f"A port is already in use ({exc.strerror}); set WEB_PORT / OCPP_PORT.")
        _fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))


def _first_line(exc: object) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    entry()
