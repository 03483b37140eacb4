"""Chargers for the console: the list with live status, one charger's page, registration."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from console.ocpp_terms import Setting, setting_16, setting_201
from console.services.audit import Actor, record
from console.services.charger_uptime import Uptime, charger_uptime
from console.services.paging import AnySelect, Page, page_of
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import Conflict, NotFound, ValidationFailed
from mobility.models import (
    Charger,
    ChargerCommand,
    ChargerEvent,
    ChargerVariable,
    ChargingProfileRecord,
    ConfigurationKey,
    Connector,
    EvseConnector,
    Hub,
    RegistrationStatus,
    Reservation,
    Tariff,
    TariffScope,
)
from mobility.security import new_token, token_digest

RECENT = 20
SETTINGS_PER_PAGE = 50


@dataclass(frozen=True)
class ChargerFilter:
    """What the chargers list is narrowed to."""

    q: str = ""
    online: bool | None = None
    registration: str | None = None
    hub_id: int | None = None


@dataclass(frozen=True)
class ChargerRow:
    """One line of the chargers list."""

    charger: Charger
    hub: str | None
    connectors: list[Connector]


@dataclass(frozen=True)
class ChargerView:
    """Everything the charger page shows."""

    charger: Charger
    hub: Hub | None
    connectors: list[Connector]
    commands: list[ChargerCommand]
    events: list[ChargerEvent]
    reservations: list[Reservation]
    profiles: list[ChargingProfileRecord]
    settings: Page[Setting] = field(default_factory=lambda: Page([], 0, 1, SETTINGS_PER_PAGE))
    # OCPP 2.0.1: the connectors inside each EVSE (the `connectors` rows are the EVSEs).
    inside: dict[int, list[EvseConnector]] = field(default_factory=dict)
    uptime: Uptime | None = None

    def evses(self) -> list[tuple[int, Connector | None, list[EvseConnector]]]:
        """Each EVSE of a 2.0.1 station: its row (None: only its connectors were reported
        yet, by the device model) and the connectors inside it."""
        rows = {c.connector_id: c for c in self.connectors}
        return [(n, rows.get(n), self.inside.get(n, [])) for n in sorted({*rows, *self.inside})]


@dataclass(frozen=True)
class ChargerForm:
    """The editable facts of a charger."""

    name: str
    hub_id: int | None
    max_power_w: int | None
    tariff_id: int | None
    is_public: bool


def _filtered(f: ChargerFilter) -> AnySelect:
    stmt = select(Charger).order_by(Charger.charge_point_id)
    if f.q:
        like = f"%{f.q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Charger.charge_point_id).like(like), func.lower(Charger.name).like(like))
        )
    if f.online is not None:
        stmt = stmt.where(Charger.is_online.is_(f.online))
    if f.registration:
        stmt = stmt.where(Charger.registration_status == f.registration)
    if f.hub_id is not None:
        stmt = stmt.where(Charger.hub_id == f.hub_id)
    return stmt


def list_chargers(db: Database, f: ChargerFilter, page: int, per_page: int) -> Page[ChargerRow]:
    """A page of chargers with their connectors and hub names (three queries, any page size)."""
    with db.sessions() as s:
        found: Page[Charger] = page_of(s, _filtered(f), page, per_page)
        ids = [c.id for c in found.items]
        connectors: dict[int, list[Connector]] = {}
        for con in s.scalars(
            select(Connector)
            .where(Connector.charger_id.in_(ids), Connector.connector_id > 0)
            .order_by(Connector.charger_id, Connector.connector_id)
        ):
            connectors.setdefault(con.charger_id, []).append(con)
        hub_ids = {c.hub_id for c in found.items if c.hub_id is not None}
        named = s.execute(select(Hub.id, Hub.name).where(Hub.id.in_(hub_ids)))
        hubs = {hub_id: name for hub_id, name in named}
    rows = [
        ChargerRow(c, hubs.get(c.hub_id) if c.hub_id else None, connectors.get(c.id, []))
        for c in found.items
    ]
    return Page(rows, found.total, found.page, found.per_page)


def fingerprint(found: Page[ChargerRow]) -> str:
    """A digest of everything the list shows of its chargers (an ETag for live polling)."""
    facts: list[object] = [found.total, found.page]
    for row in found.items:
        c = row.charger
        facts += [c.charge_point_id, c.name, row.hub, c.is_online, c.last_seen_at, c.connected_node]
        facts += [c.registration_status, c.ocpp_version, c.firmware_version, c.firmware_status]
        facts += [(x.connector_id, x.status, x.error_code) for x in row.connectors]
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:32]


def get_charger(s: Session, cp_id: str) -> Charger:
    """The charger with this charge point id, or NotFound."""
    charger = s.scalar(select(Charger).where(Charger.charge_point_id == cp_id))
    if charger is None:
        raise NotFound(f"No charger {cp_id}.")
    return charger


def version_of(db: Database, cp_id: str) -> str | None:
    """The OCPP version a charger last booted with (NotFound: no such charger)."""
    with db.sessions() as s:
        return get_charger(s, cp_id).ocpp_version


def _recent(s: Session, model: Any, charger_id: int, order: Any) -> list[Any]:
    stmt = select(model).where(model.charger_id == charger_id).order_by(order.desc()).limit(RECENT)
    return list(s.scalars(stmt))


def _settings_16(s: Session, charger_pk: int, page: int) -> Page[Setting]:
    stmt = (
        select(ConfigurationKey)
        .where(ConfigurationKey.charger_id == charger_pk)
        .order_by(ConfigurationKey.key)
    )
    found: Page[ConfigurationKey] = page_of(s, stmt, page, SETTINGS_PER_PAGE)
    rows = [
        setting_16(k.key, k.value, k.readonly, k.known, k.pending_value, k.change_status)
        for k in found.items
    ]
    return Page(rows, found.total, found.page, found.per_page)


def _settings_201(s: Session, charger_pk: int, page: int) -> Page[Setting]:
    v = ChargerVariable
    stmt = (
        select(v)
        .where(v.charger_id == charger_pk)
        .order_by(v.component, v.component_instance, v.evse_id, v.connector_id, v.variable)
        .order_by(v.variable_instance, v.attribute_type)
    )
    found: Page[ChargerVariable] = page_of(s, stmt, page, SETTINGS_PER_PAGE)
    rows = [
        setting_201(
            x.component,
            x.component_instance,
            x.evse_id,
            x.connector_id,
            x.variable,
            x.variable_instance,
            x.attribute_type,
            x.value,
            x.mutability,
            x.reboot_required,
        )
        for x in found.items
    ]
    return Page(rows, found.total, found.page, found.per_page)


def stored_settings(s: Session, charger: Charger, page: int) -> Page[Setting]:
    """The charger's stored configuration: 1.6 keys, or the 2.0.1 device model."""
    if charger.ocpp_version == "2.0.1":
        return _settings_201(s, charger.id, page)
    return _settings_16(s, charger.id, page)


def _inside(s: Session, charger: Charger) -> dict[int, list[EvseConnector]]:
    """A 2.0.1 station's connectors by EVSE, in order (none for other versions)."""
    if charger.ocpp_version != "2.0.1":
        return {}
    found: dict[int, list[EvseConnector]] = {}
    for row in s.scalars(
        select(EvseConnector)
        .where(EvseConnector.charger_id == charger.id)
        .order_by(EvseConnector.evse_id, EvseConnector.connector_id)
    ):
        found.setdefault(row.evse_id, []).append(row)
    return found


def charger_view(
    db: Database, cp_id: str, settings_page: int = 1, zone: str = "UTC", now: datetime | None = None
) -> ChargerView:
    """One charger with its connectors, uptime, recent commands and messages, reservations,
    profiles; days in its hub's timezone (`zone` when it has no hub)."""
    with db.sessions() as s:
        c = get_charger(s, cp_id)
        hub = s.get(Hub, c.hub_id) if c.hub_id else None
        connectors = list(
            s.scalars(
                select(Connector)
                .where(Connector.charger_id == c.id)
                .order_by(Connector.connector_id)
            )
        )
        inside = _inside(s, c)
        profiles = s.scalars(
            select(ChargingProfileRecord)
            .where(
                ChargingProfileRecord.charger_id == c.id, ChargingProfileRecord.cleared_at.is_(None)
            )
            .order_by(ChargingProfileRecord.connector_id, ChargingProfileRecord.stack_level)
        )
        return ChargerView(
            charger=c,
            hub=hub,
            connectors=connectors,
            commands=_recent(s, ChargerCommand, c.id, ChargerCommand.id),
            events=_recent(s, ChargerEvent, c.id, ChargerEvent.id),
            reservations=_recent(s, Reservation, c.id, Reservation.id),
            profiles=list(profiles),
            settings=stored_settings(s, c, settings_page),
            inside=inside,
            uptime=charger_uptime(
                s,
                c,
                connectors,
                [x for evse in inside.values() for x in evse],
                hub.timezone if hub is not None and hub.timezone else zone,
                now or utcnow(),
            ),
        )


def choices(db: Database) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Hubs and charging tariffs to pick from in the charger form."""
    with db.sessions() as s:
        hubs = [(i, n) for i, n in s.execute(select(Hub.id, Hub.name).order_by(Hub.name))]
        charging = select(Tariff.id, Tariff.name).where(Tariff.scope == TariffScope.CHARGING)
        tariffs = [(i, n) for i, n in s.execute(charging.order_by(Tariff.name))]
    return hubs, tariffs


def _apply(s: Session, charger: Charger, form: ChargerForm) -> dict[str, Any]:
    """Set the form's facts on the charger; what changed, for the audit row."""
    if form.hub_id is not None and s.get(Hub, form.hub_id) is None:
        raise ValidationFailed("No such hub.", field="hub_id")
    if form.tariff_id is not None and s.get(Tariff, form.tariff_id) is None:
        raise ValidationFailed("No such tariff.", field="tariff_id")
    if form.max_power_w is not None and not 0 < form.max_power_w <= 1_000_000:
        raise ValidationFailed("Maximum power must be between 1 W and 1 MW.", field="max_power_w")
    changed = {}
    for name in ("name", "hub_id", "max_power_w", "tariff_id", "is_public"):
        new = getattr(form, name)
        if getattr(charger, name) != new:
            changed[name] = new
            setattr(charger, name, new)
    return changed


def register(
    db: Database, actor: Actor, cp_id: str, form: ChargerForm, valid_id: Callable[[str], bool]
) -> str:
    """A new charger with a fresh password; the password is returned once, only its hash kept."""
    cp_id = cp_id.strip()
    if not valid_id(cp_id):
        raise ValidationFailed(
            "A charge point id is 1 to 64 letters, digits or . _ : - (no spaces).",
            field="charge_point_id",
        )
    password = new_token(18)
    with db.transaction() as s:
        if s.scalar(select(Charger.id).where(Charger.charge_point_id == cp_id)) is not None:
            raise Conflict(f"Charger {cp_id} is already registered.")
        charger = Charger(charge_point_id=cp_id, password_hash=token_digest(password))
        s.add(charger)
        details = _apply(s, charger, form)
        # No connectors yet: the charger's first StatusNotifications create them.
        record(s, actor, "charger.register", "charger", cp_id, **details)
    return password


def update(db: Database, actor: Actor, cp_id: str, form: ChargerForm) -> None:
    """Change a charger's name, hub, power, tariff and visibility."""
    with db.transaction() as s:
        charger = get_charger(s, cp_id)
        changed = _apply(s, charger, form)
        if changed:
            record(s, actor, "charger.update", "charger", cp_id, **changed)


def set_active(db: Database, actor: Actor, cp_id: str, active: bool, reason: str) -> None:
    """Deactivate (its next boot is Rejected) or reactivate (Accepted) a charger."""
    if not reason.strip():
        raise ValidationFailed("Say why.", field="reason")
    status = RegistrationStatus.ACCEPTED if active else RegistrationStatus.REJECTED
    with db.transaction() as s:
        charger = get_charger(s, cp_id)
        charger.registration_status = status
        action = "charger.activate" if active else "charger.deactivate"
        record(s, actor, action, "charger", cp_id, reason=reason.strip())


def rotate_password(db: Database, actor: Actor, cp_id: str) -> str:
    """A new password for the charger (the old one stops working at its next connection)."""
    password = new_token(18)
    with db.transaction() as s:
        get_charger(s, cp_id).password_hash = token_digest(password)
        record(s, actor, "charger.rotate_password", "charger", cp_id)
    return password
