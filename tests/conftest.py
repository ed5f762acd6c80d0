"""Fixtures every test shares: one migrated test database per run, empty again after each test.

The suite runs on SQLite by default (a temporary file) and on PostgreSQL when
HEADWAY_TEST_DATABASE_URL is set, as `scripts/with-postgres.sh` does in `make test`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from headway.config import Settings, get_settings
from headway.core.audit import Actor
from headway.core.db import get_engine, get_sessionmaker, upgrade_schema
from headway.main import create_app
from headway.tables import Base
from headway.users.models import Role, User
from headway.users.service import create_user
from tests.mailbox import Mailbox

TEST_SECRET_KEY = "headway-test-secret-key-not-for-production"

# Configuration rows the migrations seed: tests rely on them, so cleaning keeps them.
SEEDED_TABLES = frozenset(
    {
        "segments",
        "lifecycle_stages",
        "activity_types",
        "touch_requirements",
        "goal_templates",
        "outcome_templates",
        "plan_templates",
    }
)
# Seeded configuration that tests change (scorecards get versions, rules get edited): put
# back as the migrations left it after each test.
RESTORED_TABLES = frozenset(
    {
        "scorecards",
        "scorecard_versions",
        "ttfv_rules",
        "stage_rules",
        "business_hours",
        "holidays",
        "sla_policies",
        "surveys",
    }
)


# --- the database -----------------------------------------------------------------------
#
# Cleaning between tests, measured per test (tables empty / with a few rows): SQLite, one
# DELETE per table in one transaction, 0.15 / 0.25 ms; PostgreSQL, every DELETE sent in one
# round trip, 0.6 / 0.8 ms (one DELETE per round trip 1.3 / 1.8 ms; a single
# TRUNCATE ... RESTART IDENTITY 19 / 6 ms, as it replaces each table's files). Hence DELETE.


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the test database, migrated to the latest revision, and the app pointed at it."""
    url = os.environ.get("HEADWAY_TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('database') / 'headway.db'}"
    )
    upgrade_schema(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HEADWAY_DATABASE_URL", url)
        patch.setenv("HEADWAY_SECRET_KEY", TEST_SECRET_KEY)
        get_settings.cache_clear()
        yield url
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def empty_tables(database_url: str) -> Callable[[], None]:
    """A function that deletes every row of the test database but the seeded configuration."""
    engine = get_engine(database_url)
    existing = set(inspect(engine).get_table_names())
    # A model whose migration is missing has no table: test_migrations names it, and the
    # tests that don't use it still run.
    tables = [
        table
        for table in reversed(Base.metadata.sorted_tables)  # children before parents
        if table.name in existing and table.name not in SEEDED_TABLES | RESTORED_TABLES
    ]
    restored = [t for t in reversed(Base.metadata.sorted_tables) if t.name in RESTORED_TABLES]
    with engine.connect() as connection:
        seeded = {
            t.name: [dict(r._mapping) for r in connection.execute(t.select())] for t in restored
        }

    def restore() -> None:
        with engine.begin() as connection:
            for table in restored:
                connection.execute(table.delete())
            for table in reversed(restored):  # parents first
                if seeded[table.name]:
                    connection.execute(table.insert(), seeded[table.name])

    if engine.dialect.name == "postgresql":
        # A connection left open in a transaction would make DELETE wait forever: give up
        # after a while instead, with an error that names the lock.
        script = "SET LOCAL lock_timeout = '10s'; " + "; ".join(
            f'DELETE FROM "{table.name}"' for table in tables
        )

        def empty() -> None:
            with engine.begin() as connection:
                connection.exec_driver_sql(script)
            restore()

    else:

        def empty() -> None:
            with engine.begin() as connection:
                for table in tables:
                    connection.execute(table.delete())
            restore()

    # A database left behind by an interrupted run must not leak rows into this one.
    empty()
    return empty


@pytest.fixture(autouse=True)
def _clean_database(empty_tables: Callable[[], None]) -> Iterator[None]:
    """Empty every table after each test, whichever sessions or clients the test wrote through."""
    yield
    empty_tables()


@pytest.fixture
def session(_clean_database: None, database_url: str) -> Iterator[Session]:
    """A session on the test database, closed before the tables are cleaned."""
    session = get_sessionmaker(database_url)()
    try:
        yield session
    finally:
        session.close()


# --- named people and the app -------------------------------------------------------------
# Alice admin, Dave manager, Bob and Erin CSMs, Carol viewer: permission tests read like prose.
# Each logs in with "<first name>-password" (tests.helpers.password_of).

_PEOPLE = {
    "alice": ("Alice Adams", Role.ADMIN),
    "dave": ("Dave Davis", Role.MANAGER),
    "bob": ("Bob Brown", Role.CSM),
    "erin": ("Erin Evans", Role.CSM),
    "carol": ("Carol Clark", Role.VIEWER),
}


def _person(session: Session, first_name: str) -> User:
    name, role = _PEOPLE[first_name]
    return create_user(
        session=session,
        actor=Actor.system("test setup"),
        email=f"{first_name}@example.com",
        name=name,
        role=role,
        password=f"{first_name}-password",
    )


@pytest.fixture
def alice(session: Session) -> User:
    return _person(session, "alice")


@pytest.fixture
def dave(session: Session) -> User:
    return _person(session, "dave")


@pytest.fixture
def bob(session: Session) -> User:
    return _person(session, "bob")


@pytest.fixture
def erin(session: Session) -> User:
    return _person(session, "erin")


@pytest.fixture
def carol(session: Session) -> User:
    return _person(session, "carol")


@pytest.fixture
def app(database_url: str) -> FastAPI:
    """The web app on the test database."""
    return create_app(Settings(database_url=database_url, secret_key=TEST_SECRET_KEY))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A browser-like client of the app (keeps cookies between requests)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on a loopback port; `mailbox.port` is where to send."""
    box = Mailbox()
    box.start()
    try:
        yield box
    finally:
        box.stop()
