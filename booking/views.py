"""Server-rendered pages for citizens."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from mobility.models import Hub

bp = Blueprint("views", __name__)


@bp.get("/")
def index() -> str:
    """Hub list."""
    from booking.app import runtime

    with runtime().db.sessions() as s:
        hubs = s.scalars(select(Hub).order_by(Hub.name)).all()
        return render_template("index.html", hubs=hubs)
