"""Time to first value, as plain rules: when the clock starts, what stops it, how it is summarised.

TTFV of an account = the day of its first value − the day its clock started, in whole days.
Both events are chosen per segment (a `TtfvRule`, with a default for segments without one).
A value before the start counts as 0 days; an account not there yet is *open*, and its days
are those elapsed so far. Distributions summarise the accounts that reached first value
(median, 75th and 90th percentiles) and count those still waiting beside them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

FIRST_SUBSCRIPTION = "first_subscription"
ACCOUNT_CREATED = "account_created"
HANDOFF = "handoff"
START_KINDS = (FIRST_SUBSCRIPTION, ACCOUNT_CREATED, HANDOFF)
START_LABELS = {
    FIRST_SUBSCRIPTION: "first subscription starts",
    ACCOUNT_CREATED: "account created",
    HANDOFF: "hand-off from sales recorded",
}
MILESTONE = "milestone"
USAGE_PREFIX = "usage:"
MAX_EVENT_NAME = 200  # as long as a usage event's name may be
GRAINS = ("month", "quarter")

DEFINITION = (
    "Time to first value: days from the start of the clock (per segment: first subscription, "
    "account created or hand-off) to first value (the first occurrence of a usage event, or "
    "the first-value milestone done); a value before the start counts as 0. Percentiles cover "
    "the accounts that reached first value (linear interpolation between ranks); the others "
    "are still waiting."
)


@dataclass(frozen=True)
class ValueEvent:
    """What stops the clock: the first occurrence of a usage event, or the first-value milestone."""

    kind: str  # "usage" or "milestone"
    event: str | None = None  # the usage event's name

    @property
    def label(self) -> str:
        if self.kind == "usage":
            return self.event or ""
        return "first-value milestone"


def parse_value_event(text: str) -> ValueEvent:
    """Read a rule's value event: "usage:<event name>" or "milestone"; ValueError otherwise."""
    if text == MILESTONE:
        return ValueEvent("milestone")
    if text.startswith(USAGE_PREFIX):
        event = text[len(USAGE_PREFIX) :].strip()
        if not event:
            raise ValueError('"usage:" needs the event\'s name, e.g. "usage:Report Created"')
        if len(event) > MAX_EVENT_NAME:
            raise ValueError(f"a usage event's name has at most {MAX_EVENT_NAME} characters")
        return ValueEvent("usage", event)
    raise ValueError(f'value event {text!r}: expected "usage:<event name>" or "milestone"')


def check_start(start: str) -> str:
    """Return a start kind if it is one; ValueError naming the known kinds otherwise."""
    if start not in START_KINDS:
        raise ValueError(f"start {start!r}: expected one of {', '.join(START_KINDS)}")
    return start


@dataclass(frozen=True)
class Ttfv:
    """An account's time to first value as of a day.

    `days` is None when the clock has not started (no start, or a start after the day);
    otherwise the days to first value when `reached`, or the days elapsed so far.
    """

    start: date | None
    value: date | None
    days: int | None
    reached: bool

    @property
    def waiting(self) -> bool:
        """Started but not at first value yet."""
        return self.days is not None and not self.reached


def ttfv_of(start: date | None, value: date | None, as_of: date) -> Ttfv:
    """TTFV of one account from its start and first value days, judged on `as_of`."""
    if start is None or start > as_of:
        return Ttfv(start=start, value=None, days=None, reached=False)
    if value is None or value > as_of:
        return Ttfv(start=start, value=None, days=(as_of - start).days, reached=False)
    return Ttfv(start=start, value=value, days=max(0, (value - start).days), reached=True)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation between ranks; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Distribution:
    """TTFV of a group of accounts whose clock started: how many, how fast, how many waiting.

    count = reached + waiting + churned_before_value.
    """

    count: int
    reached: int
    waiting: int
    churned_before_value: int
    median: float | None
    p75: float | None
    p90: float | None
    longest_wait: int | None  # days of the account waiting longest

    @property
    def reached_share(self) -> float | None:
        return self.reached / self.count if self.count else None


def _days(value: float | None) -> float | None:
    # Hundredths of a day are plenty, and spare readers 15.200000000000001.
    return None if value is None else round(value, 2)


def summarise(ttfvs: Iterable[Ttfv], churned: Iterable[Ttfv] = ()) -> Distribution:
    """Summarise accounts' TTFV; accounts whose clock has not started are left out.

    `churned` are accounts that churned: those that reached first value count like the others,
    those that did not are no longer waiting and are counted apart.
    """
    active = [t for t in ttfvs if t.days is not None]
    gone = [t for t in churned if t.days is not None]
    reached = [float(t.days) for t in active + gone if t.reached and t.days is not None]
    waits = [t.days for t in active if not t.reached and t.days is not None]
    return Distribution(
        count=len(active) + len(gone),
        reached=len(reached),
        waiting=len(waits),
        churned_before_value=sum(1 for t in gone if not t.reached),
        median=_days(percentile(reached, 50)),
        p75=_days(percentile(reached, 75)),
        p90=_days(percentile(reached, 90)),
        longest_wait=max(waits) if waits else None,
    )


def cohort_of(start: date, grain: str = "month") -> str:
    """The cohort of a start day: "2026-03" by month, "2026-Q1" by quarter."""
    if grain == "month":
        return f"{start.year}-{start.month:02d}"
    if grain == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    raise ValueError(f"cohort grain {grain!r}: expected month or quarter")
