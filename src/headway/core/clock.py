"""The one source of the current time: timezone-aware UTC, frozen in tests with time-machine."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Return today's date in UTC."""
    return now().date()
