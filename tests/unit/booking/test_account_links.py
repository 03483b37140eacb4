"""Signed account links: bound to a purpose and to the account's state, and they expire."""

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from booking.account_links import (
    CHANGE_EMAIL,
    CONFIRM_EMAIL,
    MAX_AGE,
    RESET_PASSWORD,
    AccountLinks,
)
from mobility.errors import ValidationFailed

SECRET = "test-secret-key"


def _made_ago(seconds: int, claim: list) -> str:
    """A token signed `seconds` ago with the links' key and salt (an old mail's link)."""

    class Past(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds

    signer = URLSafeTimedSerializer(SECRET, salt="mobility-account-links", signer=Past)
    return signer.dumps(claim)


def test_a_link_reads_back_for_its_purpose_only():
    links = AccountLinks(SECRET)
    token = links.make(RESET_PASSWORD, 7, "ana@example.org", "hash-1")
    claim = links.read(RESET_PASSWORD, token)
    assert claim.user_id == 7 and claim.matches("ana@example.org", "hash-1")
    with pytest.raises(ValidationFailed, match="not valid"):
        links.read(CONFIRM_EMAIL, token)
    with pytest.raises(ValidationFailed, match="not valid"):
        links.read(RESET_PASSWORD, token[:-2] + ("aa" if not token.endswith("aa") else "bb"))
    with pytest.raises(ValidationFailed, match="not valid"):
        AccountLinks("another-key").read(RESET_PASSWORD, token)


def test_a_changed_password_or_address_voids_the_link():
    links = AccountLinks(SECRET)
    claim = links.read(CONFIRM_EMAIL, links.make(CONFIRM_EMAIL, 7, "ana@example.org", "hash-1"))
    assert not claim.matches("ana@example.org", "hash-2")
    assert not claim.matches("ana.new@example.org", "hash-1")


def test_a_change_of_address_link_carries_the_new_address():
    links = AccountLinks(SECRET)
    token = links.make(CHANGE_EMAIL, 7, "ana@example.org", "hash-1", "ana.new@example.org")
    assert links.read(CHANGE_EMAIL, token).extra == "ana.new@example.org"


@pytest.mark.parametrize("purpose", [CONFIRM_EMAIL, RESET_PASSWORD, CHANGE_EMAIL])
def test_links_expire(purpose):
    links = AccountLinks(SECRET)
    fresh = _made_ago(MAX_AGE[purpose] - 60, [purpose, 7, "fp"])
    assert links.read(purpose, fresh).user_id == 7
    old = _made_ago(MAX_AGE[purpose] + 60, [purpose, 7, "fp"])
    with pytest.raises(ValidationFailed, match="expired"):
        links.read(purpose, old)
