"""How each helpdesk writes a ticket's values: statuses, priorities, ratings, times and units."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from headway.importers import values as parse
from headway.importers.activities import moment
from headway.support.models import TICKET_PRIORITIES, TICKET_STATUSES

MAX_UNIX_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z
_TAG_SEPARATOR = re.compile(r"[\s,;]+")

STATUSES: dict[str, dict[str, str]] = {
    "canonical": {s: s for s in TICKET_STATUSES},
    "zendesk": {**{s: s for s in TICKET_STATUSES}, "on_hold": "hold"},
    # HubSpot's default support pipeline, by stage label.
    "hubspot": {
        "new": "new",
        "waiting_on_us": "open",
        "waiting_on_contact": "pending",
        "open": "open",
        "pending": "pending",
        "closed": "closed",
        # Stage ids of the default pipeline, as some exports write them.
        "1": "new",
        "2": "pending",
        "3": "open",
        "4": "closed",
    },
    "intercom": {"open": "open", "closed": "solved", "snoozed": "pending"},
}
PRIORITIES: dict[str, dict[str, str]] = {
    "canonical": {p: p for p in TICKET_PRIORITIES},
    "zendesk": {p: p for p in TICKET_PRIORITIES},
    "hubspot": {"low": "low", "medium": "normal", "high": "high", "urgent": "urgent"},
    "intercom": {"priority": "high", "not_priority": "normal", "true": "high", "false": "normal"},
}
# Zendesk "Offered"/"Unoffered": a survey sent or not, but no answer.
GOOD_BAD = {"good": "good", "bad": "bad", "offered": None, "unoffered": None}
CHANNELS = {
    "mail": "email",
    "email": "email",
    "web_form": "web",
    "web_widget": "web",
    "web": "web",
    "form": "web",
    "chat": "chat",
    "conversation": "chat",
    "phone": "phone",
    "phone_call_(incoming)": "phone",
    "voice": "phone",
    "api": "api",
}


def one_of(table: dict[str, str], label: str) -> Callable[[str], str]:
    """A parser accepting the keys of a table (folded), naming them when a value is none."""
    accepted = ", ".join(dict.fromkeys(k.replace("_", " ") for k in table))

    def parse_value(value: str) -> str:
        found = table.get(parse.key_of(value))
        if found is None:
            raise parse.BadValue(f"a {label}: {accepted}")
        return found

    return parse_value


def unix_seconds(value: str) -> datetime:
    """Parse a Unix time in seconds (Intercom's times) as UTC."""
    try:
        seconds = int(value[:-2] if value.endswith(".0") else value)
    except ValueError:
        seconds = -1
    if not 0 <= seconds <= MAX_UNIX_SECONDS:
        raise parse.BadValue("a Unix time in seconds, e.g. 1735725600")
    return datetime.fromtimestamp(seconds, UTC)


def time_parser(fmt: str) -> Callable[[str], datetime]:
    """The parser of a format's timestamps: Unix seconds for Intercom, ISO for the others."""
    return unix_seconds if fmt == "intercom" else moment


def milliseconds(value: str) -> int:
    """Parse a duration in milliseconds (HubSpot's), a whole number ≥ 0."""
    try:
        return parse.count(value)
    except parse.BadValue:
        raise parse.BadValue("a duration in milliseconds, a whole number ≥ 0") from None


def minutes(value: str) -> int:
    """Parse a duration in whole minutes ≥ 0 (Zendesk's ticket metrics)."""
    try:
        return parse.count(value)
    except parse.BadValue:
        raise parse.BadValue("a duration in minutes, a whole number ≥ 0") from None


def ms_to_minutes(value: int) -> int:
    """Milliseconds to whole minutes, halves up."""
    return (value + 30_000) // 60_000


def after(start: datetime, *, minutes: int | None = None, ms: int | None = None) -> datetime:
    """The moment a duration after a start."""
    if ms is not None:
        return start + timedelta(milliseconds=ms)
    return start + timedelta(minutes=minutes or 0)


def satisfaction(value: str) -> tuple[str | None, str | None]:
    """Parse a rating: good/bad (Zendesk's Offered/Unoffered are no answer) or 1 to 5."""
    folded = parse.key_of(value)
    if folded in GOOD_BAD:
        rating = GOOD_BAD[folded]
        return rating, "good_bad" if rating else None
    plain = folded[:-2] if folded.endswith(".0") else folded
    if plain in {"1", "2", "3", "4", "5"}:
        return plain, "1-5"
    raise parse.BadValue("a satisfaction rating: good, bad, offered, unoffered, or 1 to 5")


def channel(value: str) -> str:
    """A channel in Headway's words where the helpdesk's is known, else as written."""
    folded = parse.key_of(value)
    return CHANNELS.get(folded, parse.text(folded, max_length=32))


def tags(value: str) -> tuple[str, ...]:
    """Tags separated by spaces, commas or ';', once each, sorted."""
    found = sorted({tag for tag in _TAG_SEPARATOR.split(value.strip()) if tag})
    if any(len(tag) > 100 for tag in found):
        raise parse.BadValue("tags of at most 100 characters each")
    return tuple(found)
