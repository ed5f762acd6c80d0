"""Imports of small keyed tables (exchange rates, spend): one value per natural key, upserted."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from sqlalchemy import select, tuple_, update

from headway.core.audit import Actor, AuditEntry, changed, jsonable
from headway.core.db import Base
from headway.importers.rows import KindImport, ParsedRow, RowError, chunked, insert_rows, lookup


def refuse_unknown_columns(importer: KindImport, known: Iterable[str]) -> None:
    """Record an error for each header Headway does not read: a lost value must not pass."""
    names = list(known)
    for _, name in importer.columns.traits:
        importer.errors.append(
            RowError(
                importer.file,
                1,
                name,
                name,
                f"only the columns {', '.join(names[:-1])} and {names[-1]} "
                "(remove or rename this column)",
            )
        )


class KeyedTableImport(KindImport):
    """Upserts rows by a natural key; only `value_column` can change, and every write is audited."""

    model: ClassVar[type[Base]]
    key_columns: ClassVar[tuple[str, ...]]
    value_column: ClassVar[str]
    audited_fields: ClassVar[tuple[str, ...]]

    def write(self, rows: Iterable[ParsedRow], *, actor: Actor) -> None:
        for chunk in chunked(rows):
            self._write_chunk(chunk, actor)

    def _key(self, values: Any) -> tuple[Any, ...]:
        get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
        return tuple(get(name) for name in self.key_columns)

    def _select(self, *columns: str) -> Any:
        model: Any = self.model
        return select(model.id, *(getattr(model, name) for name in columns))

    def _where_key_in(self, query: Any, keys: list[tuple[Any, ...]]) -> Any:
        model: Any = self.model
        return query.where(tuple_(*(getattr(model, n) for n in self.key_columns)).in_(keys))

    def _write_chunk(self, chunk: list[ParsedRow], actor: Actor) -> None:
        value = self.value_column
        wanted = [self._key(p.values) for p in chunk]
        stored_rows = lookup(
            self.session,
            self._where_key_in(self._select(*self.key_columns, value), wanted),
        )
        existing = {self._key(row): row for row in stored_rows}
        new_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for parsed in chunk:
            stored = existing.get(self._key(parsed.values))
            if stored is None:
                new_rows.append({**parsed.values, "created_at": self.now, "updated_at": self.now})
                continue
            old, new = changed({value: getattr(stored, value)}, {value: parsed.values[value]})
            if not new:
                self.counts.unchanged += 1
                continue
            self.counts.updated += 1
            updates.append({"id": stored.id, value: parsed.values[value], "updated_at": self.now})
            audits.append(self.audit(actor, "update", stored.id, None, old, new))
        if new_rows:
            insert_rows(self.session, self.model, new_rows)
            by_key = {self._key(r): r for r in new_rows}
            inserted = lookup(
                self.session,
                self._where_key_in(self._select(*self.key_columns), list(by_key)),
            )
            for row in inserted:
                values = by_key[self._key(row)]
                snapshot = {name: jsonable(values[name]) for name in self.audited_fields}
                audits.append(self.audit(actor, "create", row.id, None, None, snapshot))
            self.counts.created += len(new_rows)
        if updates:
            self.session.execute(update(self.model), updates)
        if audits:
            insert_rows(self.session, AuditEntry, audits)
