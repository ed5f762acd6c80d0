"""Event files (JSONL, CSV, Parquet) read as a stream of messages, in constant memory.

A file is recognised by its content: Parquet by its magic bytes, JSONL when it starts with
`{`, CSV otherwise. The shape of its rows (Segment-shaped or flat) by its header, or by the
first record of a JSONL file. Each row becomes a Segment message, checked by `read_message`
exactly as the ingestion API checks one, so a row and the same message sent to /v1/batch are
one event.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Generator, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from headway.usage.event_rows import (
    FLAT,
    SEGMENT,
    CellProblem,
    Columns,
    EventFileRefused,
    EventRowError,
    flat_fields,
    flat_message,
    refused_expected,
    refused_field,
    resolve_columns,
    segment_message,
    shape_of_keys,
    shown,
)
from headway.usage.messages import Message, MessageRefused, merge_batch_fields, read_message

_PARQUET_MAGIC = b"PAR1"
_DELIMITERS = (",", ";", "\t")
PARQUET_BATCH_ROWS = 1000

# What a row is before it becomes messages: field → value, or the parsed JSON of a line.
Record = dict[str, Any]


class EventFile:
    """An open file of events: its kind, the shape of its rows, and how far reading has got."""

    file: str  # the name errors give
    file_type: str  # "jsonl", "csv" or "parquet"
    columns: Columns
    unit: str  # what `done` and `total` count: "bytes" or "rows"
    row_unit = "row"  # what errors call a row: "line" in JSONL
    total: int
    done: int = 0

    @property
    def shape(self) -> str:
        """ "segment" or "flat"."""
        return self.columns.shape

    def read(self, *, received_at: datetime) -> Iterator[Message | EventRowError]:
        """Yield each message of the file in order, or the problem of a row that has none."""
        for row, record in self._records():
            if isinstance(record, EventRowError):
                yield record
                continue
            try:
                messages = self._messages_of(record)
            except CellProblem as problem:
                column = self.columns.column_of(problem.field)
                yield self.error(row, column, shown(problem.value), problem.expected)
                continue
            for prefix, raw in messages:
                try:
                    yield read_message(raw, received_at=received_at)
                except MessageRefused as refused:
                    yield self._refusal(row, prefix, raw, str(refused))

    def close(self) -> None:
        """Release the file."""

    def error(
        self, row: int | None, column: str | None, value: str, expected: str
    ) -> EventRowError:
        """A problem of one row of this file."""
        return EventRowError(self.file, row, column, value, expected, self.row_unit)

    def _records(self) -> Iterator[tuple[int, Record | EventRowError]]:
        raise NotImplementedError

    def _messages_of(self, record: Record) -> list[tuple[str, Any]]:
        """The messages of one row, each with the prefix that names its fields in errors."""
        if self.shape == FLAT:
            return [("", flat_message(record))]
        return [("", segment_message(record))]

    def _refusal(self, row: int, prefix: str, raw: Any, reason: str) -> EventRowError:
        message = raw if isinstance(raw, dict) else {}
        field = refused_field(reason, message) if isinstance(raw, dict) else None
        column = self.columns.column_of(field)
        label = f"{prefix}{column}" if column else (prefix.rstrip(".") or None)
        value = shown(message.get(field)) if field else ""
        return self.error(row, label, value, refused_expected(reason, shape=self.shape))


def open_event_file(path: Path, *, display_name: str | None = None) -> EventFile:
    """Open a JSONL, CSV or Parquet file of events; raise EventFileRefused if it is none."""
    name = display_name or str(path)
    with path.open("rb") as handle:
        start = handle.read(4)
        if start == _PARQUET_MAGIC:
            return ParquetEvents(path, name)
        first = (start + handle.read(1024)).removeprefix(b"\xef\xbb\xbf").lstrip()
    if not first:
        raise EventFileRefused(
            [EventRowError(name, None, None, "", "events in JSONL, CSV or Parquet (it is empty)")]
        )
    if first.startswith(b"{"):
        return JsonLinesEvents(path, name)
    return CsvEvents(path, name)


def _decoded_lines(
    handle: IO[bytes], file: EventFile, *, first_line: int = 1
) -> Iterator[tuple[int, str]]:
    """Each line as text with its number, counting the bytes read; bad UTF-8 names its line."""
    for number, raw in enumerate(handle, start=first_line):
        file.done += len(raw)
        try:
            yield number, raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            bad = raw[error.start : error.start + 1]
            raise EventFileRefused(
                [
                    EventRowError(
                        file.file,
                        number,
                        None,
                        shown(raw.decode("utf-8", errors="replace").strip()),
                        f"UTF-8 text, but this line has the byte 0x{bad.hex()} at position "
                        f"{error.start + 1}: save the file as UTF-8",
                        "line",
                    )
                ]
            ) from None


class JsonLinesEvents(EventFile):
    """One JSON object per line: a Segment message, a `{"batch": [...]}`, or a flat event."""

    file_type = "jsonl"
    unit = "bytes"
    row_unit = "line"

    def __init__(self, path: Path, name: str) -> None:
        self.path, self.file = path, name
        self.total = path.stat().st_size
        records = self._records()
        try:
            first = next((r for _, r in records if isinstance(r, dict)), {})
        finally:
            records.close()
        self.columns = Columns(shape=shape_of_keys(list(first)), names={})

    def _records(self) -> Generator[tuple[int, Record | EventRowError], None, None]:
        self.done = 0
        with self.path.open("rb") as handle:
            for number, line in _decoded_lines(handle, self):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError as error:
                    yield (
                        number,
                        self.error(
                            number, None, shown(line.strip()), f"one JSON object per line ({error})"
                        ),
                    )
                    continue
                if not isinstance(record, dict):
                    yield number, self.error(number, None, shown(record), "a JSON object")
                    continue
                yield number, record

    def _messages_of(self, record: Record) -> list[tuple[str, Any]]:
        if self.shape == FLAT:
            return [("", flat_message(flat_fields(record)))]
        if "batch" not in record:
            return [("", record)]
        batch = record["batch"]
        if not isinstance(batch, list):
            raise CellProblem("batch", batch, "a list of messages")
        return [
            (f"batch[{index}].", merge_batch_fields(m, record) if isinstance(m, dict) else m)
            for index, m in enumerate(batch)
        ]


class CsvEvents(EventFile):
    """UTF-8 CSV with a header row; rows numbered as a spreadsheet shows them (header = 1)."""

    file_type = "csv"
    unit = "bytes"

    def __init__(self, path: Path, name: str) -> None:
        self.path, self.file = path, name
        self.total = path.stat().st_size
        self.delimiter = ","
        records = self._cells()
        try:
            header = next(records, (1, []))[1]
        finally:
            records.close()
        self.header = [cell.strip() for cell in header]
        self.columns = resolve_columns(self.header, file=name, row=1)
        self._fields = [self._field_of(name) for name in self.header]

    def _field_of(self, name: str) -> str | None:
        return next((f for f, n in self.columns.names.items() if n == name), None)

    def _cells(self) -> Generator[tuple[int, list[str]], None, None]:
        self.done = 0
        with self.path.open("rb") as handle:
            lines = (text for _, text in _decoded_lines(handle, self))
            first = next(lines, None)
            if first is None:
                return
            self.delimiter = _sniff_delimiter(first)
            reader = csv.reader(itertools.chain([first], lines), delimiter=self.delimiter)
            for number in itertools.count(1):
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    raise EventFileRefused(
                        [self.error(number, None, "", f"CSV text that can be read ({error})")]
                    ) from None
                yield number, cells

    def _records(self) -> Iterator[tuple[int, Record | EventRowError]]:
        width = len(self.header)
        cells = self._cells()
        next(cells, None)  # the header
        for number, values in cells:
            if not any(v.strip() for v in values):
                continue
            if any(v.strip() for v in values[width:]):
                yield (
                    number,
                    self.error(
                        number,
                        None,
                        shown(self.delimiter.join(values[width:])),
                        f"at most {width} values, one per column of the header",
                    ),
                )
                continue
            yield (
                number,
                {
                    field: value
                    for field, value in zip(self._fields, values, strict=False)
                    if field is not None
                },
            )


def _sniff_delimiter(line: str) -> str:
    # Spreadsheets in comma-decimal locales write ';': the header's most used one, unquoted.
    unquoted = "".join(part for index, part in enumerate(line.split('"')) if index % 2 == 0)
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


class ParquetEvents(EventFile):
    """A Parquet file, read in record batches; rows numbered from 1."""

    file_type = "parquet"
    unit = "rows"

    def __init__(self, path: Path, name: str) -> None:
        import pyarrow.parquet as pq

        self.file = name
        self._handle = path.open("rb")
        try:
            self._parquet = pq.ParquetFile(self._handle)
        except (ValueError, OSError) as error:
            self._handle.close()
            raise EventFileRefused(
                [EventRowError(name, None, None, "", f"a readable Parquet file ({error})")]
            ) from None
        self.total = self._parquet.metadata.num_rows
        header = list(self._parquet.schema_arrow.names)
        try:
            self.columns = resolve_columns(header, file=name, row=None)
        except EventFileRefused:
            self.close()
            raise
        self._fields = {n: f for f, n in self.columns.names.items()}  # the file's name → field

    def _records(self) -> Iterator[tuple[int, Record | EventRowError]]:
        self.done = 0
        number = 0
        try:
            for batch in self._parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
                for row in batch.to_pylist():
                    number += 1
                    self.done = number
                    yield number, {self._fields[k]: v for k, v in row.items()}
        except (ValueError, OSError) as error:
            raise EventFileRefused(
                [self.error(number + 1, None, "", f"a readable Parquet file ({error})")]
            ) from None

    def close(self) -> None:
        self._handle.close()


__all__ = [
    "FLAT",
    "SEGMENT",
    "EventFile",
    "EventFileRefused",
    "EventRowError",
    "open_event_file",
]
