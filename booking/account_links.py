"""Signed, expiring account links (confirm an e-mail, reset a password, move to a new e-mail
address), bound to the account.

A link carries the user id and a fingerprint of the account's e-mail and password hash, signed
with SECRET_KEY: nothing is stored, and a link stops working once the password or the address
changes (a reset link works once; a sign-up's link dies when a later reset sets another
password; a change-of-address link dies once the address changed).
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from mobility.errors import N_, ValidationFailed
from mobility.security import same, token_digest

CONFIRM_EMAIL = "confirm-email"
RESET_PASSWORD = "reset-password"  # noqa: S105 (a link purpose, not a secret)
CHANGE_EMAIL = "change-email"
# How long each kind of link works, in seconds.
MAX_AGE = {CONFIRM_EMAIL: 3 * 24 * 3600, RESET_PASSWORD: 3600, CHANGE_EMAIL: 24 * 3600}


def fingerprint(email: str, password_hash: str) -> str:
    """What a link is bound to: a changed e-mail or password voids it."""
    return token_digest(f"{email}\0{password_hash}")[:20]


@dataclass(frozen=True)
class LinkClaim:
    """What a valid link says: this user, in this state."""

    user_id: int
    fingerprint: str
    extra: str = ""  # what the link is for beyond the account (the new address of a change)

    def matches(self, email: str, password_hash: str) -> bool:
        """True while the account is still in the state the link was made for."""
        return same(self.fingerprint, fingerprint(email, password_hash))


class AccountLinks:
    """Makes and reads the signed tokens of account links."""

    def __init__(self, secret_key: str) -> None:
        self._signer = URLSafeTimedSerializer(secret_key, salt="mobility-account-links")

    def make(
        self, purpose: str, user_id: int, email: str, password_hash: str, extra: str = ""
    ) -> str:
        """A token for `purpose` (CONFIRM_EMAIL, RESET_PASSWORD or CHANGE_EMAIL)."""
        claim = [purpose, user_id, fingerprint(email, password_hash)]
        return self._signer.dumps([*claim, extra] if extra else claim)

    def read(self, purpose: str, token: str) -> LinkClaim:
        """The claim of a token made for `purpose` and not expired, or ValidationFailed."""
        try:
            found = self._signer.loads(token, max_age=MAX_AGE[purpose])
        except SignatureExpired:
            raise ValidationFailed(N_("This link has expired; ask for a new one.")) from None
        except BadSignature:
            raise ValidationFailed(N_("This link is not valid.")) from None
        if not (isinstance(found, list) and len(found) in (3, 4) and found[0] == purpose):
            raise ValidationFailed(N_("This link is not valid."))
        return LinkClaim(int(found[1]), str(found[2]), str(found[3]) if len(found) == 4 else "")
