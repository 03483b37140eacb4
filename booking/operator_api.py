"""Operator JSON API for chargers: list, live status, transactions, commands (OCPP issue)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("operator_api", __name__, url_prefix="/api/v1/operator")
