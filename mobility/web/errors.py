"""Translate domain and HTTP errors at the edge: JSON for /api, an HTML page otherwise."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
from flask import Flask, jsonify, render_template
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from mobility.errors import DomainError, ServiceUnavailable
from mobility.web.auth import wants_json

log = logging.getLogger(__name__)


# How long a client should wait before trying again after an outage's 503.
RETRY_AFTER_SECONDS = 5
DATABASE_DOWN = "The database is unavailable right now; try again in a moment."
REDIS_DOWN = "Redis, which this needs, is unavailable right now; try again in a moment."


def _respond(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> Any:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if code == "service_unavailable" else {}
    if wants_json():
        body: dict[str, Any] = {"error": code, "message": message}
        if details:
            body["details"] = details
        return jsonify(body), status, headers
    page = render_template("error.html", status=status, code=code, message=message)
    return page, status, headers


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on `app`."""

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> Any:
        return _respond(exc.http_status, exc.code, exc.message, exc.details or None)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        code = (exc.name or "error").lower().replace(" ", "_")
        return _respond(exc.code or 500, code, exc.description or exc.name)

    # An outage of the database or Redis: say which (503), do not look like a bug (500).
    @app.errorhandler(OperationalError)
    @app.errorhandler(psycopg.OperationalError)
    @app.errorhandler(sqlite3.OperationalError)
    def database_down(exc: Exception) -> Any:
        log.warning("database unavailable: %s", str(exc).partition("\n")[0])
        return _respond(503, "service_unavailable", DATABASE_DOWN)

    @app.errorhandler(ServiceUnavailable)
    def service_down(exc: ServiceUnavailable) -> Any:
        return _respond(503, "service_unavailable", exc.message)

    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    def redis_down(exc: Exception) -> Any:
        log.warning("redis unavailable: %s", exc)
        return _respond(503, "service_unavailable", REDIS_DOWN)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        log.exception("unhandled error")
        return _respond(500, "internal_error", "Something went wrong on our side.")
