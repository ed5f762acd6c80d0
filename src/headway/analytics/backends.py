"""Where Ibis expressions run: the app database, DuckDB over files, or Spark.

Each connection reads and groups days in UTC, whatever the server's or the machine's zone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend
from ibis.expr.types import Table
from sqlalchemy.engine import make_url

from headway.core.errors import InvalidInput

# File kinds by extension; a glob is read by the extension of its pattern.
FILE_FORMATS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "json",
    ".ndjson": "json",
    ".json": "json",
}


def connect_app_database(url: str) -> BaseBackend:
    """Connect Ibis to the app database of a SQLAlchemy URL (SQLite file or PostgreSQL)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise InvalidInput("rollups on SQLite need a database file, not an in-memory one")
        return ibis.sqlite.connect(parsed.database)
    if backend == "postgresql":
        connection = ibis.postgres.connect(
            host=parsed.host,
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            database=parsed.database,
            **{str(k): v for k, v in parsed.query.items()},
        )
        # Ibis sets it too; days are UTC days whatever the server's default zone.
        connection.raw_sql("SET TIME ZONE 'UTC'")
        return connection
    raise InvalidInput(f"rollups run on SQLite or PostgreSQL, not on {backend}")


def connect_duckdb() -> BaseBackend:
    """An in-process DuckDB whose days are UTC days."""
    connection = ibis.duckdb.connect()
    connection.raw_sql("SET TimeZone = 'UTC'")
    return connection


def connect_spark(session: Any) -> BaseBackend:
    """Ibis over a SparkSession (Ibis sets the session's time zone to UTC)."""
    return ibis.pyspark.connect(session)


def local_spark_session() -> Any:
    """Start a local SparkSession for warehouse-native rollups from the command line."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[*]")
        .appName("headway-rollups")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def file_format(path: str) -> str:
    """The kind of file a path or glob names: parquet, csv or json (JSON lines)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FILE_FORMATS:
        known = ", ".join(sorted(FILE_FORMATS))
        raise InvalidInput(f"{path}: cannot tell the file kind from {suffix!r}; expected {known}")
    return FILE_FORMATS[suffix]


def read_files(connection: BaseBackend, path: str) -> Table:
    """Read events from files (a path or a glob) with DuckDB or Spark."""
    kind = file_format(path)
    reader = getattr(connection, f"read_{kind}")
    try:
        table: Table = reader(path)
    except Exception as error:  # each engine raises its own kind of error
        raise InvalidInput(f"{path}: cannot read it as {kind}: {error}") from error
    return table
