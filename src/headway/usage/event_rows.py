"""The two shapes of an event file's rows, turned into Segment messages; and what went wrong.

Segment-shaped rows carry a message's own fields (type, event, userId, …); flat rows are one
product action each: `timestamp, account_id, user_id, event, properties`, read as a track
message of the account (groupId = account_id). Header names are compared folded: case, spaces
and punctuation are ignored, so `userId`, `user_id` and `User ID` are one name.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from headway.usage.messages import ACTIVITY_TYPES

SEGMENT = "segment"
FLAT = "flat"

SEGMENT_FIELDS = (
    "type",
    "event",
    "name",
    "userId",
    "anonymousId",
    "groupId",
    "timestamp",
    "originalTimestamp",
    "messageId",
    "properties",
    "traits",
    "context",
    "integrations",
)
FLAT_FIELDS = (
    "timestamp",
    "account_id",
    "user_id",
    "anonymous_id",
    "event",
    "properties",
    "message_id",
    "type",
)
FLAT_REQUIRED = ("timestamp", "account_id", "event")
OBJECT_FIELDS = frozenset({"properties", "traits", "context", "integrations"})
# A flat row's column for each field of the message it becomes.
FLAT_COLUMN_OF = {
    "type": "type",
    "event": "event",
    "name": "event",
    "userId": "user_id",
    "anonymousId": "anonymous_id",
    "groupId": "account_id",
    "timestamp": "timestamp",
    "messageId": "message_id",
    "properties": "properties",
}
SHAPES_EXPECTED = (
    "the columns of a Segment message (type, event, userId, anonymousId, groupId, timestamp, "
    "messageId, properties, traits, context) or of a flat event (timestamp, account_id, "
    "user_id, event, properties; optionally message_id, type, anonymous_id)"
)
OBJECT_EXPECTED = 'a JSON object, e.g. {"plan": "pro"}'
TIME_EXPECTED = "an ISO 8601 date-time, e.g. 2025-01-31T14:30:00Z (UTC unless an offset is given)"
SHOWN_LENGTH = 80


@dataclass(frozen=True)
class EventRowError:
    """One bad row: its file, row (or line), column (or field), value and what was expected."""

    file: str
    row: int | None
    column: str | None
    value: str
    expected: str
    unit: str = "row"  # "line" in JSONL files, where a row is a line

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["unit"]
        return data

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"{self.unit} {self.row}")
        if self.column:
            where.append(f"{'field' if self.unit == 'line' else 'column'} {self.column}")
        shown = f"{self.value!r}: " if self.value else ""
        return f"{', '.join(where)}: {shown}expected {self.expected}"


class EventFileRefused(Exception):
    """A file of events that was not imported, with every problem found (nothing was stored)."""

    def __init__(self, errors: Sequence[EventRowError]) -> None:
        self.errors = list(errors)
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{self.errors[0]}{more}")


class CellProblem(ValueError):
    """A value of a row that cannot become part of a message."""

    def __init__(self, field: str, value: Any, expected: str) -> None:
        super().__init__(expected)
        self.field = field
        self.value = value
        self.expected = expected


@dataclass(frozen=True)
class Columns:
    """The shape of a file's rows and which header name (as written) feeds each field."""

    shape: str
    names: dict[str, str]

    def column_of(self, field: str | None) -> str | None:
        """The file's name for a message field, to name it in an error."""
        if field is None:
            return None
        if self.shape == FLAT:
            field = FLAT_COLUMN_OF.get(field, field)
        return self.names.get(field, field)


def folded(name: str) -> str:
    """A header name without case, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def shape_of_keys(keys: Sequence[str]) -> str:
    """Flat when an account_id column (or key) is there; Segment-shaped otherwise."""
    return FLAT if "accountid" in {folded(k) for k in keys} else SEGMENT


def resolve_columns(header: Sequence[str], *, file: str, row: int | None) -> Columns:
    """Read a header row (or a Parquet schema): its shape and its columns, or every problem."""
    shape = shape_of_keys(header)
    fields = {folded(f): f for f in (FLAT_FIELDS if shape == FLAT else SEGMENT_FIELDS)}
    names: dict[str, str] = {}
    problems: list[tuple[str | None, str]] = []  # (column, expected)
    for name in header:
        field = fields.get(folded(name))
        if not name.strip():
            problems.append((None, "a name for every column of the header"))
        elif field is None:
            known = ", ".join(fields.values())
            problems.append((name, f"only the columns {known} (remove or rename it)"))
        elif field in names:
            problems.append((name, "each column name once (compared ignoring case and spaces)"))
        else:
            names[field] = name
    if shape == FLAT:
        missing = [f for f in FLAT_REQUIRED if f not in names]
        if "user_id" not in names and "anonymous_id" not in names:
            missing.append("user_id")
        if missing:
            problems.append((None, f"the columns {', '.join(missing)} of a flat event"))
    elif "type" not in names:
        problems.append((None, SHAPES_EXPECTED))
    if problems:
        raise EventFileRefused(
            [EventRowError(file, row, c, c or "", expected) for c, expected in problems]
        )
    return Columns(shape=shape, names=names)


def segment_message(values: dict[str, Any]) -> dict[str, Any]:
    """A Segment-shaped table row (field → cell) as the message it holds."""
    message: dict[str, Any] = {}
    for field, value in values.items():
        if _empty(value):
            continue
        message[field] = object_value(field, value) if field in OBJECT_FIELDS else scalar(value)
    return message


def flat_message(values: dict[str, Any]) -> dict[str, Any]:
    """A flat row as a track (or page, screen) message of its account."""
    cells = {f: scalar(v) for f, v in values.items() if not _empty(v) and f != "properties"}
    kind = cells.get("type", "track")
    if kind not in ACTIVITY_TYPES:
        raise CellProblem("type", kind, "track, page or screen (or an empty cell: track)")
    if "timestamp" not in cells:
        raise CellProblem("timestamp", "", f"{TIME_EXPECTED}: this column is required")
    message: dict[str, Any] = {"type": kind}
    if "event" in cells:
        message["event" if kind == "track" else "name"] = cells["event"]
    for field, column in (
        ("userId", "user_id"),
        ("anonymousId", "anonymous_id"),
        ("groupId", "account_id"),
        ("timestamp", "timestamp"),
        ("messageId", "message_id"),
    ):
        if column in cells:
            message[field] = cells[column]
    properties = values.get("properties")
    if not _empty(properties):
        message["properties"] = object_value("properties", properties)
    return message


def flat_fields(record: dict[str, Any]) -> dict[str, Any]:
    """A flat JSON record's keys as fields; an unknown key is an error."""
    fields = {folded(f): f for f in FLAT_FIELDS}
    values: dict[str, Any] = {}
    for key, value in record.items():
        field = fields.get(folded(key))
        if field is None:
            raise CellProblem(key, key, f"only the keys {', '.join(FLAT_FIELDS)} in a flat event")
        values[field] = value
    return values


def object_value(field: str, value: Any) -> dict[str, Any]:
    """A JSON object cell: JSON text in CSV, a struct or map in Parquet, an object in JSONL."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise CellProblem(field, value, f"{OBJECT_EXPECTED} ({error})") from None
    if isinstance(value, list) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        value = dict(value)  # a Parquet map arrives as (key, value) pairs
    if not isinstance(value, dict):
        raise CellProblem(field, value, OBJECT_EXPECTED)
    return {str(k): plain(v) for k, v in value.items() if v is not None}


def scalar(value: Any) -> Any:
    """A cell as JSON holds it: times as ISO text, whole floats as integers (ids, counts)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return plain(value)


def plain(value: Any) -> Any:
    """Parquet's typed values (times, decimals, bytes) as JSON values, all the way down."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def shown(value: Any) -> str:
    """A value as an error shows it: text as it is, anything else as JSON; cut short."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(plain(value), ensure_ascii=False)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


# --- why read_message refused a message, as a field and what was expected ---------------------

# Checked in order: the first name found in the reason is the field it is about.
_REASON_FIELDS = (
    ("userId or anonymousId", "userId"),
    ("needs a groupId", "groupId"),
    ("event name", "event"),
    ("originalTimestamp", "originalTimestamp"),
    ("timestamp", "timestamp"),
    ("messageId", "messageId"),
    ("anonymousId", "anonymousId"),
    ("userId", "userId"),
    ("groupId", "groupId"),
    ("sessionId", "context"),
    ("session_id", "properties"),
    ("integrations", "integrations"),
    ("context", "context"),
    ("traits", "traits"),
    ("properties", "properties"),
    ("type", "type"),
    ("id must", "traits"),  # traits.company.id
)
_LIMIT = re.compile(r"is ([\d,]+) (characters|bytes)\b.*; at most ([\d,]+)")


def refused_field(reason: str, message: dict[str, Any]) -> str | None:
    """Which field of the message a refusal is about (None: the message as a whole)."""
    for words, field in _REASON_FIELDS:
        if words in reason:
            if field == "event" and message.get("type") in ("page", "screen"):
                return "name"
            return field
    return None


def refused_expected(reason: str, *, shape: str) -> str:
    """What a refused message should have held, said as the other import errors say it."""
    limit = _LIMIT.search(reason)
    if limit:
        size, unit, most = limit.groups()
        whole = "a message of " if unit == "bytes" else ""
        return f"{whole}at most {most} {unit} (this one has {size})"
    if "userId or anonymousId" in reason:
        if shape == FLAT:
            return "a user_id or an anonymous_id: one of them is required"
        return "a userId or an anonymousId: one of them is required"
    if "ISO 8601" in reason:
        return TIME_EXPECTED
    if "must be a JSON object" in reason:
        return OBJECT_EXPECTED if not reason.startswith("a message") else "a JSON object"
    if "type must be one of" in reason:
        return reason.split("; got")[0].replace("type must be ", "")
    if "needs a groupId" in reason:
        return "a groupId: a group message needs one"
    if "needs an event name" in reason:
        column = "an event" if shape == FLAT else "an event name"
        return f"{column}: a track message needs one"
    if "must be a string or a whole number" in reason:
        return "a string or a whole number"
    if "must be a string" in reason:
        return "a string"
    return reason
