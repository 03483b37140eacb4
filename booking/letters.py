"""The mails citizens and fleet members get, written once and sent in their own language.

Use cases record a letter's name and values (mobility.letters.letter_intent); the mail handler
renders it here, after commit, with a Writer for the recipient's language. Links and codes
stand on lines of their own, so a mail program never breaks them.
"""

from __future__ import annotations

from mobility.driving_licence import REFUSAL_LETTER
from mobility.letters import Letter, Mail, Values, Writer

CONFIRM_EMAIL = "confirm-email"
SIGNUP_ATTEMPT = "signup-attempt"
PASSWORD_RESET = "password-reset"  # noqa: S105 (a letter's name, not a secret)
PASSWORD_CHANGED = "password-changed"  # noqa: S105 (a letter's name)
EMAIL_CHANGE = "email-change"
EMAIL_CHANGE_TAKEN = "email-change-taken"
EMAIL_CHANGED = "email-changed"
ACCOUNT_DELETED = "account-deleted"
FLEET_INVITATION = "fleet-invitation"


def confirm_email(t: Writer, v: Values) -> Mail:
    """The link that confirms a new account's address."""
    name = v.get("name")
    return Mail(
        t.gettext("Confirm your e-mail address"),
        [
            t.gettext("Welcome, %(name)s.", name=name) if name else t.gettext("Welcome."),
            t.gettext("Open this link within 3 days to confirm your e-mail address, then sign in:"),
            v["link"],
            t.gettext(
                "If you did not create an account, ignore this mail: without the link,"
                " nothing happens."
            ),
        ],
    )


def signup_attempt(t: Writer, v: Values) -> Mail:
    """Told to the owner of an address someone tried to register again."""
    return Mail(
        t.gettext("Someone tried to register with your address"),
        [
            t.gettext(
                "Someone (perhaps you) tried to register on the mobility hub platform with this"
                " e-mail address. It already has an account, so no new one was made."
            ),
            t.gettext("Sign in:") + "\n" + v["login_url"],
            t.gettext("Forgot your password? Reset it:") + "\n" + v["reset_url"],
            t.gettext("If it was not you, you can ignore this mail."),
        ],
    )


def password_reset(t: Writer, v: Values) -> Mail:
    """The link to choose a new password."""
    return Mail(
        t.gettext("Reset your password"),
        [
            t.gettext(
                "Someone (we hope you) asked to reset the password of your mobility hub account."
                " Open this link within an hour to choose a new one:"
            ),
            v["link"],
            t.gettext("If it was not you, ignore this mail: your password stays as it is."),
        ],
    )


def password_changed(t: Writer, v: Values) -> Mail:
    """Told after a password change, with the way back if it was not the owner."""
    return Mail(
        t.gettext("Your password was changed"),
        [
            t.gettext(
                "The password of your mobility hub account was changed on %(when)s, and every"
                " other browser and app was signed out.",
                when=t.moment(v["at"]),
            ),
            t.gettext("If it was not you, reset your password now and tell us:"),
            v["reset_url"],
        ],
    )


def email_change(t: Writer, v: Values) -> Mail:
    """The link, sent to the new address, that moves an account to it."""
    return Mail(
        t.gettext("Confirm your new address"),
        [
            t.gettext(
                "Open this link within a day to use this address for your mobility hub account:"
            ),
            v["link"],
            t.gettext(
                "If you did not ask for it, ignore this mail: nothing changes without the link."
            ),
        ],
    )


def email_change_taken(t: Writer, v: Values) -> Mail:
    """Told to an address with an account that another account asked to move to."""
    return Mail(
        t.gettext("Your address was not changed"),
        [
            t.gettext(
                "Someone (perhaps you) asked to move another mobility hub account to this"
                " address. It already has an account, so nothing was changed."
            )
        ],
    )


def email_changed(t: Writer, v: Values) -> Mail:
    """Told to the old address once an account moved to a new one."""
    return Mail(
        t.gettext("Your address was changed"),
        [
            t.gettext(
                "On %(when)s, the e-mail address of your mobility hub account was changed to"
                " %(email)s.",
                when=t.moment(v["at"]),
                email=v["email"],
            ),
            t.gettext(
                "If it was not you, contact the operator at once: this address can no longer"
                " reset the password."
            ),
        ],
    )


def account_deleted(t: Writer, v: Values) -> Mail:
    """The farewell after an account's personal data was erased."""
    return Mail(
        t.gettext("Your account is deleted"),
        [
            t.gettext(
                "Your mobility hub account is deleted: your name, e-mail address, phone, driving"
                " licence, saved card and charging cards are erased. Invoices are kept, as the"
                " law requires, with the billing details they were issued with."
            ),
            t.gettext("Thank you for riding with us."),
        ],
    )


def fleet_invitation(t: Writer, v: Values) -> Mail:
    """An invitation to join a company's fleet account, with its link and code."""
    return Mail(
        t.gettext("Join %(company)s on the mobility hub platform", company=v["company"]),
        [
            t.gettext(
                "%(inviter)s invites you to book and ride under the fleet account of"
                " %(company)s. Open this link by %(expires)s to join:",
                inviter=v["inviter"],
                company=v["company"],
                expires=t.moment(v["expires_at"]),
            ),
            v["link"],
            t.gettext("In the app, enter this invitation code instead:"),
            v["code"],
        ],
    )


def licence_refused(t: Writer, v: Values) -> Mail:
    """Why an operator refused the driving licence a citizen entered."""
    return Mail(
        t.gettext("Your driving licence"),
        [
            t.gettext(
                "We could not accept the driving licence you entered on the mobility hub platform:"
            ),
            v["reason"],
            t.gettext("Enter it again on your profile:"),
            v["profile_url"],
        ],
    )


LETTERS: dict[str, Letter] = {
    CONFIRM_EMAIL: confirm_email,
    SIGNUP_ATTEMPT: signup_attempt,
    PASSWORD_RESET: password_reset,
    PASSWORD_CHANGED: password_changed,
    EMAIL_CHANGE: email_change,
    EMAIL_CHANGE_TAKEN: email_change_taken,
    EMAIL_CHANGED: email_changed,
    ACCOUNT_DELETED: account_deleted,
    FLEET_INVITATION: fleet_invitation,
    REFUSAL_LETTER: licence_refused,
}
