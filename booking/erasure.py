"""Deleting an account (GDPR right to erasure): personal data erased or anonymised.

The user row stays, anonymous, because bookings, trips, charging sessions and invoices point
at it; invoices themselves are kept unchanged, with the billing details frozen when they were
issued, as accounting law requires. Refused while something is under way or money is owed.
The payment provider deletes its customer (with the saved cards) after commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session, aliased

from billing.customers import forget_customer
from booking import letters, rules
from booking.accounts import SignInsEnded, end_sign_ins
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import N_, Conflict, NotFound, Unauthorized
from mobility.letters import letter_intent
from mobility.locales import language_of
from mobility.mail import MAIL_KIND
from mobility.models import (
    HOLDING_STATES,
    ApiToken,
    Booking,
    ChargingTransaction,
    Company,
    IdToken,
    IdTokenStatus,
    Invitation,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    MemberRole,
    Membership,
    MembershipStatus,
    PaymentMethod,
    TransactionStatus,
    Trip,
    TripStatus,
    User,
    UserRole,
    WebSession,
)
from mobility.outbox import Outbox
from mobility.security import hash_password, new_token, verify_password

UNPAID = (InvoiceStatus.OPEN, InvoiceStatus.PAYMENT_FAILED)


def anonymous_email(user_id: int) -> str:
    """The address an erased account keeps (unique, reserved domain: never delivered)."""
    return f"deleted-{user_id}@deleted.invalid"


def _count(s: Session, stmt: Select[Any]) -> int:
    return int(s.scalar(stmt) or 0)


def activity(s: Session, user_id: int) -> rules.AccountActivity:
    """What ties the account to the platform now (see rules.deletion_problem)."""
    count = select(func.count())
    return rules.AccountActivity(
        open_bookings=_count(
            s,
            count.select_from(Booking).where(
                Booking.user_id == user_id, Booking.status.in_(HOLDING_STATES)
            ),
        ),
        active_trips=_count(
            s,
            count.select_from(Trip).where(
                Trip.user_id == user_id, Trip.status == TripStatus.ACTIVE
            ),
        ),
        active_charging=_count(
            s,
            count.select_from(ChargingTransaction).where(
                ChargingTransaction.user_id == user_id,
                ChargingTransaction.status == TransactionStatus.ACTIVE,
            ),
        ),
        owed_minor=_count(s, _owed(user_id)),
        sole_admin_of=_count(s, _sole_admin_of(user_id)),
    )


def _owed(user_id: int) -> Select[Any]:
    """The total of the user's own invoices not paid yet (company ones are the company's)."""
    return select(func.coalesce(func.sum(Invoice.total_minor), 0)).where(
        Invoice.user_id == user_id,
        Invoice.company_id.is_(None),
        Invoice.kind != InvoiceKind.CREDIT_NOTE,
        Invoice.status.in_(UNPAID),
    )


def _sole_admin_of(user_id: int) -> Select[Any]:
    """How many active fleet accounts have this user as their only active admin."""
    other = aliased(Membership)
    others = (
        select(other.id)
        .where(
            other.company_id == Membership.company_id,
            other.user_id != user_id,
            other.role == MemberRole.ADMIN,
            other.status == MembershipStatus.ACTIVE,
        )
        .exists()
    )
    return (
        select(func.count())
        .select_from(Membership)
        .join(Company, Company.id == Membership.company_id)
        .where(
            Membership.user_id == user_id,
            Membership.role == MemberRole.ADMIN,
            Membership.status == MembershipStatus.ACTIVE,
            Company.is_active,
            ~others,
        )
    )


def delete_account(
    db: Database, outbox: Outbox, user_id: int, password: str, locale: str | None = None
) -> SignInsEnded:
    """Erase the account's personal data after checking the password; it can never sign in.

    The farewell mail is in the account's language, else `locale` (the request's).
    """
    unusable = hash_password(new_token())  # hashed outside the transaction (scrypt is slow)
    with db.transaction() as s:
        user = s.get(User, user_id, with_for_update=True)
        if user is None or user.deleted_at is not None:
            raise NotFound("No such account.")
        if not verify_password(user.password_hash, password):
            raise Unauthorized(N_("The password is wrong."), field="password")
        problem = rules.deletion_problem(activity(s, user.id))
        if problem is not None:
            code, message = problem
            raise Conflict(message, code=code)
        old_email, customer = user.email, user.stripe_customer_id
        language = language_of(user.locale, locale)
        ended = end_sign_ins(s, user.id)
        _erase_links(s, user.id, old_email)
        _anonymise(user, unusable)
        forget_customer(s, outbox, customer)
        outbox.record(
            s,
            MAIL_KIND,
            f"mail:account-deleted:{user.id}",
            letter_intent(old_email, letters.ACCOUNT_DELETED, language),
            secret=True,  # the address is wiped from the outbox once the mail is out
        )
        return SignInsEnded(user, ended)


def _erase_links(s: Session, user_id: int, email: str) -> None:
    """Sign-ins, saved cards, charging cards, memberships and invitations of the account."""
    now = utcnow()
    s.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
    s.execute(delete(WebSession).where(WebSession.user_id == user_id))
    s.execute(delete(PaymentMethod).where(PaymentMethod.user_id == user_id))
    # Cards stay known to chargers as Blocked: whoever holds one can no longer charge with it.
    s.execute(
        update(IdToken)
        .where(IdToken.user_id == user_id)
        .values(user_id=None, status=IdTokenStatus.BLOCKED, label="", note=None, extra=None)
    )
    s.execute(
        update(Membership)
        .where(Membership.user_id == user_id)
        .values(status=MembershipStatus.REMOVED)
    )
    s.execute(
        update(Invitation)
        .where(Invitation.email == email, Invitation.accepted_at.is_(None))
        .where(Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    s.execute(
        update(Invitation).where(Invitation.email == email).values(email=anonymous_email(user_id))
    )


def _anonymise(user: User, unusable_hash: str) -> None:
    """Blank every personal field of the user row; nobody can sign in to it again."""
    user.email = anonymous_email(user.id)
    user.full_name = ""
    user.phone = None
    user.password_hash = unusable_hash
    user.role = UserRole.CITIZEN
    user.is_active = False
    user.locale = None
    user.stripe_customer_id = None
    user.stripe_payment_method_id = None
    user.last_login_at = None
    user.email_verified_at = None
    user.driving_licence_number = None
    user.driving_licence_country = None
    user.driving_licence_expires_on = None
    user.driving_licence_verified_at = None
    user.driving_licence_verified_by_id = None
    user.deleted_at = utcnow()
