"""What the three kinds of import share: row errors, parsed rows, duplicates, chunked writes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, ClassVar, TypeVar, TypeVarTuple

from sqlalchemy import Row, Select, Table, text
from sqlalchemy.orm import Session

from headway.core.audit import Actor, audit_row
from headway.importers.columns import ColumnMap, ImportKind, column_letter
from headway.importers.values import BadValue

# Rows written per statement: large enough to amortise round trips, small enough for SQLite's
# limit of bound parameters and for constant memory.
CHUNK_ROWS = 1000
MAX_SHOWN_VALUE = 120

T = TypeVar("T")
Columns = TypeVarTuple("Columns")


@dataclass(frozen=True)
class RowError:
    """One bad value: its file, row (as a spreadsheet numbers it), column, and what was expected."""

    file: str
    row: int | None
    column: str | None
    value: str
    expected: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        shown = f"{self.value!r}: " if self.value else ""
        return f"{', '.join(where)}: {shown}expected {self.expected}"


@dataclass
class ParsedRow:
    """A valid row: its id, the fields the file gives (None = emptied) and its trait values."""

    row: int
    key: str
    values: dict[str, Any]
    traits: dict[str, str | None] = field(default_factory=dict)

    def fingerprint(self) -> int:
        # A 64-bit hash is enough to tell identical duplicates from conflicting ones, and it
        # keeps the per-id memory small (ids are kept, rows are not).
        return hash((tuple(sorted(self.values.items())), tuple(sorted(self.traits.items()))))


class Cells:
    """One row's cells, read by field name through the file's column map."""

    def __init__(self, columns: ColumnMap, cells: list[str]) -> None:
        self.columns = columns
        self.cells = cells

    def get(self, name: str) -> str | None:
        """The trimmed text of a field, '' when empty, None when the file has no such column."""
        index = self.columns.fields.get(name)
        if index is None:
            return None
        return self.cells[index] if index < len(self.cells) else ""

    def traits(self) -> dict[str, str | None]:
        """The values of the columns Headway does not know, by header (None when empty)."""
        return {
            name: (self.cells[i] or None) if i < len(self.cells) else None
            for i, name in self.columns.traits
        }


class Missing:
    """The column is not in the file (or its value was bad): leave the field alone."""

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = Missing()


@dataclass
class Counts:
    """What the writing pass did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class KindImport:
    """Checks and writes the rows of one kind; subclasses parse a row and write chunks."""

    kind: ClassVar[ImportKind]
    key_field: ClassVar[str]
    entity_type: ClassVar[str]  # what the audit log calls the rows this import writes

    def __init__(self, *, session: Session, columns: ColumnMap, file: str, now: datetime) -> None:
        self.session = session
        self.columns = columns
        self.file = file
        self.now = now
        self.errors: list[RowError] = []
        self.rows = 0
        self.duplicates = 0
        self.counts = Counts()
        # id → (fingerprint, first row): the only memory that grows with the file.
        self.first_rows: dict[str, tuple[int, int]] = {}
        self.bad_keys: set[str] = set()

    # --- checking ------------------------------------------------------------------------

    def audit(
        self,
        actor: Actor,
        verb: str,
        entity_id: int,
        account_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any],
    ) -> dict[str, Any]:
        """An audit row ("<entity>.<verb>") of a row this import writes, at the import's time."""
        return audit_row(
            actor=actor,
            action=f"{self.entity_type}.{verb}",
            entity_type=self.entity_type,
            entity_id=entity_id,
            account_id=account_id,
            before=before,
            after=after,
            at=self.now,
        )

    def error(self, row: int | None, name: str | None, value: str, expected: str) -> None:
        """Record a bad value of a field (named by the file's own header)."""
        column = self.columns.header_of(name) if name else None
        if len(value) > MAX_SHOWN_VALUE:
            value = value[: MAX_SHOWN_VALUE - 1] + "…"
        self.errors.append(RowError(self.file, row, column, value, expected))

    def take(
        self,
        row: int,
        cells: Cells,
        name: str,
        parse: Callable[[str], Any] | None = None,
        *,
        required: bool = False,
    ) -> Any:
        """Read and parse one field: its value, None when empty, MISSING when absent or bad."""
        raw = cells.get(name)
        if raw is None:
            return MISSING
        if raw == "":
            if required:
                self.error(row, name, "", "a value: this column is required")
                return MISSING
            return None
        try:
            return parse(raw) if parse else raw
        except BadValue as problem:
            self.error(row, name, raw, str(problem))
            return MISSING

    def check(self, row: int, cells: list[str]) -> None:
        """First pass: validate one row, and remember its id to find duplicates and references."""
        self.rows += 1
        first_error = len(self.errors)
        self._check_unnamed(row, cells)
        parsed = self.parse(row, Cells(self.columns, cells))
        if len(self.errors) > first_error + 1:
            # Parsers read fields in the order they need them; people read left to right.
            self.errors[first_error:] = sorted(self.errors[first_error:], key=self._position)
        if parsed is None:
            key = Cells(self.columns, cells).get(self.key_field)
            if key:
                self.bad_keys.add(key)
            self.note_references(row, Cells(self.columns, cells))
            return
        fingerprint = parsed.fingerprint()
        seen = self.first_rows.get(parsed.key)
        if seen is None:
            self.first_rows[parsed.key] = (fingerprint, row)
            self.remember(parsed)
            self.note_references(row, Cells(self.columns, cells))
        elif seen[0] == fingerprint:
            self.duplicates += 1
        else:
            self.error(
                row,
                self.key_field,
                self.key_value(parsed),
                f"the same values as row {seen[1]}, which has this {self.key_label()} too "
                "(rows of one id must agree)",
            )

    def _position(self, error: RowError) -> int:
        try:
            return self.columns.header.index(error.column or "")
        except ValueError:
            return len(self.columns.header)

    def key_value(self, parsed: ParsedRow) -> str:
        """The id of a row as the file writes it (for messages)."""
        return parsed.key

    def key_label(self) -> str:
        """The name of the id column as the file writes it (for messages)."""
        return self.columns.header_of(self.key_field)

    def _check_unnamed(self, row: int, cells: list[str]) -> None:
        width = len(self.columns.header)
        for index in [*self.columns.unnamed, *range(width, len(cells))]:
            if index < len(cells) and cells[index]:
                self.errors.append(
                    RowError(
                        self.file,
                        row,
                        f"column {column_letter(index)}",
                        cells[index][:MAX_SHOWN_VALUE],
                        "no value: this column has no name in the header row",
                    )
                )

    def parse(self, row: int, cells: Cells) -> ParsedRow | None:
        """Parse one row into its fields, recording every bad value; None when any was bad."""
        raise NotImplementedError

    def remember(self, parsed: ParsedRow) -> None:
        """Note what the checks after the last row need from a valid row."""

    def note_references(self, row: int, cells: Cells) -> None:
        """Note references to rows that may come further down (bad rows included)."""

    def finish_checks(self) -> None:
        """Checks that need the whole file: references to rows further down."""

    # --- writing -------------------------------------------------------------------------

    def reparse(self, rows: Iterable[tuple[int, list[str]]]) -> Iterator[ParsedRow]:
        """Second pass: the valid rows again, each id once (identical duplicates skipped)."""
        for row, cells in rows:
            parsed = self.parse(row, Cells(self.columns, cells))
            if parsed is not None and self.first_rows.get(parsed.key, (0, row))[1] == row:
                yield parsed

    def write(self, rows: Iterable[ParsedRow], *, actor: Actor) -> None:
        """Upsert the rows in chunks, with an audit row for each created or changed one."""
        raise NotImplementedError


def chunked(items: Iterable[T], size: int = CHUNK_ROWS) -> Iterator[list[T]]:
    """Split an iterable into lists of at most `size` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def merge_traits(current: dict[str, Any] | None, given: dict[str, str | None]) -> dict[str, Any]:
    """Apply a row's trait columns: a value sets the trait, an empty cell removes it."""
    merged = dict(current or {})
    for name, value in given.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


def insert_rows(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert many rows with one executemany.

    Core, without RETURNING: the ORM's RETURNING batches were several times slower (bench/).
    """
    if rows:
        table: Table = model.__table__
        session.execute(table.insert(), rows)


def lookup(session: Session, statement: Select[*Columns]) -> list[Row[*Columns]]:
    """Run a lookup by keys; on PostgreSQL, planned for its own values every time.

    psycopg prepares a statement run 5 times, and PostgreSQL may then keep a generic plan made
    while the tables were nearly empty (a sequential scan) for the rest of the import, which
    slows down with every chunk written. Forcing custom plans for the whole transaction would
    re-plan every INSERT too (measured slower), hence only around lookups.
    """
    if session.get_bind().dialect.name != "postgresql":
        return list(session.execute(statement))
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    try:
        return list(session.execute(statement))
    finally:
        session.execute(text("SET LOCAL plan_cache_mode = auto"))
