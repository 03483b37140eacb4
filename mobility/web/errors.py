"""Translate domain and HTTP errors at the edge: JSON for /api, an HTML page otherwise."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
from flask import Flask, jsonify, render_template
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from mobility.errors import DomainError
from mobility.web.auth import wants_json

log = logging.getLogger(__name__)


def _respond(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> Any:
    if wants_json():
        body: dict[str, Any] = {"error": code, "message": message}
        if details:
            body["details"] = details
        return jsonify(body), status
    return render_template("error.html", status=status, code=code, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on `app`."""

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> Any:
        return _respond(exc.http_status, exc.code, exc.message, exc.details or None)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        code = (exc.name or "error").lower().replace(" ", "_")
        return _respond(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(OperationalError)
    @app.errorhandler(psycopg.OperationalError)
    @app.errorhandler(sqlite3.OperationalError)
    @app.errorhandler(RedisConnectionError)
    def dependency_down(exc: Exception) -> Any:
        # An outage of the database or Redis: say so (503), do not look like a bug (500).
        log.warning("dependency unavailable: %s", exc)
        return _respond(
            503, "service_unavailable", "A service we depend on is unavailable; try again shortly."
        )

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        log.exception("unhandled error")
        return _respond(500, "internal_error", "Something went wrong on our side.")
