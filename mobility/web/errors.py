"""Translate domain and HTTP errors at the edge: JSON for /api, an HTML page otherwise."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
from flask import Flask, jsonify, render_template
from flask_wtf.csrf import CSRFError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from mobility.errors import N_, DomainError, Message, ServiceUnavailable
from mobility.web.auth import wants_json
from mobility.web.i18n import translated

log = logging.getLogger(__name__)

# Page headings per status (the citizen site's catalogue carries them: booking/catalogue.py).
TITLES = {
    400: N_("Request not understood"),
    401: N_("Please log in"),
    402: N_("Payment or limit"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not possible here"),
    409: N_("Not possible right now"),
    413: N_("Too large"),
    422: N_("Check what you entered"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
    502: N_("A device did not accept"),
    503: N_("Temporarily unavailable"),
    504: N_("No answer in time"),
}
# What a page says for HTTP errors (werkzeug's descriptions are English and technical).
HTTP_TEXTS = {
    400: N_("The request was not understood. Go back, reload the page and try again."),
    404: N_("There is no page at this address."),
    405: N_("This address does not take that kind of request."),
    413: N_("What you sent is too large."),
    429: N_("Too many attempts in a short time. Wait a minute and try again."),
}
CSRF_TEXT = N_(
    "The form's security token (CSRF) is missing or out of date: reload the page and try again."
)
UNEXPECTED = N_("Something went wrong on our side.")

# How long a client should wait before trying again after an outage's 503.
RETRY_AFTER_SECONDS = 5
DATABASE_DOWN = N_("The database is unavailable right now; try again in a moment.")
REDIS_DOWN = N_("Redis, which this needs, is unavailable right now; try again in a moment.")


def _respond(
    status: int, code: str, message: Message, details: dict[str, Any] | None = None
) -> Any:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if code == "service_unavailable" else {}
    if wants_json():
        body: dict[str, Any] = {"error": code, "message": str(message)}
        if details:
            body["details"] = details
        return jsonify(body), status, headers
    title = translated(TITLES.get(status, TITLES[500 if status >= 500 else 400]))
    page = render_template(
        "error.html", status=status, code=code, title=title, message=translated(message)
    )
    return page, status, headers


def _http_text(exc: HTTPException) -> Message:
    """What a page says for an HTTP error; JSON callers get werkzeug's own description."""
    if wants_json():
        return Message(exc.description or exc.name)
    if isinstance(exc, CSRFError):
        return CSRF_TEXT
    return HTTP_TEXTS.get(exc.code or 500) or Message(exc.description or exc.name)


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on `app`."""

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> Any:
        return _respond(exc.http_status, exc.code, exc.text, exc.details or None)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        code = (exc.name or "error").lower().replace(" ", "_")
        return _respond(exc.code or 500, code, _http_text(exc))

    # An outage of the database or Redis: say which (503), do not look like a bug (500).
    @app.errorhandler(OperationalError)
    @app.errorhandler(psycopg.OperationalError)
    @app.errorhandler(sqlite3.OperationalError)
    def database_down(exc: Exception) -> Any:
        log.warning("database unavailable: %s", str(exc).partition("\n")[0])
        return _respond(503, "service_unavailable", DATABASE_DOWN)

    @app.errorhandler(ServiceUnavailable)
    def service_down(exc: ServiceUnavailable) -> Any:
        return _respond(503, "service_unavailable", Message(str(exc)))

    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    def redis_down(exc: Exception) -> Any:
        log.warning("redis unavailable: %s", exc)
        return _respond(503, "service_unavailable", REDIS_DOWN)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        log.exception("unhandled error")
        return _respond(500, "internal_error", UNEXPECTED)
