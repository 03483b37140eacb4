"""Local authorisation lists: what each charger should hold and the messages that get it there."""

from datetime import UTC, datetime, timedelta

from ocpp_server import authlist
from ocpp_server.events import LocalListEntryInfo as E

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def test_entries_are_judged_as_the_charger_should_offline():
    assert authlist.entry("A", "Accepted", None, None, True, NOW).status == "Accepted"
    past = NOW - timedelta(days=1)
    assert authlist.entry("B", "Accepted", past, None, True, NOW).status == "Expired"
    assert authlist.entry("C", "Accepted", None, "FLEET", False, NOW).status == "Blocked"
    blocked = authlist.entry("D", "Blocked", None, "FLEET", True, NOW)
    assert blocked == E("D", "Blocked", None, "FLEET")


def test_a_list_cut_to_the_chargers_capacity_keeps_accepted_cards_first():
    cards = [E("Z1", "Accepted"), E("A1", "Blocked"), E("M1", "Accepted"), E("B1", "Expired")]
    assert [e.id_tag for e in authlist.wanted(cards, 2)] == ["M1", "Z1"]
    assert [e.id_tag for e in authlist.wanted(cards, None)] == ["A1", "B1", "M1", "Z1"]


def test_limits_come_from_the_configuration_store_with_safe_defaults():
    assert authlist.limits({}) == authlist.ListLimits(authlist.DEFAULT_PER_MESSAGE, None)
    config = {"SendLocalListMaxLength": "2", "LocalAuthListMaxLength": "10"}
    assert authlist.limits(config) == authlist.ListLimits(2, 10)
    assert authlist.limits({"SendLocalListMaxLength": "lots"}).per_message == 50


def test_chargers_without_a_local_list_are_left_alone():
    assert authlist.supported({}, None)
    assert not authlist.supported({}, "NotSupported")
    assert not authlist.supported({"SupportedFeatureProfiles": "Core,SmartCharging"}, None)
    assert not authlist.supported({"LocalAuthListEnabled": "false"}, "Accepted")


def test_first_contact_gets_the_list_in_full_split_to_the_message_size():
    target = tuple(E(f"T{n}", "Accepted") for n in range(5))
    updates = authlist.plan({}, target, 0, None, per_message=2)
    assert [(u.version, u.full, len(u.entries)) for u in updates] == [
        (1, True, 2),
        (2, False, 2),
        (3, False, 1),
    ]


def test_an_empty_list_is_still_sent_in_full_once():
    assert authlist.plan({}, (), 0, None, 10) == [authlist.ListUpdate(1, True, ())]


def test_a_charger_in_step_gets_only_the_differences():
    held = {"A": E("A", "Accepted"), "B": E("B", "Accepted"), "C": E("C", "Accepted")}
    target = (E("A", "Accepted"), E("B", "Blocked"), E("D", "Accepted"))
    [update] = authlist.plan(held, target, 4, 4, per_message=10)
    assert update.version == 5 and not update.full
    assert update.entries == (E("B", "Blocked"), E("D", "Accepted"), E("C", None))
    assert authlist.plan(held, tuple(held.values()), 4, 4, 10) == []


def test_a_lagging_charger_gets_the_whole_list_again_with_a_newer_version():
    held = {"A": E("A", "Accepted")}
    target = (E("A", "Accepted"),)
    # The charger says 0 (it lost its list in a reboot) where we last sent 4.
    [update] = authlist.plan(held, target, 0, 4, 10)
    assert update.full and update.version == 5 and update.entries == target


def test_digest_ignores_order_and_sees_every_field():
    a = [E("A", "Accepted"), E("B", "Blocked", NOW, "P")]
    assert authlist.digest(a) == authlist.digest(reversed(a))
    assert authlist.digest(a) != authlist.digest([E("A", "Accepted"), E("B", "Blocked", NOW)])
