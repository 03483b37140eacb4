"""Fleet use cases on the real database (no HTTP): invitation mail after commit, cards."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from booking.fleet import services
from mobility.app import build_core
from mobility.demo import seed_demo
from mobility.errors import NotFound
from mobility.mail import LogMailer
from mobility.models import Company, IdToken, Membership, OutboxItem, User
from ocpp_server.events import Authorization


@pytest.fixture
def env(db, settings) -> Any:
    seed_demo(db)
    mailer = LogMailer()
    core = build_core(settings, db=db, mailer=mailer)
    with db.sessions() as s:
        admin = s.scalar(select(User).where(User.email == "fleet-admin@example.org"))
        citizen = s.scalar(select(User).where(User.email == "citizen@example.org"))
        company = s.scalar(select(Company))
    yield core, mailer, admin, citizen, company
    core.outbox.close()


def test_invitation_is_mailed_after_commit_once_and_its_link_not_kept(db, env):
    core, mailer, admin, citizen, company = env
    token = services.invite(
        db, core.outbox, "https://hub.example", admin, company.id, citizen.email
    )
    [(to, subject, body)] = list(mailer.sent)
    assert to == citizen.email and company.name in subject and token in body
    with db.sessions() as s:
        item = s.scalar(select(OutboxItem).where(OutboxItem.kind == "mail"))
        assert item.status == "done" and token not in str(item.payload)
    services.accept(db, citizen, token)
    with db.sessions() as s:
        member = s.scalar(select(Membership).where(Membership.user_id == citizen.id))
        assert member is not None and member.company_id == company.id


def test_only_the_company_issues_cards_and_blocked_cards_are_refused_at_chargers(db, env):
    core, _mailer, admin, citizen, company = env
    with pytest.raises(NotFound):  # an outsider does not even learn the company exists
        services.issue_card(db, citizen, company.id, "CARD-0042", user_id=admin.id)
    services.issue_card(db, admin, company.id, "card-0042", user_id=admin.id)
    assert core.charging.authorize("CARD-0042").accepted
    services.set_card_status(db, admin, company.id, "CARD-0042", blocked=True)
    assert core.charging.authorize("CARD-0042") == Authorization("Blocked")
    with db.sessions() as s:
        card = s.scalar(select(IdToken).where(IdToken.id_tag == "CARD-0042"))
        assert card.company_id == company.id
