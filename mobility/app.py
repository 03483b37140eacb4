"""Composition root: runs the OCPP server, the web app and the scheduler, together or apart."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

import billing.jobs
import booking.jobs
import energy.jobs
import ocpp_server.jobs
import ocpp_server.security_jobs
import roaming.jobs
from billing import payments, webhooks
from billing.customers import CUSTOMER_DELETION, CustomerDeletion
from billing.facade import Billing
from billing.gateway import PaymentGateway, gateway_for
from booking import web as booking_web
from booking.account_links import AccountLinks
from booking.accounts import Accounts
from booking.charging.context import ChargingContext
from booking.charging.services import CitizenCharging
from booking.context import BookingContext
from booking.letters import LETTERS
from booking.reports import ProblemReports
from booking.rules import BookingPolicy
from booking.services import BOOKING_CANCELLED, BookingService
from console import web as console_web
from console.context import ConsoleContext
from energy import web as energy_web
from energy.outlook import PlanOutlook
from energy.service import SmartCharging
from mobility.bus import CommandBus, InProcessBus
from mobility.config import Settings, load_settings
from mobility.db import Database
from mobility.jobs import JobSpec
from mobility.letters import Letters
from mobility.mail import MAIL_KIND, Mailer, mailer_for
from mobility.outbox import Outbox
from mobility.roaming import CDR_DUE, SESSION_CHANGED
from mobility.storage import store_for
from mobility.web.context import WebContext
from mobility.web.i18n import init_i18n
from mobility.web.server import WebServer
from mobility.web.shell import create_shell, finish
from ocpp_server import operator_api, protocols, rules, security_api, station_api
from ocpp_server.lean import collect_less_often
from ocpp_server.reservations import BookingReservations, OperatorReservations
from ocpp_server.security.services import SecurityService
from ocpp_server.server import OcppServer
from ocpp_server.services import ChargingService
from open_data import web as open_data_web
from open_data.context import build_context as open_data_context
from roaming import api as roaming_api
from roaming import commands as roaming_commands
from roaming.client import PartnerClient
from roaming.commands import Commands
from roaming.locations import Party
from roaming.partners import Partners
from roaming.push import Pusher, RoamingFeed
from roaming.tokens import Tokens

log = logging.getLogger(__name__)


def make_bus(settings: Settings) -> CommandBus:
    """In-process bus by default; Redis when REDIS_URL is set (several processes/nodes)."""
    if settings.redis_url:
        from mobility.redis_bus import RedisBus

        return RedisBus(settings.redis_url, node_id=settings.node_id)
    return InProcessBus()


@dataclass(frozen=True)
class Core:
    """Every shared collaborator of one process, each built exactly once, here."""

    settings: Settings
    db: Database
    bus: CommandBus
    mailer: Mailer
    gateway: PaymentGateway
    outbox: Outbox
    billing: Billing
    bookings: BookingService
    charging: ChargingService
    energy: SmartCharging
    security: SecurityService
    roaming: roaming_api.RoamingContext


def build_core(
    settings: Settings,
    *,
    db: Database | None = None,
    bus: CommandBus | None = None,
    gateway: PaymentGateway | None = None,
    mailer: Mailer | None = None,
) -> Core:
    """Build the process's collaborators (tests may hand in their own database, bus, gateway)."""
    db = db or Database(settings)
    gateway = gateway or gateway_for(settings)
    mailer = mailer or mailer_for(settings)
    outbox = Outbox(db)
    outbox.register(payments.OUTBOX_KIND, payments.PaymentRunner(db, gateway, outbox))
    # Mails are rendered as they are sent, in their recipient's language (booking's catalogue).
    letters = Letters(LETTERS, [booking_web.TRANSLATIONS], settings.timezone)
    outbox.register(MAIL_KIND, letters.sender(mailer))
    outbox.register(CUSTOMER_DELETION, CustomerDeletion(gateway))
    billing = Billing(settings, gateway, db, outbox)
    bus = bus or make_bus(settings)
    # Booking and charging meet here: a cancelled booking's reservations end on the charger.
    outbox.register(BOOKING_CANCELLED, BookingReservations(db, bus, settings.command_timeout))
    ocpi = _roaming(settings, db, billing, outbox, bus)
    return Core(
        settings=settings,
        db=db,
        bus=bus,
        mailer=mailer,
        gateway=gateway,
        outbox=outbox,
        billing=billing,
        bookings=BookingService(
            db, billing, BookingPolicy(), outlook=PlanOutlook(db), outbox=outbox
        ),
        charging=ChargingService(db, settings, billing, feed=RoamingFeed(outbox)),
        energy=SmartCharging(db, bus, command_timeout=settings.command_timeout),
        security=SecurityService(db, settings, outbox),
        roaming=ocpi,
    )


def _roaming(
    settings: Settings, db: Database, billing: Billing, outbox: Outbox, bus: CommandBus
) -> roaming_api.RoamingContext:
    """OCPI roaming: partners, tokens, commands, and the pushes after commit."""
    client = PartnerClient(settings.ocpi_http_timeout)
    party = Party(settings.ocpi_country_code.upper(), settings.ocpi_party_id.upper())
    pusher = Pusher(db, billing, client, party)
    outbox.register(SESSION_CHANGED, pusher.session)
    outbox.register(CDR_DUE, pusher.cdr)
    tokens = Tokens(db)
    commands = Commands(db, outbox, bus, client, tokens, settings.command_timeout)
    outbox.register(roaming_commands.COMMAND, commands.run)
    outbox.register(roaming_commands.RESULT, commands.report)
    partners = Partners(db, settings, client)
    return roaming_api.RoamingContext(settings, db, billing, partners, tokens, party, commands)


def create_web_app(core: Core, **config: Any) -> Flask:
    """The web app: the shell plus every package's blueprints."""
    app = create_shell(WebContext(core.settings, core.db, core.bus), **config)
    init_i18n(app, [booking_web.TRANSLATIONS], core.settings.timezone)
    links = AccountLinks(core.settings.secret_key)
    accounts = Accounts(core.db, core.outbox, links, core.settings.base_url)
    citizen_charging = CitizenCharging(
        core.db,
        core.billing,
        core.bus,
        core.settings.command_timeout,
        card_payments=core.settings.stripe_enabled,
    )
    booking_web.init_app(
        app,
        BookingContext(
            core.settings,
            core.db,
            core.billing,
            core.bookings,
            core.outbox,
            accounts,
            ProblemReports(core.db, store_for(core.settings)),
        ),
        ChargingContext(citizen_charging, core.settings.base_url),
    )
    webhooks.init_app(app, webhooks.WebhookContext(core.settings, core.db))
    energy_web.init_app(app, energy_web.EnergyContext(core.db, core.energy))
    operator_context = operator_api.OperatorContext(core.settings, core.db, core.bus)
    operator_api.init_app(app, operator_context)
    security_api.init_app(app, security_api.SecurityContext(operator_context, core.security))
    station_api.init_app(app)
    policy = core.bookings.policy
    open_data_web.init_app(
        app, open_data_context(core.settings, core.db, policy.buffer, policy.max_advance)
    )
    console_web.init_app(app, console_context(core))
    roaming_api.init_app(app, core.roaming)
    return finish(app)


def console_context(core: Core) -> ConsoleContext:
    """The console's collaborators, with what it needs to know of the OCPP protocols."""
    return ConsoleContext(
        settings=core.settings,
        db=core.db,
        bus=core.bus,
        billing=core.billing,
        catalogue=lambda version: protocols.by_version(version).commands,
        valid_charger_id=rules.valid_charge_point_id,
        reservations=OperatorReservations(core.db, core.bus, core.settings.command_timeout),
        bookings=core.bookings,
        outbox=core.outbox,
    )


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    bus: CommandBus | None = None,
    gateway: PaymentGateway | None = None,
    mailer: Mailer | None = None,
    **config: Any,
) -> Flask:
    """A web app with its own core (WSGI servers, tests)."""
    core = build_core(settings or load_settings(), db=db, bus=bus, gateway=gateway, mailer=mailer)
    return create_web_app(core, **config)


def build_ocpp_server(core: Core) -> OcppServer:
    """One OCPP node on this process's core."""
    return OcppServer(core.settings, core.charging, core.bus, core.security)


def ocpp_node(
    settings: Settings,
    *,
    db: Database | None = None,
    bus: CommandBus | None = None,
    gateway: PaymentGateway | None = None,
) -> OcppServer:
    """An OCPP node with its own core (tests, benchmarks)."""
    return build_ocpp_server(build_core(settings, db=db, bus=bus, gateway=gateway))


def all_jobs(core: Core) -> list[JobSpec]:
    """Every periodic job of the platform, bound to this process's collaborators."""
    return [
        # Intents a crash or an outage left pending (payments, mail) are retried here.
        JobSpec("outbox.run_due", core.outbox.run_due, "interval", {"seconds": 30}),
        *ocpp_server.jobs.jobs(core.charging, core.bus),
        *ocpp_server.security_jobs.jobs(core.security, core.bus, core.settings),
        *booking.jobs.jobs(core.bookings),
        *billing.jobs.jobs(core.db, core.billing),
        *roaming.jobs.jobs(core.db, core.outbox),
        JobSpec(
            "energy.plan_and_steer",
            lambda: energy.jobs.plan_and_steer(core.energy),
            "interval",
            {"seconds": energy.jobs.INTERVAL_SECONDS},
        ),
    ]


@dataclass
class Platform:
    """The running parts of one process; `mobility run` starts them all."""

    settings: Settings
    web: bool = True
    ocpp: bool = True
    scheduler: bool = True
    core: Core = field(init=False)
    ready: threading.Event = field(default_factory=threading.Event)
    web_port: int | None = None
    ocpp_port: int | None = None

    def __post_init__(self) -> None:
        self.core = build_core(self.settings)

    def _start_web(self) -> WebServer:
        app = create_web_app(self.core)
        server = WebServer(app, self.settings.web_host, self.settings.web_port).start()
        self.web_port = server.port
        log.info("web listening on http://%s:%s", self.settings.web_host, self.web_port)
        return server

    async def run(self, stop: asyncio.Event) -> None:
        """Start the enabled parts, wait for `stop`, then shut down in reverse order."""
        from mobility.scheduler import build_scheduler

        ocpp_server = build_ocpp_server(self.core) if self.ocpp else None
        if ocpp_server is not None:
            await ocpp_server.start()
            self.ocpp_port = ocpp_server.port
        web = self._start_web() if self.web else None
        sched = build_scheduler(all_jobs(self.core)) if self.scheduler else None
        if sched is not None:
            sched.start()
        self.ready.set()
        try:
            await stop.wait()
        finally:
            log.info("shutting down")
            if sched is not None:
                sched.shutdown(wait=True)
            if web is not None:
                await asyncio.to_thread(web.close)
            if ocpp_server is not None:
                await ocpp_server.stop()
            self.core.bus.close()
            self.core.outbox.close()
            self.core.db.dispose()


def serve_forever(platform: Platform) -> None:
    """Run until Ctrl-C or SIGTERM, then stop gracefully."""
    if platform.ocpp:
        # A process that holds thousands of chargers: collect garbage less often. Set here, by
        # the process's entry point, not by the node (tests and hosts run nodes in their own).
        collect_less_often()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await platform.run(stop)

    asyncio.run(main())
