"""The migrations build, from an empty database, exactly the schema the models describe.

Runs on a database of its own (never the shared test database): a new SQLite file, or on
PostgreSQL a `headway_migrations` database on the server of HEADWAY_TEST_DATABASE_URL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_alembic import MigrationContext
from pytest_alembic.tests import default as pytest_alembic_tests
from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from headway.core.db import alembic_config as headway_alembic_config
from headway.core.db import normalise_url
from headway.tables import Base

MIGRATIONS_DATABASE = "headway_migrations"


@pytest.fixture
def migrations_database(tmp_path: Path) -> Iterator[Engine]:
    """An empty database for each test: a new SQLite file, or a recreated PostgreSQL database."""
    server_url = os.environ.get("HEADWAY_TEST_DATABASE_URL")
    if not server_url:
        # A plain engine, as `headway db upgrade` runs migrations with one.
        engine = create_engine(f"sqlite:///{tmp_path / 'migrations.db'}", poolclass=NullPool)
        yield engine
        engine.dispose()
        return
    url = make_url(normalise_url(server_url))
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {MIGRATIONS_DATABASE} WITH (FORCE)")
        connection.exec_driver_sql(f"CREATE DATABASE {MIGRATIONS_DATABASE}")
    engine = create_engine(url.set(database=MIGRATIONS_DATABASE), poolclass=NullPool)
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE {MIGRATIONS_DATABASE} WITH (FORCE)")
    admin.dispose()


@pytest.fixture
def alembic_engine(migrations_database: Engine) -> Iterator[Connection]:
    """What pytest-alembic migrates through: a connection, since Headway's env.py takes one."""
    with migrations_database.connect() as connection:
        yield connection


@pytest.fixture
def alembic_config(migrations_database: Engine) -> Any:
    """Headway's own Alembic configuration, the one `headway db upgrade` uses."""
    return headway_alembic_config(migrations_database.url.render_as_string(hide_password=False))


# pytest-alembic's checks, under names that say what they assert.
test_the_history_has_a_single_head = pytest_alembic_tests.test_single_head_revision
test_an_empty_database_upgrades_to_head = pytest_alembic_tests.test_upgrade
test_the_models_match_the_migrations = pytest_alembic_tests.test_model_definitions_match_ddl
test_every_migration_downgrades_and_upgrades_again = pytest_alembic_tests.test_up_down_consistency


def test_downgrading_to_base_removes_every_table_and_upgrading_seeds_again(
    alembic_runner: MigrationContext, alembic_engine: Connection
) -> None:
    alembic_runner.migrate_up_to("heads")
    assert set(Base.metadata.tables) <= set(inspect(alembic_engine).get_table_names())

    alembic_runner.migrate_down_to("base")
    assert set(inspect(alembic_engine).get_table_names()) <= {"alembic_version"}

    alembic_runner.migrate_up_to("heads")
    for seeded in ("segments", "lifecycle_stages"):
        count = alembic_engine.execute(select(func.count()).select_from(table(seeded))).scalar()
        assert count, f"{seeded} is empty after upgrading again"
