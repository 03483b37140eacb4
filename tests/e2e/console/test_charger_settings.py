"""The charger page reads the stored configuration (1.6 keys, 2.0.1 device model) and changes it."""

from datetime import UTC, datetime

from ocpp.v201 import call as call201
from sqlalchemy import select

from mobility.models import (
    AuditEntry,
    Charger,
    ChargerCommand,
    ChargerVariable,
    ConfigurationKey,
)
from tests.e2e.console.conftest import csrf_of
from tests.e2e.ocpp_server.test_v201_device_model import REPORT


def _section(html: str) -> str:
    return html.split('id="config-title"')[1].split("</section>")[0]


def _keys(db, cp_id="CP-LYON-001"):
    with db.sessions() as s:
        pk = s.scalar(select(Charger.id).where(Charger.charge_point_id == cp_id))
        rows = s.scalars(select(ConfigurationKey).where(ConfigurationKey.charger_id == pk))
        return {k.key: k for k in rows}


def test_16_keys_are_read_from_the_store_and_changed_with_change_configuration(operator, live, db):
    page = operator.get("/console/chargers/CP-LYON-001").get_data(as_text=True)
    assert "No configuration stored yet" in _section(page)
    assert "Read the configuration again (GetConfiguration)" in page
    r = operator.post(
        "/console/chargers/CP-LYON-001/commands/GetConfiguration",
        data={"payload": "{}", "csrf_token": csrf_of(page)},
    )
    assert r.status_code == 303 and _keys(db)["HeartbeatInterval"].value == "300"
    with db.transaction() as s:  # a read-only key the charger reported earlier
        pk = s.scalar(select(Charger.id).where(Charger.charge_point_id == "CP-LYON-001"))
        s.add(ConfigurationKey(charger_id=pk, key="ChargePointModel", value="M", readonly=True))
    config = _section(operator.get("/console/chargers/CP-LYON-001").get_data(as_text=True))
    assert '<th scope="row">HeartbeatInterval</th><td>300' in config
    readonly = config.split('data-setting="ChargePointModel"')[1].split("</tr>")[0]
    assert "read-only" in readonly and "<form" not in readonly
    r = operator.post(
        "/console/chargers/CP-LYON-001/settings",
        data={"key": "HeartbeatInterval", "value": "120", "csrf_token": csrf_of(page)},
    )
    assert r.status_code == 303 and r.headers["Location"].endswith("#configuration")
    key = _keys(db)["HeartbeatInterval"]
    assert (key.value, key.change_status) == ("120", "Accepted")  # the store, not the history
    config = _section(operator.get("/console/chargers/CP-LYON-001").get_data(as_text=True))
    assert "HeartbeatInterval</th><td>120" in config and "last change: Accepted" in config
    with db.sessions() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "charger.command").order_by(AuditEntry.id)
        ).all()[-1]
    assert entry.details == {
        "command": "ChangeConfiguration",
        "payload": {"key": "HeartbeatInterval", "value": "120"},
    }
    r = operator.post(
        "/console/chargers/CP-LYON-001/settings",
        data={"key": "", "value": "1", "csrf_token": csrf_of(page)},
    )
    assert r.status_code == 422 and "&#39;key&#39; must be 1 to 50" in r.get_data(as_text=True)


def test_201_device_model_is_shown_and_set_with_set_variables(operator, live201, db):
    for seq, part in enumerate(REPORT):
        report = call201.NotifyReport(
            request_id=7,
            generated_at=datetime.now(UTC).isoformat(),
            seq_no=seq,
            tbc=seq < len(REPORT) - 1,
            report_data=[part],
        )
        live201.run(live201.cp.call(report))
    page = operator.get("/console/chargers/CP-LYON-001").get_data(as_text=True)
    assert "Read the configuration again (GetBaseReport)" in page
    config = _section(page)
    assert "Device model (OCPP 2.0.1 variables)" in config
    assert 'data-setting="EVSE EVSE 1.Power (MaxSet)"' in config
    power = config.split('data-setting="EVSE EVSE 1.Power"')[1].split("</tr>")[0]
    assert "read-only" in power
    heartbeat = config.split('data-setting="OCPPCommCtrlr.HeartbeatInterval"')[1].split("</tr>")[0]
    assert "<td>300" in heartbeat and 'name="component" value="OCPPCommCtrlr"' in heartbeat
    form = {
        "component": "OCPPCommCtrlr",
        "component_instance": "",
        "evse_id": "0",
        "connector_id": "0",
        "variable": "HeartbeatInterval",
        "variable_instance": "",
        "attribute_type": "Actual",
        "value": "60",
        "csrf_token": csrf_of(page),
    }
    r = operator.post("/console/chargers/CP-LYON-001/settings", data=form)
    assert r.status_code == 303
    with db.sessions() as s:
        stored = s.scalar(
            select(ChargerVariable).where(ChargerVariable.variable == "HeartbeatInterval")
        )
    assert stored.value == "60"
    with db.sessions() as s:
        sent = s.scalars(select(ChargerCommand).order_by(ChargerCommand.id.desc())).first()
    assert (sent.action, sent.status) == ("SetVariables", "answered")
    data = sent.payload["setVariableData"][0]
    assert data["attributeValue"] == "60" and data["component"] == {"name": "OCPPCommCtrlr"}
    r = operator.post(
        "/console/chargers/CP-LYON-001/commands/GetBaseReport",
        data={
            "payload": '{"requestId": 9, "reportBase": "ConfigurationInventory"}',
            "csrf_token": csrf_of(page),
        },
    )
    assert r.status_code == 303 and live201.cp.received[-1][0] == "GetBaseReport"
