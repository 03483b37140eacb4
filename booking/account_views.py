"""The citizen's account pages: profile, language, e-mail and password, driving licence, and
their data.

Routes are added to the citizen pages' blueprint (endpoints `views.*`). Each form's errors are
shown next to the field they concern, and what was typed (but passwords) is kept.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from booking import accounts, data_export, erasure, licences
from booking.account_api import forget_tokens
from booking.context import ctx
from booking.views import _memberships, bp
from mobility.errors import DomainError
from mobility.models import User
from mobility.web.auth import current_user, login_required, login_user, logout_user, require_user
from mobility.web.extensions import login_limited
from mobility.web.i18n import choose_language, error_text, language

Page = Any

# Which input of each form a service's `field` points at (ids are unique on the page).
PASSWORD_FIELDS = {"current_password": "current_password", "password": "new_password"}
EMAIL_FIELDS = {"email": "new_email", "current_password": "email_password"}
LICENCE_FIELDS = {f: f for f in ("licence_number", "licence_country", "licence_expires_on")}


def field_errors(exc: DomainError, fields: dict[str, str], default: str) -> dict[str, str]:
    """A domain error as {input id: translated message}, on its field or the form's first."""
    field = exc.details.get("field")
    return {fields.get(str(field), default): error_text(exc)}


def countries() -> list[tuple[str, str]]:
    """ISO 3166 countries named in the page's language, by name."""
    names = get_locale().territories if get_locale() else {}
    found = [(code, name) for code, name in names.items() if len(code) == 2 and code.isalpha()]
    return sorted(found, key=lambda item: item[1])


def licence_state(user: User) -> str:
    """none, pending, verified or expired: what the profile says of the licence."""
    if user.driving_licence_number is None:
        return "none"
    expires = user.driving_licence_expires_on
    if expires is not None and expires < licences.today(ZoneInfo(ctx().settings.timezone)):
        return "expired"
    return "pending" if user.driving_licence_verified_at is None else "verified"


def profile_page(
    errors: dict[str, str] | None = None,
    form: Any = None,
    token: str | None = None,
    status: int = 200,
) -> Page:
    """The profile with its forms; `errors` by input id, `form` what was typed."""
    user_id = require_user().id
    with ctx().db.sessions() as s:
        user = s.get(User, user_id)
    assert user is not None
    return render_template(
        "profile.html",
        user=user,
        memberships=_memberships(user_id),
        token=token,
        errors=errors or {},
        form=form or {},
        card_saved=user.stripe_payment_method_id is not None,
        stripe_enabled=ctx().settings.stripe_enabled,
        licence=licence_state(user),
        countries=countries(),
    ), status


@bp.route("/profile", methods=["GET", "POST"])
@login_required
@login_limited
def profile() -> Page:
    """Profile, password change and API tokens."""
    if request.method == "GET":
        return profile_page()
    user = require_user()
    form = request.form
    if form.get("action") == "token":
        return profile_page(token=accounts.issue_token(ctx().db, user.id, "web"))
    try:
        ended = ctx().accounts.change_password(
            user.id,
            form.get("current_password", ""),
            form.get("new_password", ""),
            locale=language(),
        )
    except DomainError as exc:
        errors = field_errors(exc, PASSWORD_FIELDS, "current_password")
        return profile_page(errors, form, status=exc.http_status)
    login_user(ended.user, end_others=True)  # every other browser and token is signed out
    forget_tokens(ended.token_digests)
    flash(_("Password changed. Every other browser and app was signed out."))
    return profile_page()


@bp.post("/profile/language")
@login_required
def save_language() -> Page:
    """Choose the language of the site and of the mails we send (as the header switch does)."""
    if not choose_language(request.form.get("language", "")):
        errors = {"language": _("Choose one of the languages in the list.")}
        return profile_page(errors, request.form, status=422)
    flash(_("Language saved: the site and the mails we send you use it."))
    return redirect(url_for("views.profile", _anchor="language-title"))


@bp.post("/profile/email")
@login_required
@login_limited
def change_email() -> Page:
    """Mail a link to the new address; the address changes once it is opened."""
    form = request.form
    try:
        new = ctx().accounts.request_email_change(
            require_user().id,
            form.get("new_email", ""),
            form.get("email_password", ""),
            locale=language(),
        )
    except DomainError as exc:
        errors = field_errors(exc, EMAIL_FIELDS, "new_email")
        return profile_page(errors, form, status=exc.http_status)
    flash(_("Check your e-mail: open the link we sent to %(email)s to use it.", email=new))
    return redirect(url_for("views.profile"))


@bp.get("/confirm-email-change/<token>")
def confirm_email_change(token: str) -> Page:
    """Open the link mailed to the new address: the account now uses it."""
    try:
        user = ctx().accounts.confirm_email_change(token, locale=language())
    except DomainError as exc:
        heading = _("Link not valid")
        return render_template("check_email.html", heading=heading, error=error_text(exc)), 400
    flash(_("Your account now uses %(email)s.", email=user.email))
    signed_in = current_user()
    if signed_in is not None and signed_in.id == user.id:
        return redirect(url_for("views.profile"))
    return redirect(url_for("views.login"))


@bp.post("/profile/licence")
@login_required
def save_licence() -> Page:
    """Enter or change the driving licence; new details wait for our team's check."""
    form = request.form
    try:
        licences.save(
            ctx().db,
            require_user().id,
            form.get("licence_number", ""),
            form.get("licence_country", ""),
            form.get("licence_expires_on", ""),
            ZoneInfo(ctx().settings.timezone),
        )
    except DomainError as exc:
        errors = field_errors(exc, LICENCE_FIELDS, "licence_number")
        return profile_page(errors, form, status=exc.http_status)
    flash(_("Driving licence saved. Our team checks it before your first e-car booking."))
    return redirect(url_for("views.profile", _anchor="licence-title"))


@bp.get("/profile/export")
@login_required
def export_data() -> Response:
    """Download everything the platform holds about the user, as JSON."""
    document = data_export.export(ctx().db, require_user().id)
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": "attachment; filename=my-mobility-data.json",
            "Cache-Control": "no-store",
        },
    )


@bp.route("/profile/delete", methods=["GET", "POST"])
@login_required
@login_limited
def delete_account() -> Page:
    """Confirm with the password, then erase the account (refused while something is open)."""
    if request.method == "GET":
        return render_template("delete_account.html", errors={}, problem=None)
    try:
        ended = erasure.delete_account(
            ctx().db,
            ctx().outbox,
            require_user().id,
            request.form.get("password", ""),
            locale=language(),
        )
    except DomainError as exc:
        if exc.details.get("field") == "password":
            errors, problem = {"password": error_text(exc)}, None
        else:
            errors, problem = {}, error_text(exc)
        page = render_template("delete_account.html", errors=errors, problem=problem)
        return page, exc.http_status
    forget_tokens(ended.token_digests)
    logout_user()
    flash(_("Your account is deleted. Invoices are kept, as the law requires."))
    return redirect(url_for("views.index"))
