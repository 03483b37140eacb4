"""Alembic migrations build exactly the models' schema and come back down cleanly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mobility import migrations
from mobility.config import load_settings
from mobility.db import Database
from mobility.models import Base


def _diff(database: Database) -> list:
    with database.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)


def test_upgrade_head_matches_models_and_downgrade_base_empties(fresh_database_url):
    database = Database(load_settings({}, database_url=fresh_database_url("mobility_mig")))
    try:
        migrations.upgrade(database.engine)
        assert _diff(database) == []
        tables = set(inspect(database.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables

        migrations.downgrade(database.engine, "base")
        left = set(inspect(database.engine).get_table_names()) - {"alembic_version"}
        assert left == set()

        migrations.upgrade(database.engine)
        assert _diff(database) == []
    finally:
        database.dispose()
