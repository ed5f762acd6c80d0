"""The account timeline: each domain registers a source of dated entries about an account."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class TimelineEntry:
    """One dated thing that happened to an account."""

    at: datetime
    kind: str  # "stage", "subscription", "account", "contact", "import", later "activity" …
    title: str
    actor: str = ""
    details: dict[str, Any] = field(default_factory=dict)


TimelineSource = Callable[[Session, int, int], Iterable[TimelineEntry]]
_sources: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource) -> TimelineSource:
    """Add a source of timeline entries (used as a decorator by each domain's service)."""
    if source not in _sources:
        _sources.append(source)
    return source


_audit_titles: dict[str, str | None] = {}


def register_audit_titles(titles: dict[str, str | None]) -> None:
    """Name a domain's audit actions as the timeline shows them ("goal.create": "Goal added")."""
    # None hides an action whose domain shows the same event as its own timeline entry.
    _audit_titles.update(titles)


def audit_title(action: str) -> str | None:
    """The timeline title of an audit action (the action itself when none is registered)."""
    return _audit_titles.get(action, action)


def account_timeline(session: Session, account_id: int, *, limit: int = 200) -> list[TimelineEntry]:
    """Return the newest entries about an account from every registered source."""
    entries: list[TimelineEntry] = []
    for source in _sources:
        entries.extend(source(session, account_id, limit))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
