"""The SMTP mailer against a real SMTP server: what is written is what arrives."""

from __future__ import annotations

import pytest

from mobility.mail import SmtpMailer


@pytest.mark.parametrize(
    "subject",
    [
        "Reset your password",
        "Rejoignez Rhône Bureaux SAS sur la plateforme des hubs de mobilité",
        "Treten Sie Rhône Bureaux SAS auf der Plattform der Mobilitätsstationen bei",
        "Quelqu'un a tenté de s'inscrire avec votre adresse, très très longue et accentuée éàü",
    ],
)
def test_subjects_arrive_as_written_however_long_and_accented(smtp, subject):
    inbox, url = smtp
    body = "Bonjour é,\n\nhttps://hub.test/fleet/invitations/" + "x" * 90
    SmtpMailer(url, "hub@example.org").send("ana@example.org", subject, body)
    [mail] = inbox.wait("ana@example.org")
    assert mail["Subject"] == subject
    assert mail.get_content().replace("\r\n", "\n").rstrip("\n") == body
