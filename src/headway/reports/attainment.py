"""Outcome attainment and outputs vs outcomes: plain functions over plain data and a period.

A period runs from `start` to `end` (both included) and is judged as of `as_of`:
- a goal is **due** in the period when start ≤ due date ≤ end and due date ≤ as_of: only goals
  whose due date has come are decided; one due later in the period is not yet;
- a due goal is **achieved** when it reached its target on or before its due date;
- attainment rate = achieved ÷ due, None when nothing is due;
- a goal is **at risk** when it is still open as of as_of and its status that day is at risk
  (the service decides the status with the goal progress rules); any due date counts, since the
  period chooses which decided goals to score while risk is about what is still ahead.

Outputs vs outcomes per CSM puts the outcomes first (goals due and achieved, attainment, the
share of the CSM's current accounts with a goal achieved in the period), then the outputs
(activities the CSM took part in, and their hours).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

CUSTOM_TEMPLATE = "custom"  # goals written from scratch, not from a goal template
RATIO_DIGITS = 6


@dataclass(frozen=True)
class Period:
    """Days from start to end, both included, judged as of a day."""

    start: date
    end: date
    as_of: date

    @property
    def known_until(self) -> date:
        """The period's last day that has happened as of as_of."""
        return min(self.end, self.as_of)

    def holds(self, day: date) -> bool:
        """Tell whether a day is in the period and has happened as of as_of."""
        return self.start <= day <= self.known_until


@dataclass(frozen=True)
class GoalFacts:
    """What attainment needs to know of one goal."""

    account_id: int
    segment: str | None  # the account's segment key
    owner_id: int | None  # the account's owner: the CSM of record
    template: str  # the goal template's key, or CUSTOM_TEMPLATE
    due_date: date
    achieved_on: date | None
    at_risk: bool  # open as of as_of and at risk that day


@dataclass(frozen=True)
class Attainment:
    """Goals due, achieved and at risk; the attainment rate."""

    goals_due: int = 0
    goals_achieved: int = 0
    at_risk: int = 0

    @property
    def attainment_rate(self) -> float | None:
        return ratio(self.goals_achieved, self.goals_due)

    def __add__(self, other: Attainment) -> Attainment:
        return Attainment(
            self.goals_due + other.goals_due,
            self.goals_achieved + other.goals_achieved,
            self.at_risk + other.at_risk,
        )


def ratio(part: int, whole: int) -> float | None:
    """part ÷ whole to six decimals; None when whole is 0."""
    return round(part / whole, RATIO_DIGITS) if whole else None


def is_due(goal: GoalFacts, period: Period) -> bool:
    """Tell whether a goal's due date is in the period and has come as of as_of."""
    return period.holds(goal.due_date)


def reached_by_due_date(goal: GoalFacts) -> bool:
    """Tell whether a goal reached its target on or before its due date."""
    return goal.achieved_on is not None and goal.achieved_on <= goal.due_date


def attainment_of(goal: GoalFacts, period: Period) -> Attainment:
    """How one goal counts in the period."""
    due = is_due(goal, period)
    return Attainment(
        goals_due=int(due),
        goals_achieved=int(due and reached_by_due_date(goal)),
        at_risk=int(goal.at_risk),
    )


def attainment(goals: Iterable[GoalFacts], period: Period) -> Attainment:
    """Goals due, achieved and at risk over all goals."""
    total = Attainment()
    for goal in goals:
        total += attainment_of(goal, period)
    return total


def attainment_by(
    goals: Iterable[GoalFacts], period: Period, key: Callable[[GoalFacts], K]
) -> dict[K, Attainment]:
    """Attainment per group; only groups with a goal due or at risk appear."""
    groups: dict[K, Attainment] = {}
    for goal in goals:
        counted = attainment_of(goal, period)
        if counted.goals_due or counted.at_risk:
            groups[key(goal)] = groups.get(key(goal), Attainment()) + counted
    return groups


@dataclass(frozen=True)
class ActivityTotals:
    """Activities a person took part in during the period, and their minutes."""

    activities: int = 0
    minutes: int = 0


@dataclass(frozen=True)
class CsmResults:
    """One CSM's outcomes, then outputs, in a period."""

    owner_id: int
    attainment: Attainment
    accounts: int  # current (not churned) accounts the CSM owns
    accounts_with_achievement: int  # of those, accounts with a goal achieved in the period
    activities: int
    minutes: int

    @property
    def achievement_share(self) -> float | None:
        return ratio(self.accounts_with_achievement, self.accounts)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


def accounts_with_achievement(achievements: Iterable[tuple[int, date]], period: Period) -> set[int]:
    """Accounts with a goal achieved on a day of the period, from (account id, achieved on)."""
    return {account_id for account_id, day in achievements if period.holds(day)}


def outputs_vs_outcomes(
    goals: Iterable[GoalFacts],
    period: Period,
    *,
    current_accounts: Iterable[tuple[int | None, int]],
    achievements: Iterable[tuple[int, date]],
    activities: Mapping[int, ActivityTotals],
) -> dict[int, CsmResults]:
    """Per CSM: attainment of their accounts' goals, the share of their current accounts with an
    achievement in the period, and the activities they took part in.

    `current_accounts` are (owner id, account id) of accounts not churned; accounts nobody owns
    and people with nothing to count are left out.
    """
    by_owner = attainment_by(goals, period, lambda g: g.owner_id)
    achieved = accounts_with_achievement(achievements, period)
    owned: dict[int, int] = defaultdict(int)
    owned_with: dict[int, int] = defaultdict(int)
    for owner_id, account_id in current_accounts:
        if owner_id is None:
            continue
        owned[owner_id] += 1
        owned_with[owner_id] += account_id in achieved
    people = {o for o in by_owner if o is not None} | set(owned) | set(activities)
    results = {}
    for person in people:
        done = activities.get(person, ActivityTotals())
        results[person] = CsmResults(
            owner_id=person,
            attainment=by_owner.get(person, Attainment()),
            accounts=owned[person],
            accounts_with_achievement=owned_with[person],
            activities=done.activities,
            minutes=done.minutes,
        )
    return results
