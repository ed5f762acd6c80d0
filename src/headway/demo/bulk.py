"""Bulk writing for the demo company: chunked inserts, COPY on PostgreSQL, reserved ids.

Rows go in with SQLAlchemy Core (or COPY), inside the caller's transaction, skipping the ORM's
per-row work. Tables whose rows others refer to get their ids reserved up front, so children
can be written without reading ids back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any, cast

import numpy as np
from sqlalchemy import JSON, Table, func, insert, select, text
from sqlalchemy.orm import Session

from headway.core.db import Base
from headway.core.errors import InvalidInput

CHUNK_ROWS = 5_000


class JSONText(str):
    """A JSON document already written as text: stored as it is, not encoded again."""


# Called as work goes on: (what is being written, rows done, rows in all).
Progress = Callable[[str, int, int], None]


def no_progress(step: str, done: int, total: int) -> None:
    """Report no progress (the default of quiet runs)."""


def chunks(total: int) -> Iterator[slice]:
    """Slices of at most CHUNK_ROWS rows covering range(total)."""
    for start in range(0, total, CHUNK_ROWS):
        yield slice(start, min(start + CHUNK_ROWS, total))


def datetimes(values: np.ndarray) -> list[datetime]:
    """numpy datetime64 values (never NaT) as aware UTC datetimes."""
    return [v.replace(tzinfo=UTC) for v in values.astype("datetime64[us]").astype(object).tolist()]


def dates(values: np.ndarray) -> list[date | None]:
    """numpy datetime64[D] values as dates (NaT as None)."""
    return values.astype("datetime64[D]").astype(object).tolist()


def days(values: np.ndarray) -> np.ndarray:
    """Day numbers (days since 1970-01-01; negative = none) as datetime64[D] (NaT = none)."""
    return np.where(values >= 0, values, np.iinfo(np.int64).min).astype("datetime64[D]")


def at_hour(values: np.ndarray, hour: int) -> np.ndarray:
    """Day numbers as datetime64[s] at an hour of the day (UTC)."""
    return (values * 86_400 + hour * 3_600).astype("datetime64[s]")


def optional(values: np.ndarray) -> list[int | None]:
    """Integers with -1 meaning none."""
    return [None if v < 0 else v for v in values.tolist()]


def table_of(model: type[Base]) -> Table:
    """The Core table of a model: Core inserts skip the ORM's per-row work."""
    return cast(Table, model.__table__)


def rows_of(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Turn equally long columns into the row dicts an executemany takes."""
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def insert_rows(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert rows in bulk: COPY on PostgreSQL (several times faster), executemany elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection.connection.driver_connection, table_of(model), rows)
    else:
        session.execute(insert(table_of(model)), rows)


Column = np.ndarray | list[Any]


def insert_columns(
    session: Session,
    model: type[Base],
    columns: dict[str, Column],
    *,
    step: str = "",
    progress: Progress = no_progress,
) -> None:
    """Insert equally long columns in chunks, reporting progress per chunk.

    numpy datetime64 columns are timestamps (datetime64[D]: dates), NaT standing for none.
    On SQLite the rows go straight to the driver: the values are turned into what SQLAlchemy
    would store, column by column, instead of value by value through its type machinery.
    """
    total = len(next(iter(columns.values()))) if columns else 0
    connection = session.connection()
    dialect = connection.dialect
    table = table_of(model)
    names = list(columns)
    quoted = ", ".join(f'"{name}"' for name in names)
    placeholders = ", ".join("?" for _ in names)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({placeholders})'
    for part in chunks(total):
        if dialect.name == "sqlite":
            cells = [_sqlite_cells(table.c[name], columns[name][part], dialect) for name in names]
            connection.exec_driver_sql(sql, list(zip(*cells, strict=True)))
        else:
            cells = [_python_cells(columns[name][part]) for name in names]
            insert_rows(
                session,
                model,
                [dict(zip(names, row, strict=True)) for row in zip(*cells, strict=True)],
            )
        if step:
            progress(step, part.stop, total)


def _python_cells(values: Column) -> list[Any]:
    """Values as Python objects: aware datetimes, dates, None for NaT."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        if np.datetime_data(values.dtype)[0] == "D":
            return values.astype(object).tolist()
        return [
            None if v is None else v.replace(tzinfo=UTC)
            for v in values.astype("datetime64[us]").astype(object).tolist()
        ]
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def _sqlite_cells(column: Any, values: Column, dialect: Any) -> list[Any]:
    """Values as SQLite stores them for a column (SQLAlchemy's formats)."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        missing = np.isnat(values).tolist()
        if np.datetime_data(values.dtype)[0] == "D":
            text = np.datetime_as_string(values, unit="D").tolist()
            return [None if m else t for t, m in zip(text, missing, strict=True)]
        text = np.datetime_as_string(values, unit="us").tolist()
        return [None if m else t.replace("T", " ") for t, m in zip(text, missing, strict=True)]
    cells = values.tolist() if isinstance(values, np.ndarray) else list(values)
    if cells and isinstance(cells[0], JSONText):
        return cells
    process = column.type._cached_bind_processor(dialect)
    return cells if process is None else [None if v is None else process(v) for v in cells]


def _copy(driver_connection: Any, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY rows into a PostgreSQL table, in the session's transaction (psycopg 3)."""
    from psycopg.types.json import Jsonb

    columns = list(rows[0])
    is_json = [isinstance(table.c[name].type, JSON) for name in columns]
    names = ", ".join(f'"{name}"' for name in columns)
    with (
        driver_connection.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    (Jsonb(value, dumps=str) if isinstance(value, JSONText) else Jsonb(value))
                    if json
                    else value
                    for value, json in zip(row.values(), is_json, strict=True)
                ]
            )


def reserve_ids(session: Session, model: type[Base], count: int) -> int:
    """Reserve `count` consecutive ids of a table for explicit inserts; return the first."""
    table = table_of(model)
    if session.connection().dialect.name == "postgresql":
        if count == 0:
            return 1
        # nextval hands out the first id; moving the sequence past the last keeps the block
        # ours whoever inserts next.
        last = session.scalar(
            text(
                "SELECT setval(pg_get_serial_sequence(:name, 'id'), "
                "nextval(pg_get_serial_sequence(:name, 'id')) + :count - 1)"
            ),
            {"name": table.name, "count": count},
        )
        return int(last or 0) - count + 1
    # SQLite gives a new row the largest id plus one, so the block after it is free.
    return int(session.scalar(select(func.max(table.c.id))) or 0) + 1


def ids_by_key(rows: list[Any], keys: tuple[str, ...], what: str) -> list[int]:
    """Database ids of configuration rows by key, in the order of keys; refuse missing ones."""
    ids = {row.key: row.id for row in rows}
    missing = [key for key in keys if key not in ids]
    if missing:
        raise InvalidInput(
            f"the demo company needs the default {what}s, but {', '.join(missing)} "
            "is missing from this database"
        )
    return [ids[key] for key in keys]
