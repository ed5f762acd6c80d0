"""Scorecards as YAML: the readable file people review and keep in version control.

Each scorecard is one entry of `scorecards:`: its key, name and segment, then its definition's
fields at the same level. Reading checks every entry against `ScorecardDefinition` and names
the path of each bad field (`scorecards[0].groups[1].measures[0].scoring.worst: ...`). Plain
functions over text and data; the service in `scorecards.py` adds what needs the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from headway.health.definition import ScorecardDefinition

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
ENTRY_FIELDS = ("key", "name", "segment")
HEADER = (
    "# Headway health scorecards. Check a change with `headway health import FILE --dry-run`;\n"
    "# scorecards missing from the file are left as they are.\n"
)
# Discriminator tags pydantic puts in error paths; the file has no such level.
_TAGS = frozenset({"linear", "bands"})


@dataclass(frozen=True)
class ScorecardEntry:
    """One scorecard as a file gives it: where it sits in the file and what it says."""

    index: int
    key: str
    name: str
    segment: str | None
    definition: ScorecardDefinition


def definition_data(definition: ScorecardDefinition) -> dict[str, Any]:
    """The definition as stored and compared: JSON-ready, fields in order, unset ends left out."""
    data: dict[str, Any] = definition.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def normalised(data: dict[str, Any]) -> dict[str, Any]:
    """A stored definition in the form `definition_data` gives, so two can be compared."""
    return definition_data(ScorecardDefinition.model_validate(data))


# --- writing -------------------------------------------------------------------------------


class _Flow(dict[str, Any]):
    """A mapping written on one line (a band, a linear range, a no-data rule)."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # List items indented under their key, as people write YAML by hand.
        super().increase_indent(flow, False)


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)


_FLOW_FIELDS = frozenset({"params", "scoring", "no_data", "bands", "trend"})


def _tidy(value: Any, flow: bool = False) -> Any:
    # 40.0 reads better as 40; small mappings of scalars (a band, a linear range, a no-data
    # rule) read better on one line.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_tidy(item, flow) for item in value]
    if isinstance(value, dict):
        tidy = {key: _tidy(item, flow or key in _FLOW_FIELDS) for key, item in value.items()}
        scalars = all(not isinstance(item, dict | list) for item in tidy.values())
        return _Flow(tidy) if flow and scalars and tidy else tidy
    return value


def _entry_data(key: str, name: str, segment: str | None, definition: dict[str, Any]) -> Any:
    data = normalised(definition)
    return {"key": key, "name": name, "segment": segment, **_tidy(data)}


def dump_scorecards(scorecards: list[tuple[str, str, str | None, dict[str, Any]]]) -> str:
    """Write (key, name, segment key, definition) tuples as a scorecards file."""
    entries = [_entry_data(*scorecard) for scorecard in scorecards]
    body = yaml.dump(
        {"scorecards": entries},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return HEADER + body


# --- reading -------------------------------------------------------------------------------


def _path(prefix: str, loc: tuple[int | str, ...]) -> str:
    path = prefix
    parts = list(loc)
    for position, part in enumerate(parts):
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in _TAGS and position > 0 and parts[position - 1] == "scoring":
            continue
        else:
            path += f".{part}"
    return path


def _message(error: Any) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _yaml_error(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return f"not YAML: {problem}"


def _read_entry(index: int, raw: Any, errors: list[str]) -> ScorecardEntry | None:
    where = f"scorecards[{index}]"
    if not isinstance(raw, dict):
        errors.append(f"{where}: expected a mapping with key, name, segment and groups")
        return None
    fields = dict(raw)
    key, name, segment = (fields.pop(field, None) for field in ENTRY_FIELDS)
    named = f"scorecard {key!r}: " if isinstance(key, str) and key else ""
    problems = len(errors)
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        errors.append(
            f"{where}.key: expected a key of lower-case letters, digits, - and _ "
            f"(at most 64), got {key!r}"
        )
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        errors.append(f"{named}{where}.name: expected a name of 1 to 120 characters, got {name!r}")
    if segment is not None and not isinstance(segment, str):
        errors.append(f"{named}{where}.segment: expected a segment key or null, got {segment!r}")
    try:
        definition = ScorecardDefinition.model_validate(fields)
    except ValidationError as error:
        for problem in error.errors():
            errors.append(f"{named}{_path(where, problem['loc'])}: {_message(problem)}")
        return None
    if len(errors) > problems:
        return None
    assert isinstance(key, str) and isinstance(name, str)
    return ScorecardEntry(index, key, name.strip(), segment, definition)


def parse_scorecards(text: str) -> tuple[list[ScorecardEntry], list[str]]:
    """Read a scorecards file: the valid entries, and a message per problem found."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        return [], [_yaml_error(error)]
    if not isinstance(document, dict) or not isinstance(document.get("scorecards"), list):
        return [], ["expected a mapping with a list under 'scorecards'"]
    unknown = sorted(str(k) for k in document if k != "scorecards")
    errors: list[str] = [f"{key}: unknown field; expected only 'scorecards'" for key in unknown]
    entries: list[ScorecardEntry] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(document["scorecards"]):
        entry = _read_entry(index, raw, errors)
        if entry is None:
            continue
        if entry.key in seen:
            errors.append(
                f"scorecards[{index}].key: {entry.key!r} is given twice "
                f"(first at scorecards[{seen[entry.key]}])"
            )
            continue
        seen[entry.key] = index
        entries.append(entry)
    if not document["scorecards"]:
        errors.append("scorecards: the list is empty; expected at least one scorecard")
    return entries, errors
