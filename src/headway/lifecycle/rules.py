"""Stage rules as plain rules: which account moves where, and why, on a day.

A rule moves an account from one stage to another when its condition holds:
- "first_value_reached": the account reached first value (see ttfv.py) on or before the day;
- "healthy_for_days": its health was green every day of the last N days, the day included;
- "unhealthy_for_days": red every day of the last N days.
A missing daily score breaks the run: N days need N scores. Rules apply in their order and an
account moves at most one step per run; churned accounts never move.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

FIRST_VALUE_REACHED = "first_value_reached"
HEALTHY_FOR_DAYS = "healthy_for_days"
UNHEALTHY_FOR_DAYS = "unhealthy_for_days"
CONDITIONS = (FIRST_VALUE_REACHED, HEALTHY_FOR_DAYS, UNHEALTHY_FOR_DAYS)
BAND_OF_CONDITION = {HEALTHY_FOR_DAYS: "green", UNHEALTHY_FOR_DAYS: "red"}
CONDITION_LABELS = {
    FIRST_VALUE_REACHED: "first value reached",
    HEALTHY_FOR_DAYS: "green every day of the last {days} days",
    UNHEALTHY_FOR_DAYS: "red every day of the last {days} days",
}
MAX_DAYS = 3650
CHURNED = "churned"


@dataclass(frozen=True)
class Rule:
    """A stage rule as the planner sees it: stage keys, condition, days."""

    id: int
    from_stage: str
    to_stage: str
    condition: str
    days: int | None = None


def check_rule(from_stage: str, to_stage: str, condition: str, days: int | None) -> None:
    """Refuse a rule that could never make sense, naming what is wrong (ValueError)."""
    if condition not in CONDITIONS:
        raise ValueError(f"condition {condition!r}: expected one of {', '.join(CONDITIONS)}")
    if from_stage == to_stage:
        raise ValueError("a rule moves accounts to another stage: from and to are the same")
    if CHURNED in (from_stage, to_stage):
        raise ValueError("churn follows revenue, not a stage rule: churned cannot be in a rule")
    if condition in BAND_OF_CONDITION:
        if days is None or not 1 <= days <= MAX_DAYS:
            raise ValueError(f"{condition} needs days between 1 and {MAX_DAYS}")
    elif days is not None:
        raise ValueError(f"{condition} takes no days")


def describe(condition: str, days: int | None) -> str:
    """A condition as people read it: "green every day of the last 90 days"."""
    return CONDITION_LABELS[condition].format(days=days)


@dataclass(frozen=True)
class AccountFacts:
    """What the rules look at for one account on the day they run.

    `band_days` counts, per (band, days), the days of the last `days` days (the run's day
    included) the account scored in that band; one score a day at most.
    """

    account_id: int
    stage: str | None
    first_value_on: date | None = None
    first_value_label: str = ""
    band_days: dict[tuple[str, int], int] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedMove:
    """An account a rule moves, with the reason the timeline shows."""

    account_id: int
    from_stage: str
    to_stage: str
    rule_id: int
    reason: str


def window(as_of: date, days: int) -> tuple[date, date]:
    """The first and last day of the last `days` days up to `as_of`, both included."""
    if as_of.toordinal() <= days:  # no calendar before year 1
        return date.min, as_of
    return as_of - timedelta(days=days - 1), as_of


def reason_of(rule: Rule, facts: AccountFacts, as_of: date) -> str | None:
    """Why the rule moves the account on `as_of`, or None when its condition does not hold."""
    if rule.condition == FIRST_VALUE_REACHED:
        reached = facts.first_value_on
        if reached is None or reached > as_of:
            return None
        label = f" ({facts.first_value_label})" if facts.first_value_label else ""
        return f"First value reached on {reached.isoformat()}{label}"
    band = BAND_OF_CONDITION[rule.condition]
    days = rule.days or 0
    if days < 1 or facts.band_days.get((band, days), 0) < days:
        return None
    first, last = window(as_of, days)
    return (
        f"{band.capitalize()} every day of the last {days} days "
        f"({first.isoformat()} to {last.isoformat()})"
    )


def plan_moves(
    rules: Sequence[Rule], accounts: Iterable[AccountFacts], as_of: date
) -> list[PlannedMove]:
    """The moves of one run: per account, the first rule (in order) from its stage that holds."""
    moves = []
    for facts in accounts:
        if facts.stage is None or facts.stage == CHURNED:
            continue
        for rule in rules:
            if rule.from_stage != facts.stage:
                continue
            reason = reason_of(rule, facts, as_of)
            if reason is not None:
                moves.append(
                    PlannedMove(facts.account_id, rule.from_stage, rule.to_stage, rule.id, reason)
                )
                break  # one step per run: the next rule waits for the next day
    return moves
