"""Appropriate Experience compliance: whether logged touches meet what a segment requires.

A requirement is met while the latest qualifying touch is at most `every_days` old. The clock
of a requirement starts at the later of its last qualifying touch and the day the account
became subject to it (entered the stage, or became a customer), so a new account is not
overdue on its first day. Plain functions over plain data and an explicit as_of.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Requirement:
    """A touch required of a segment (optionally only in one lifecycle stage)."""

    name: str
    activity_types: frozenset[str]
    every_days: int | None
    cadence: str | None = None  # "meeting" or "review": the account's own cadence applies
    stage_id: int | None = None


@dataclass(frozen=True)
class CoverageLine:
    """How one requirement stands for one account as of a day."""

    name: str
    every_days: int
    last_touch: date | None
    due_on: date
    overdue_days: int  # 0 when met

    @property
    def met(self) -> bool:
        return self.overdue_days == 0


def interval_of(
    requirement: Requirement, *, meeting_days: int | None, review_days: int | None
) -> int | None:
    """The interval a requirement asks for, given the account's meeting and review cadences."""
    if requirement.cadence == "meeting":
        return meeting_days
    if requirement.cadence == "review":
        return review_days
    return requirement.every_days


def applies(requirement: Requirement, stage_id: int | None) -> bool:
    """Tell whether a requirement applies to an account in a stage."""
    return requirement.stage_id is None or requirement.stage_id == stage_id


def requirement_line(
    requirement: Requirement,
    every_days: int,
    last_touches: Mapping[str, date],
    *,
    subject_since: date,
    as_of: date,
) -> CoverageLine:
    """How a requirement stands, from the last touch of each activity type."""
    touches = [d for t, d in last_touches.items() if t in requirement.activity_types and d <= as_of]
    last = max(touches, default=None)
    start = max(last, subject_since) if last else subject_since
    # A start near the end of the calendar (a far-future subscription) stays due on its last day.
    due_on = date.fromordinal(min(start.toordinal() + every_days, date.max.toordinal()))
    return CoverageLine(
        name=requirement.name,
        every_days=every_days,
        last_touch=last,
        due_on=due_on,
        overdue_days=max(0, (as_of - due_on).days),
    )


def account_coverage(
    requirements: Iterable[Requirement],
    *,
    stage_id: int | None,
    meeting_days: int | None,
    review_days: int | None,
    last_touches: Mapping[str, date],
    customer_since: date,
    stage_since: date,
    as_of: date,
) -> list[CoverageLine]:
    """Every requirement that applies to an account, and how it stands."""
    lines = []
    for requirement in requirements:
        if not applies(requirement, stage_id):
            continue
        every = interval_of(requirement, meeting_days=meeting_days, review_days=review_days)
        if not every:
            continue
        since = stage_since if requirement.stage_id is not None else customer_since
        lines.append(
            requirement_line(requirement, every, last_touches, subject_since=since, as_of=as_of)
        )
    return lines
