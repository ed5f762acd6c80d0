"""Business-hours arithmetic: minutes between two moments and due times, in the team's time zone.

Pure functions over a `Calendar` (opening hours per weekday in one time zone, and holidays);
no session, no clock. Opening hours are wall-clock times of the calendar's zone, so a day on
which daylight saving time starts or ends is as long as the clocks say (09:00–17:00 is always
eight hours; 00:00–24:00 is 23 or 25 hours on the days the clocks change).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Past this many days without one open minute, a due time is never reached.
_MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class OpeningHours:
    """One opening interval of a weekday (0 = Monday); `closes` None means midnight (24:00)."""

    weekday: int
    opens: time
    closes: time | None


@dataclass(frozen=True)
class Calendar:
    """When the support team works: opening hours in one time zone, minus holidays."""

    timezone: ZoneInfo
    hours: tuple[OpeningHours, ...]
    holidays: frozenset[date] = frozenset()

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[int, str, str, str]],
        holidays: Iterable[date] = (),
        *,
        default_timezone: str = "UTC",
    ) -> Calendar:
        """Build a calendar from (weekday, opens "HH:MM", closes "HH:MM" or "24:00", zone) rows."""
        zones: set[str] = set()
        hours: list[OpeningHours] = []
        for weekday, opens, closes, zone in rows:
            if not 0 <= weekday <= 6:
                raise ValueError(f"weekday {weekday} is not 0 (Monday) to 6 (Sunday)")
            start, end = _clock_time(opens), _clock_time(closes)
            if end is not None and (start is None or end <= start):
                raise ValueError(f"business hours {opens}–{closes}: closing must follow opening")
            hours.append(OpeningHours(weekday, start or time(0), end))
            zones.add(zone)
        if len(zones) > 1:
            raise ValueError(f"business hours use one time zone, not {', '.join(sorted(zones))}")
        name = zones.pop() if zones else default_timezone
        try:
            tz = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r}; expected e.g. 'Europe/Berlin'") from None
        ordered = tuple(sorted(hours, key=lambda h: (h.weekday, h.opens)))
        return cls(timezone=tz, hours=ordered, holidays=frozenset(holidays))

    def open_intervals(self, first_day: date) -> Iterator[tuple[datetime, datetime]]:
        """Yield the open intervals (UTC) from a local day on, in order, without end."""
        day = first_day
        while True:
            if day not in self.holidays:
                for h in self.hours:
                    if h.weekday == day.weekday():
                        yield self._utc(day, h.opens), self._utc(day, h.closes)
            day += timedelta(days=1)

    def _utc(self, day: date, at: time | None) -> datetime:
        if at is None:  # 24:00 is the next day's midnight
            day, at = day + timedelta(days=1), time(0)
        return datetime.combine(day, at, tzinfo=self.timezone).astimezone(UTC)


def _clock_time(value: str) -> time | None:
    """Parse "HH:MM"; "24:00" is None (midnight at the end of the day)."""
    if value.strip() == "24:00":
        return None
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"business hours time {value!r}: expected HH:MM, e.g. 09:00") from None


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{name} {moment!r} has no time zone: expected an aware datetime")
    # Subtracting two datetimes of one zone ignores DST; in UTC it does not.
    return moment.astimezone(UTC)


def business_minutes(calendar: Calendar, start: datetime, end: datetime) -> float:
    """Return the open minutes of the calendar between two moments (0 when end ≤ start)."""
    start, end = _aware(start, "start"), _aware(end, "end")
    if end <= start or not calendar.hours:
        return 0.0
    total = timedelta()
    first_day = start.astimezone(calendar.timezone).date()
    for opens, closes in calendar.open_intervals(first_day):
        if opens >= end:
            break
        overlap = min(closes, end) - max(opens, start)
        if overlap > timedelta():
            total += overlap
    return total.total_seconds() / 60


def add_business_minutes(calendar: Calendar, start: datetime, minutes: float) -> datetime:
    """Return the moment (UTC) when `minutes` open minutes have passed since start."""
    start = _aware(start, "start")
    if minutes < 0:
        raise ValueError(f"minutes {minutes}: expected zero or more")
    if minutes == 0:
        return start
    if not calendar.hours:
        raise ValueError("the business hours have no open day: no due time can be reached")
    remaining = timedelta(minutes=minutes)
    first_day = start.astimezone(calendar.timezone).date()
    last_day = first_day + timedelta(days=_MAX_DAYS)
    for opens, closes in calendar.open_intervals(first_day):
        if opens.date() > last_day:
            break
        if closes <= start:
            continue
        begin = max(opens, start)
        available = closes - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise ValueError(f"no open minute in the {_MAX_DAYS} days after {start.isoformat()}")
