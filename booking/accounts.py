"""Account use cases: register, confirm the e-mail, authenticate, reset or change a password,
move to another e-mail address, API tokens.

Registration answers the same whether the address is new or taken (the owner of a taken
address gets a mail instead), and an account signs in only once its e-mail is confirmed, so
neither step tells a stranger which addresses have accounts. A new password (changed or reset)
ends every other sign-in: browser sessions and API tokens.

Mails go out in the recipient's language: the one stored on the account (set at sign-up from
the request's), else `locale`, the language of the request that sends them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking import letters, rules
from booking.account_links import CHANGE_EMAIL, CONFIRM_EMAIL, RESET_PASSWORD, AccountLinks
from mobility.clock import utcnow
from mobility.db import Database, rowcount
from mobility.errors import N_, Conflict, Forbidden, Unauthorized, ValidationFailed
from mobility.letters import letter_intent
from mobility.locales import language_of, supported
from mobility.mail import MAIL_KIND
from mobility.models import ApiToken, User, WebSession
from mobility.outbox import Outbox
from mobility.security import hash_password, new_token, token_digest, verify_password

# Verifying against a dummy hash keeps "unknown email" as slow as "wrong password".
_DUMMY_HASH = hash_password("not-a-real-password-0000")

_LINK_USED = N_("This link has been used or is not valid any more.")
_WRONG_PASSWORD = N_("The current password is wrong.")

# At most one mail of a kind per account per window: repeated attempts cannot flood a mailbox.
_LINK_WINDOW_S = 60
_NOTICE_WINDOW_S = 3600


class EmailNotConfirmed(Forbidden):
    """Right password, but the account's e-mail address is not confirmed yet."""

    code = "email_not_confirmed"


def _window(seconds: int) -> int:
    return int(utcnow().timestamp()) // seconds


@dataclass(frozen=True)
class SignInsEnded:
    """An account whose other sign-ins were ended, and the digests of the API tokens revoked
    (the caller drops them from its token cache at once)."""

    user: User
    token_digests: list[str]


def end_sign_ins(s: Session, user_id: int, keep_token: str | None = None) -> list[str]:
    """End every browser session and API token of a user (but the token `keep_token`)."""
    now = utcnow()
    s.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    live = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    digests = []
    for token in s.scalars(live):
        if token.token_hash != keep_token:
            token.revoked_at = now
            digests.append(token.token_hash)
    return digests


class Accounts:
    """Account use cases that mail links (through the outbox, after commit)."""

    def __init__(self, db: Database, outbox: Outbox, links: AccountLinks, base_url: str) -> None:
        self.db, self.outbox, self.links, self.base_url = db, outbox, links, base_url

    def register(
        self, email: str, password: str, full_name: str, then: str = "", locale: str | None = None
    ) -> None:
        """Create an unconfirmed citizen account and mail its link; a taken address is told.

        `then` is a site path the confirmation link leads on to (after signing in); `locale`,
        the language of the sign-up, becomes the account's.
        """
        email = rules.validate_email(email)
        rules.validate_password(password, email)
        name = full_name.strip()
        if not name or len(name) > 200:
            raise ValidationFailed(
                N_("Enter your name (at most 200 characters)."), field="full_name"
            )
        password_hash = hash_password(password)  # hashed either way: same time for both
        try:
            self._register(email, password_hash, name, then, locale)
        except IntegrityError:
            # Made meanwhile: now it is taken.
            self._register(email, password_hash, name, then, locale)

    def _register(
        self, email: str, password_hash: str, name: str, then: str, locale: str | None
    ) -> None:
        with self.db.transaction() as s:
            taken = s.scalar(select(User).where(User.email == email))
            if taken is not None:
                self._mail_taken_notice(s, taken, locale)
                return
            user = User(
                email=email, password_hash=password_hash, full_name=name, locale=supported(locale)
            )
            s.add(user)
            s.flush()
            self._mail_confirmation(s, user, "signup", then)

    def authenticate(self, email: str, password: str, locale: str | None = None) -> User:
        """The user with these credentials, or Unauthorized (same message either way).

        An unconfirmed account with the right password gets EmailNotConfirmed and a new link.
        """
        with self.db.transaction() as s:
            user = s.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None or not user.is_active:
                verify_password(_DUMMY_HASH, password)
                raise Unauthorized(N_("Wrong email or password."))
            if not verify_password(user.password_hash, password):
                raise Unauthorized(N_("Wrong email or password."))
            if user.email_verified_at is not None:
                user.last_login_at = utcnow()
                return user
            self._mail_confirmation(s, user, str(_window(_LINK_WINDOW_S)), locale=locale)
        # Raised after the block: the new link's mail intent is committed.
        raise EmailNotConfirmed(
            N_("Confirm your e-mail address first: we have sent you a new link."), field="email"
        )

    def confirm_email(self, token: str) -> User:
        """Mark the e-mail of a link's account confirmed (again is fine)."""
        claim = self.links.read(CONFIRM_EMAIL, token)
        with self.db.transaction() as s:
            user = s.get(User, claim.user_id)
            if user is None or not claim.matches(user.email, user.password_hash):
                raise ValidationFailed(
                    N_("This link is not valid any more; sign in to get a new one.")
                )
            if user.email_verified_at is None:
                user.email_verified_at = utcnow()
            return user

    def request_password_reset(self, email: str, locale: str | None = None) -> None:
        """Mail a reset link if the address has an account (the caller is told nothing)."""
        with self.db.transaction() as s:
            user = s.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None or not user.is_active:
                return
            token = self.links.make(RESET_PASSWORD, user.id, user.email, user.password_hash)
            key = f"mail:password-reset:{user.id}:{_window(_LINK_WINDOW_S)}"
            link = f"{self.base_url}/password-reset/{token}"
            self._mail(s, key, user, letters.PASSWORD_RESET, locale, link=link)

    def check_reset_link(self, token: str) -> None:
        """ValidationFailed when a reset link cannot be used (expired, used, forged)."""
        claim = self.links.read(RESET_PASSWORD, token)
        with self.db.sessions() as s:
            user = s.get(User, claim.user_id)
            if user is None or not claim.matches(user.email, user.password_hash):
                raise ValidationFailed(_LINK_USED)

    def reset_password(self, token: str, new_password: str) -> SignInsEnded:
        """Set a new password from a reset link (once); the mailbox is proven, so confirmed.

        Every other sign-in ends: whoever knew the old password or held a token is out.
        """
        claim = self.links.read(RESET_PASSWORD, token)
        with self.db.transaction() as s:
            user = s.get(User, claim.user_id)
            if user is None or not claim.matches(user.email, user.password_hash):
                raise ValidationFailed(_LINK_USED)
            rules.validate_password(new_password, user.email)
            user.password_hash = hash_password(new_password)
            user.email_verified_at = user.email_verified_at or utcnow()
            return SignInsEnded(user, end_sign_ins(s, user.id))

    def change_password(
        self,
        user_id: int,
        current: str,
        new: str,
        keep_token: str | None = None,
        locale: str | None = None,
    ) -> SignInsEnded:
        """Change a password after checking the current one; other sign-ins end.

        `keep_token` is the digest of the API token the change was made with (it stays).
        """
        with self.db.transaction() as s:
            user = s.get(User, user_id)
            if user is None or not verify_password(user.password_hash, current):
                raise Unauthorized(_WRONG_PASSWORD, field="current_password")
            rules.validate_password(new, user.email)
            if verify_password(user.password_hash, new):
                raise ValidationFailed(
                    N_("Choose a password you have not used here."), field="password"
                )
            user.password_hash = hash_password(new)
            ended = end_sign_ins(s, user.id, keep_token)
            key = f"mail:password-changed:{user.id}:{_window(_LINK_WINDOW_S)}"
            self._mail(
                s,
                key,
                user,
                letters.PASSWORD_CHANGED,
                locale,
                at=utcnow().isoformat(),
                reset_url=f"{self.base_url}/password-reset",
            )
            return SignInsEnded(user, ended)

    def request_email_change(
        self, user_id: int, new_email: str, password: str, locale: str | None = None
    ) -> str:
        """Mail a link to the new address; the address changes once it is opened.

        The answer is the same whether the new address is free or has an account (its owner
        is told instead), so this cannot be used to find out who has an account.
        """
        new = rules.validate_email(new_email)
        with self.db.transaction() as s:
            user = s.get(User, user_id)
            if user is None or not verify_password(user.password_hash, password):
                raise Unauthorized(_WRONG_PASSWORD, field="current_password")
            if new == user.email:
                raise ValidationFailed(N_("This is your address already."), field="email")
            window = _window(_LINK_WINDOW_S)
            owner = s.scalar(select(User).where(User.email == new))
            if owner is not None:
                key = f"mail:change-email-taken:{user.id}:{window}"
                self._mail(s, key, owner, letters.EMAIL_CHANGE_TAKEN, locale)
                return new
            token = self.links.make(CHANGE_EMAIL, user.id, user.email, user.password_hash, new)
            link = f"{self.base_url}/confirm-email-change/{token}"
            key = f"mail:change-email:{user.id}:{window}"
            self._mail(s, key, user, letters.EMAIL_CHANGE, locale, to=new, link=link)
            return new

    def confirm_email_change(self, token: str, locale: str | None = None) -> User:
        """Move the account to the address of a change link (once); the old address is told."""
        claim = self.links.read(CHANGE_EMAIL, token)
        try:
            with self.db.transaction() as s:
                user = s.get(User, claim.user_id)
                if (
                    user is None
                    or not user.is_active
                    or not claim.matches(user.email, user.password_hash)
                ):
                    raise ValidationFailed(_LINK_USED)
                old, user.email = user.email, claim.extra
                user.email_verified_at = utcnow()
                s.flush()
                now = utcnow()
                self._mail(
                    s,
                    f"mail:email-changed:{user.id}:{int(now.timestamp())}",
                    user,
                    letters.EMAIL_CHANGED,
                    locale,
                    to=old,
                    at=now.isoformat(),
                    email=user.email,
                )
                return user
        except IntegrityError:
            raise Conflict(N_("This address has an account now."), field="email") from None

    def _mail_confirmation(
        self, s: Session, user: User, occasion: str, then: str = "", locale: str | None = None
    ) -> None:
        token = self.links.make(CONFIRM_EMAIL, user.id, user.email, user.password_hash)
        link = f"{self.base_url}/confirm-email/{token}" + (
            f"?{urlencode({'next': then})}" if then else ""
        )
        key = f"mail:confirm-email:{user.id}:{occasion}"
        self._mail(s, key, user, letters.CONFIRM_EMAIL, locale, name=user.full_name, link=link)

    def _mail_taken_notice(self, s: Session, user: User, locale: str | None) -> None:
        key = f"mail:signup-attempt:{user.id}:{_window(_NOTICE_WINDOW_S)}"
        self._mail(
            s,
            key,
            user,
            letters.SIGNUP_ATTEMPT,
            locale,
            login_url=f"{self.base_url}/login",
            reset_url=f"{self.base_url}/password-reset",
        )

    def _mail(
        self,
        s: Session,
        key: str,
        user: User,
        letter: str,
        locale: str | None,
        to: str | None = None,
        **values: str,
    ) -> None:
        """Mail a letter to `user` (at `to`, if given) in their language, else the request's."""
        intent = letter_intent(to or user.email, letter, language_of(user.locale, locale), **values)
        # Sent on the outbox's workers: the answer never waits for (or reveals) the mail.
        self.outbox.record(s, MAIL_KIND, key, intent, secret=True)


def issue_token(db: Database, user_id: int, name: str, days: int = 90) -> str:
    """Create an API token; the secret is returned once and only its digest is stored."""
    token = new_token()
    now = utcnow()
    with db.transaction() as s:
        s.add(
            ApiToken(
                user_id=user_id,
                name=name[:100],
                token_hash=token_digest(token),
                created_at=now,
                expires_at=now + timedelta(days=days),
            )
        )
    return token


def revoke_token(db: Database, digest: str) -> bool:
    """Revoke the token with this digest; False if it was not active."""
    with db.transaction() as s:
        done = s.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    return bool(rowcount(done))
