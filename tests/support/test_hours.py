"""Business-hours arithmetic: hand-computed minutes and due times."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from headway.support.hours import Calendar, add_business_minutes, business_minutes

WEEKDAYS_9_TO_5 = [(day, "09:00", "17:00", "UTC") for day in range(5)]
BERLIN = ZoneInfo("Europe/Berlin")
# Thursday 2026-12-24 is a holiday below; 2026-11-20 is a Friday.
OFFICE = Calendar.from_rows(WEEKDAYS_9_TO_5, holidays=[date(2026, 12, 24)])
ALWAYS_OPEN_BERLIN = Calendar.from_rows(
    [(day, "00:00", "24:00", "Europe/Berlin") for day in range(7)]
)
BERLIN_OFFICE = Calendar.from_rows([(day, "09:00", "17:00", "Europe/Berlin") for day in range(5)])
SPLIT_DAY = Calendar.from_rows([(0, "09:00", "12:00", "UTC"), (0, "13:00", "17:00", "UTC")])


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def berlin(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)  # type: ignore[misc]


MINUTES_CASES = [
    # (case, calendar, start, end, minutes)
    ("same day", OFFICE, utc(2026, 11, 23, 10), utc(2026, 11, 23, 12, 30), 150),
    ("overnight", OFFICE, utc(2026, 11, 23, 16), utc(2026, 11, 24, 10), 120),
    ("friday to monday", OFFICE, utc(2026, 11, 20, 16), utc(2026, 11, 23, 10), 120),
    ("a whole week", OFFICE, utc(2026, 11, 23, 0), utc(2026, 11, 30, 0), 5 * 480),
    # Wed 16:00 → Fri 10:00 skips the holiday on Thursday 24 December: 60 + 60.
    ("across a holiday", OFFICE, utc(2026, 12, 23, 16), utc(2026, 12, 25, 10), 120),
    ("start before opening", OFFICE, utc(2026, 11, 23, 6), utc(2026, 11, 23, 9, 45), 45),
    ("start on saturday", OFFICE, utc(2026, 11, 21, 12), utc(2026, 11, 23, 11), 120),
    ("both outside hours", OFFICE, utc(2026, 11, 23, 18), utc(2026, 11, 24, 8), 0),
    ("end before start", OFFICE, utc(2026, 11, 23, 12), utc(2026, 11, 23, 10), 0),
    ("lunch break", SPLIT_DAY, utc(2026, 11, 23, 11), utc(2026, 11, 23, 14), 120),
    # Clocks go forward on Sunday 29 March 2026: Sat 12:00 → Sun 12:00 is 23 hours.
    ("spring forward", ALWAYS_OPEN_BERLIN, berlin(2026, 3, 28, 12), berlin(2026, 3, 29, 12), 1380),
    # … and back on Sunday 25 October 2026: 25 hours.
    ("fall back", ALWAYS_OPEN_BERLIN, berlin(2026, 10, 24, 12), berlin(2026, 10, 25, 12), 1500),
    # Fri 16:00 CET → Mon 10:00 CEST, given in UTC (15:00 → 08:00): still one hour each side.
    ("office across DST", BERLIN_OFFICE, utc(2026, 3, 27, 15), utc(2026, 3, 30, 8), 120),
]


@pytest.mark.parametrize(
    ("calendar", "start", "end", "minutes"),
    [case[1:] for case in MINUTES_CASES],
    ids=[case[0] for case in MINUTES_CASES],
)
def test_business_minutes_count_only_open_hours(calendar, start, end, minutes):
    assert business_minutes(calendar, start, end) == minutes


DUE_CASES = [
    # (case, calendar, start, minutes, due)
    ("within the day", OFFICE, utc(2026, 11, 23, 10), 120, utc(2026, 11, 23, 12)),
    ("into the next day", OFFICE, utc(2026, 11, 23, 16), 120, utc(2026, 11, 24, 10)),
    ("over the weekend", OFFICE, utc(2026, 11, 20, 16), 120, utc(2026, 11, 23, 10)),
    ("over a holiday", OFFICE, utc(2026, 12, 23, 16), 120, utc(2026, 12, 25, 10)),
    ("from outside hours", OFFICE, utc(2026, 11, 21, 12), 30, utc(2026, 11, 23, 9, 30)),
    ("exactly at closing", OFFICE, utc(2026, 11, 23, 9), 480, utc(2026, 11, 23, 17)),
    ("zero minutes", OFFICE, utc(2026, 11, 21, 12), 0, utc(2026, 11, 21, 12)),
    ("after a lunch break", SPLIT_DAY, utc(2026, 11, 23, 11), 120, utc(2026, 11, 23, 14)),
    # 10:00 CET on Fri 27 March is 09:00 UTC; 8 open hours later is Mon 30 March 10:00 CEST.
    ("office across DST", BERLIN_OFFICE, utc(2026, 3, 27, 9), 480, utc(2026, 3, 30, 8)),
    ("spring forward", ALWAYS_OPEN_BERLIN, berlin(2026, 3, 28, 12), 1380, utc(2026, 3, 29, 10)),
]


@pytest.mark.parametrize(
    ("calendar", "start", "minutes", "due"),
    [case[1:] for case in DUE_CASES],
    ids=[case[0] for case in DUE_CASES],
)
def test_add_business_minutes_gives_the_due_time(calendar, start, minutes, due):
    assert add_business_minutes(calendar, start, minutes) == due


@pytest.mark.parametrize(
    ("start", "_end", "minutes"), [(c[2], c[3], c[4]) for c in MINUTES_CASES[:8]]
)
def test_adding_the_counted_minutes_lands_in_open_hours_after_start(start, _end, minutes):
    due = add_business_minutes(OFFICE, start, minutes)
    assert business_minutes(OFFICE, start, due) == minutes


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="no time zone"):
        business_minutes(OFFICE, datetime(2026, 11, 23, 9), utc(2026, 11, 23, 10))  # noqa: DTZ001


def test_a_calendar_has_one_time_zone_and_ordered_hours():
    with pytest.raises(ValueError, match="one time zone"):
        Calendar.from_rows([(0, "09:00", "17:00", "UTC"), (1, "09:00", "17:00", "Europe/Paris")])
    with pytest.raises(ValueError, match="closing must follow opening"):
        Calendar.from_rows([(0, "17:00", "09:00", "UTC")])
    with pytest.raises(ValueError, match="unknown time zone"):
        Calendar.from_rows([(0, "09:00", "17:00", "Mars/Olympus")])


def test_a_calendar_without_hours_counts_nothing_and_never_comes_due():
    closed = Calendar.from_rows([])
    assert business_minutes(closed, utc(2026, 11, 23), utc(2026, 11, 30)) == 0
    with pytest.raises(ValueError, match="no open day"):
        add_business_minutes(closed, utc(2026, 11, 23), 60)
