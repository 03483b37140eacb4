"""Run Alembic migrations from code (CLI, tests) against a given engine."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from sqlalchemy import Engine

from alembic import command

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic config pointing at this repository's alembic/ folder."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["engine"] = engine
    return cfg


def _with_connection(engine: Engine, action: str, target: str) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, target)


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the database schema up to `target`."""
    _with_connection(engine, "upgrade", target)


def downgrade(engine: Engine, target: str = "base") -> None:
    """Take the database schema down to `target`."""
    _with_connection(engine, "downgrade", target)
