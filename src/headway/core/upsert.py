"""INSERT ... ON CONFLICT on both databases: how rows are written exactly once, concurrently."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert(session: Session, model: type[Any]) -> Any:
    table = model.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for the {dialect} database")


def insert_new(
    session: Session,
    model: type[Any],
    rows: Sequence[dict[str, Any]],
    *,
    key: Sequence[str],
    returning: str,
) -> set[Any]:
    """Insert the rows whose `key` is not stored yet; return `returning` of those inserted.

    Rows that conflict with a stored row (or with another concurrent writer's) are skipped by
    the database itself, so two senders of the same row store it once.
    """
    if not rows:
        return set()
    statement = (
        _insert(session, model)
        .on_conflict_do_nothing(index_elements=list(key))
        .returning(model.__table__.c[returning])
    )
    # Rows as parameters, not inlined values: compiled once and cached, sent in batches.
    return set(session.scalars(statement, list(rows)).all())


def upsert(
    session: Session,
    model: type[Any],
    rows: Sequence[dict[str, Any]],
    *,
    key: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert the rows, or set `update` columns of the stored row with the same `key`."""
    if not rows:
        return
    statement = _insert(session, model)
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_={name: statement.excluded[name] for name in update}
    )
    session.execute(statement, list(rows))
