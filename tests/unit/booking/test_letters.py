"""The citizens' letters, rendered as the mail handler does: no request, no Flask app."""

from __future__ import annotations

from typing import Any

import pytest

from booking import letters
from booking.web import TRANSLATIONS
from mobility.driving_licence import REFUSAL_LETTER
from mobility.letters import Letters, Writer, letter_intent
from mobility.mail import LogMailer

AT = "2026-11-27T16:21:00+00:00"  # 17:21 in Paris, the platform's zone here

# Values each letter is recorded with (as the use cases record them).
VALUES: dict[str, dict[str, Any]] = {
    letters.CONFIRM_EMAIL: {"name": "Ana", "link": "https://hub.test/confirm-email/T1"},
    letters.SIGNUP_ATTEMPT: {
        "login_url": "https://hub.test/login",
        "reset_url": "https://hub.test/password-reset",
    },
    letters.PASSWORD_RESET: {"link": "https://hub.test/password-reset/T2"},
    letters.PASSWORD_CHANGED: {"at": AT, "reset_url": "https://hub.test/password-reset"},
    letters.EMAIL_CHANGE: {"link": "https://hub.test/confirm-email-change/T3"},
    letters.EMAIL_CHANGE_TAKEN: {},
    letters.EMAIL_CHANGED: {"at": AT, "email": "ana.new@example.org"},
    letters.ACCOUNT_DELETED: {},
    letters.FLEET_INVITATION: {
        "inviter": "Lea Dubois",
        "company": "Rhône Bureaux",
        "link": "https://hub.test/fleet/invitations/T4",
        "code": "T4",
        "expires_at": AT,
    },
    REFUSAL_LETTER: {"reason": "The photo is blurred.", "profile_url": "https://hub.test/profile"},
}


@pytest.fixture(scope="module")
def book() -> Letters:
    return Letters(letters.LETTERS, [TRANSLATIONS], "Europe/Paris")


def test_every_letter_has_recorded_values_here():
    assert set(VALUES) == set(letters.LETTERS)


@pytest.mark.parametrize("name", sorted(letters.LETTERS))
@pytest.mark.parametrize("lang", ["fr", "de"])
def test_every_letter_is_translated_and_keeps_its_links_and_values(book, name, lang):
    english = book.render(name, "en", VALUES[name])
    mail = book.render(name, lang, VALUES[name])
    assert mail.subject and mail.subject != english.subject
    # Every paragraph with words is translated; links, codes and reasons stay as they are.
    for ours, theirs in zip(mail.paragraphs, english.paragraphs, strict=True):
        if theirs.startswith("https://") or theirs in VALUES[name].values():
            assert ours == theirs
        else:
            assert ours != theirs
    for value in VALUES[name].values():
        if value != AT:
            assert value in mail.subject + mail.body


def test_times_are_spelt_per_language_in_the_platforms_zone(book):
    values = VALUES[letters.FLEET_INVITATION]
    assert "Fri, Nov 27, 2026, 17:21" in book.render(letters.FLEET_INVITATION, "en", values).body
    french = book.render(letters.FLEET_INVITATION, "fr", values)
    assert "avant le ven. 27 nov. 2026, 17:21" in french.body
    assert french.subject == "Rejoignez Rhône Bureaux sur la plateforme des hubs de mobilité"
    german = book.render(letters.PASSWORD_CHANGED, "de", VALUES[letters.PASSWORD_CHANGED])
    assert "am Fr., 27. Nov. 2026, 17:21 geändert" in german.body


def test_a_writer_spells_a_hubs_own_zone():
    writer = Letters(letters.LETTERS, [TRANSLATIONS], "Europe/Paris").writer("de")
    assert isinstance(writer, Writer)
    assert writer.moment(AT, "Europe/London", "time") == "16:21"
    assert writer.moment(AT, style="time") == "17:21"


def test_an_unknown_language_is_written_in_english(book):
    mail = book.render(letters.PASSWORD_RESET, "ja", VALUES[letters.PASSWORD_RESET])
    assert mail.subject == "Reset your password"


def test_the_handler_renders_letters_and_sends_written_mails_as_they_are(book):
    mailer = LogMailer()
    send = book.sender(mailer)
    send(letter_intent("ana@example.org", letters.ACCOUNT_DELETED, "de"))
    # An intent recorded before letters existed (still pending after an upgrade).
    send({"to": "ops@example.org", "subject": "Tamper alarm", "body": "CP-1"})
    (to, subject, body), written = mailer.sent
    assert (to, subject) == ("ana@example.org", "Ihr Konto ist gelöscht")
    assert "Rechnungen werden aufbewahrt" in body
    assert written == ("ops@example.org", "Tamper alarm", "CP-1")


def test_an_unknown_letter_fails_so_the_outbox_keeps_it(book):
    with pytest.raises(LookupError):
        book.sender(LogMailer())(letter_intent("a@example.org", "no-such-letter", "fr"))
