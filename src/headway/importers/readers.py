"""Stream the rows of a CSV or XLSX file, numbered as a spreadsheet shows them (header = row 1)."""

from __future__ import annotations

import csv
import itertools
import zipfile
from collections.abc import Generator, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

# The first bytes of a file tell its kind, whatever its name says.
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
_DELIMITERS = (",", ";", "\t")
# What openpyxl raises on a damaged workbook (XML parse errors are SyntaxErrors).
_BROKEN_WORKBOOK = (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError)


class UnreadableFile(Exception):
    """The file cannot be read as a table; the message says what was expected instead."""

    def __init__(self, message: str, *, row: int | None = None, value: str = "") -> None:
        super().__init__(message)
        self.row = row
        self.value = value


class TableReader:
    """A table's header and its rows, read once from start to end (call rows() again to re-read)."""

    file_type: str  # "csv" or "xlsx"
    header: list[str]
    unit: str  # what `done` and `total` count: "bytes" or "rows"
    total: int
    done: int

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (row number, cell texts) of every data row, skipping rows with no value."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the file."""


def open_table(path: Path) -> TableReader:
    """Open a CSV or XLSX file by its content; raise UnreadableFile when it is neither."""
    with path.open("rb") as handle:
        start = handle.read(8)
    if start.startswith(_ZIP_MAGIC):
        return XlsxReader(path)
    if start.startswith(_OLE2_MAGIC):
        raise UnreadableFile(
            "an XLSX workbook or a CSV file, but this is an old binary Excel file (.xls): "
            "save it as .xlsx or as CSV UTF-8"
        )
    return CsvReader(path)


def cell_text(value: Any) -> str:
    """Turn a spreadsheet cell into the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time.min else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # ids and counts typed into Excel come back as 1234.0
    return str(value).strip()


class CsvReader(TableReader):
    """UTF-8 CSV (with or without BOM, CRLF or LF, quoted newlines); ',' ';' or tab delimited."""

    file_type = "csv"
    unit = "bytes"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.total = path.stat().st_size
        self.done = 0
        self._line = 0
        self._handle: IO[bytes] | None = None
        self.delimiter = ","
        records = self._records()
        try:
            first = next(records, None)
        finally:
            records.close()
        self.header = [cell.strip() for cell in first] if first else []

    def _lines(self, handle: IO[bytes]) -> Iterator[str]:
        # Decode line by line ourselves, so a wrong encoding names the line it is on.
        self._line = 0
        for raw in handle:
            self._line += 1
            self.done += len(raw)
            try:
                yield raw.decode("utf-8-sig" if self._line == 1 else "utf-8")
            except UnicodeDecodeError as error:
                bad = raw[error.start : error.start + 1]
                shown = raw.decode("utf-8", errors="replace").strip()[:80]
                raise UnreadableFile(
                    f"UTF-8 text, but line {self._line} has the byte 0x{bad.hex()} at position "
                    f"{error.start + 1}: save the file as UTF-8 (in Excel: 'CSV UTF-8')",
                    value=shown,
                ) from None

    def _records(self) -> Generator[list[str], None, None]:
        self.done = 0
        with self.path.open("rb") as handle:
            lines = self._lines(handle)
            first = next(lines, None)
            if first is None:
                return
            self.delimiter = _sniff_delimiter(first)
            reader = csv.reader(itertools.chain([first], lines), delimiter=self.delimiter)
            record = 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    raise UnreadableFile(
                        f"CSV text, but line {self._line} cannot be read: {error}", row=record + 1
                    ) from None
                except UnreadableFile as error:
                    error.row = record + 1
                    raise
                record += 1
                yield cells

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        records = self._records()
        next(records, None)  # the header
        for number, cells in enumerate(records, start=2):
            if any(cell.strip() for cell in cells):
                yield number, [cell.strip() for cell in cells]


def _sniff_delimiter(line: str) -> str:
    # Spreadsheets in comma-decimal locales write ';'; pick the delimiter the header uses most,
    # ignoring quoted text.
    unquoted = "".join(part for index, part in enumerate(line.split('"')) if index % 2 == 0)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


class XlsxReader(TableReader):
    """The first worksheet of an XLSX workbook, streamed with openpyxl's read-only mode."""

    file_type = "xlsx"
    unit = "rows"

    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook

        self.path = path
        self.done = 0
        # A file object, not the path: openpyxl judges a path by its extension, and uploads
        # are saved under a neutral name.
        self._handle = path.open("rb")
        try:
            self._workbook = load_workbook(self._handle, read_only=True, data_only=True)
        except _BROKEN_WORKBOOK as error:
            self._handle.close()
            raise UnreadableFile(f"a readable XLSX workbook ({error})") from None
        sheet = self._workbook.worksheets[0] if self._workbook.worksheets else None
        if sheet is None:
            self.close()
            raise UnreadableFile("a workbook with a worksheet")
        self._sheet = sheet
        self.total = int(getattr(sheet, "max_row", 0) or 0)
        first = next(self._cells(), None)
        self.header = first[1] if first else []

    def _cells(self) -> Iterator[tuple[int, list[str]]]:
        self.done = 0
        number = 0
        try:
            for number, values in enumerate(self._sheet.iter_rows(values_only=True), start=1):
                self.done = number
                yield number, [cell_text(value) for value in values]
        except _BROKEN_WORKBOOK as error:
            raise UnreadableFile(f"a readable XLSX workbook ({error})", row=number + 1) from None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        cells = self._cells()
        next(cells, None)
        for number, values in cells:
            if any(values):
                yield number, values

    def close(self) -> None:
        self._workbook.close()
        self._handle.close()
