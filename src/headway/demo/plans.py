"""Success plans of the demo company: goals with evidence histories, and milestones.

Every account starts with its first segment's onboarding plan: the goals sales promised and
the onboarding milestones, its first-value milestone done on the day drawn before its history
(or not at all). Once onboarded it works on its segment's value plan, a new one after a
hand-over to another segment's CSM, with goals that follow one another cycle after cycle.

Each goal's evidence (evidence.py) follows the account's success and its CSM's diligence, so
some goals are achieved, some missed, some at risk and some on track.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.catalogue import (
    EXPECTED_GOAL_KEYS,
    FIRST_VALUE_DAYS,
    GOAL_INDEX,
    GOAL_KINDS,
    ONBOARDING_PLAN,
    PLAN_KINDS,
    VALUE_PLAN,
)
from headway.demo.evidence import DemoEvidence, draw_evidence, round_to, seats_on
from headway.demo.lives import Lives
from headway.demo.segments import TECH_TOUCH
from headway.demo.success import NEVER, EarlySuccess

# Next cycle of a value plan's goal starts up to this many days after the last one was due.
NEXT_CYCLE_DAYS = 21
# A goal's KPI moves at least this many of its smallest steps from baseline to target.
MIN_STEPS = 20


@dataclass(frozen=True)
class PlanInputs:
    """What the success plans are drawn from."""

    lives: Lives
    early: EarlySuccess
    employees: np.ndarray  # per account
    # Subscriptions, for seat goals: account, start and end day numbers (-1 = ongoing), seats.
    subscription_account: np.ndarray
    subscription_start: np.ndarray
    subscription_end: np.ndarray
    subscription_seats: np.ndarray
    # Business reviews held (from the activities), by account then day.
    review_account: np.ndarray
    review_day: np.ndarray
    team_emails: tuple[str, ...]
    as_of_day: int


@dataclass(frozen=True)
class DemoPlans:
    """Success plans, by account then start."""

    account: np.ndarray
    template: np.ndarray  # index into catalogue.PLAN_KINDS
    start_day: np.ndarray
    active: np.ndarray  # bool; else completed

    def __len__(self) -> int:
        return len(self.account)


@dataclass(frozen=True)
class DemoGoals:
    """Outcome goals, by account then baseline date; achievement as the service settles it."""

    plan: np.ndarray  # index into DemoPlans
    account: np.ndarray
    template: np.ndarray  # index into catalogue.GOAL_KINDS
    expected: np.ndarray  # bool: expected (promised), else desired
    baseline: np.ndarray  # float
    baseline_day: np.ndarray
    target: np.ndarray  # float
    due_day: np.ndarray
    owner: np.ndarray  # index into the team; -1 = none
    achieved_day: np.ndarray  # -1 = not achieved
    proof: np.ndarray  # index into DemoEvidence of the measurement that proved it; -1 = none
    first_outcome: np.ndarray  # bool: the account's first expected outcome

    def __len__(self) -> int:
        return len(self.account)


@dataclass(frozen=True)
class DemoMilestones:
    """Milestones of the plans, by plan then position."""

    plan: np.ndarray
    account: np.ndarray
    name: np.ndarray  # object (str)
    due_day: np.ndarray
    done_day: np.ndarray  # -1 = not done
    first_value: np.ndarray  # bool
    position: np.ndarray

    def __len__(self) -> int:
        return len(self.plan)


@dataclass(frozen=True)
class DemoSuccessPlans:
    """Plans, goals, evidence and milestones."""

    plans: DemoPlans
    goals: DemoGoals
    evidence: DemoEvidence
    milestones: DemoMilestones
    owner: np.ndarray  # per plan: index into the team; -1 = none


def draw_success_plans(rng: np.random.Generator, inputs: PlanInputs) -> DemoSuccessPlans:
    """Draw every account's success plans, their goals with evidence, and milestones."""
    plans, owner, end = _plans(inputs)
    goals = _goal_terms(rng, inputs, plans, owner, end)
    evidence, goals = draw_evidence(rng, inputs, plans, goals)
    milestones = _milestones(rng, inputs, plans, end)
    return DemoSuccessPlans(plans, goals, evidence, milestones, owner)


# --- plans ---------------------------------------------------------------------------------


def _plans(inputs: PlanInputs) -> tuple[DemoPlans, np.ndarray, np.ndarray]:
    """The onboarding plan of each account, then a value plan per onboarded span and era."""
    lives, early = inputs.lives, inputs.early
    eras = lives.eras
    n = len(early.first_start)
    first_rows = np.searchsorted(lives.stage_account, np.arange(n))
    onboarding_end = lives.stage_end[first_rows]
    onboarding_owner = np.where(eras.handover_day >= 0, eras.first_owner, eras.owner)
    value = lives.value_spans()
    last = inputs.as_of_day + 1
    account = np.concatenate([np.arange(n), value.account])
    start = np.concatenate([early.first_start, value.start])
    end = np.concatenate([onboarding_end, value.end])
    template = np.concatenate(
        [np.array(ONBOARDING_PLAN)[eras.first_segment], np.array(VALUE_PLAN)[value.segment]]
    )
    owner = np.concatenate([onboarding_owner, value.owner])
    order = np.lexsort((start, account))
    plans = DemoPlans(
        account=account[order],
        template=template[order],
        start_day=start[order],
        active=end[order] >= last,
    )
    return plans, owner[order], end[order]


# --- goals ---------------------------------------------------------------------------------


def _goal_terms(
    rng: np.random.Generator,
    inputs: PlanInputs,
    plans: DemoPlans,
    plan_owner: np.ndarray,
    plan_end: np.ndarray,
) -> DemoGoals:
    """Each plan's goals, cycle after cycle in value plans, with baselines and targets."""
    rows: list[tuple[np.ndarray, ...]] = []  # plan, key, baseline day, cycle
    onboarding = np.isin(plans.template, ONBOARDING_PLAN)
    for plan_index, kind in enumerate(PLAN_KINDS):
        mine = np.flatnonzero(plans.template == plan_index)
        for j, goal_key in enumerate(kind.goal_keys):
            template = GOAL_INDEX[goal_key]
            due_days = GOAL_KINDS[template].due_days
            if kind.stage == "onboarding":
                rows.append(
                    (
                        mine,
                        np.full(len(mine), template),
                        plans.start_day[mine],
                        np.zeros(len(mine), np.int64),
                    )
                )
                continue
            # Value plans: the goals of a key follow one another while the plan runs.
            alive = mine
            day = plans.start_day[mine] + 7 * j
            number = 0
            while len(alive):
                inside = (day < plan_end[alive]) & (day <= inputs.as_of_day)
                alive, day = alive[inside], day[inside]
                rows.append(
                    (alive, np.full(len(alive), template), day, np.full(len(alive), number))
                )
                # Tech-touch customers serve themselves: their value plan's goal runs once.
                if kind.segment == TECH_TOUCH:
                    break
                day = day + due_days + rng.integers(0, NEXT_CYCLE_DAYS + 1, len(alive))
                number += 1
    plan, key, baseline_day, cycle = (np.concatenate([r[i] for r in rows]) for i in range(4))
    account = plans.account[plan]
    order = np.lexsort((key, plan, baseline_day, account))
    plan, key, baseline_day, cycle, account = (
        plan[order],
        key[order],
        baseline_day[order],
        cycle[order],
        account[order],
    )
    count = len(plan)
    due_day = baseline_day + np.array([k.due_days for k in GOAL_KINDS])[key]
    on_first_plan = onboarding[plan]
    first_key = np.array([GOAL_INDEX[PLAN_KINDS[p].goal_keys[0]] for p in ONBOARDING_PLAN])
    first_outcome = on_first_plan & (key == first_key[inputs.lives.eras.first_segment[account]])
    expected = on_first_plan | np.isin(key, [GOAL_INDEX[k] for k in EXPECTED_GOAL_KEYS])

    baseline, target = _baselines(rng, inputs, account, key, baseline_day, cycle)
    empty = np.full(count, -1, dtype=np.int64)
    goals = DemoGoals(
        plan=plan,
        account=account,
        template=key,
        expected=expected,
        baseline=baseline,
        baseline_day=baseline_day,
        target=target,
        due_day=due_day,
        owner=plan_owner[plan],
        achieved_day=empty,
        proof=empty.copy(),
        first_outcome=first_outcome,
    )
    return goals


def _baselines(
    rng: np.random.Generator,
    inputs: PlanInputs,
    account: np.ndarray,
    key: np.ndarray,
    baseline_day: np.ndarray,
    cycle: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Baseline and target of each goal: the customer's level of the KPI, improving by cycle."""
    count = len(account)
    low = np.array([k.baseline[0] for k in GOAL_KINDS])[key]
    high = np.array([k.baseline[1] for k in GOAL_KINDS])[key]
    change = np.array([k.target_change for k in GOAL_KINDS])[key]
    decimals = np.array([k.decimals for k in GOAL_KINDS])[key]
    per_employee = np.array([k.per_employee for k in GOAL_KINDS])[key]
    # One level per account and KPI, so the cycles of a goal start where the last one left.
    level = rng.random((int(account.max(initial=0)) + 1, len(GOAL_KINDS)))[account, key]
    base = low + level * (high - low)
    base = np.where(per_employee, base * inputs.employees[account], base)
    base = base * (1 + 0.5 * change) ** cycle * rng.lognormal(0, 0.05, count)
    base = np.maximum(base, MIN_STEPS * 10.0**-decimals / np.abs(change))
    seats = np.array([k.source == "seats" for k in GOAL_KINDS])[key]
    if seats.any():
        base[seats] = seats_on(inputs, account[seats], baseline_day[seats])
    baseline = round_to(base, decimals)
    target = round_to(baseline * (1 + change), decimals)
    step = 10.0**-decimals
    # The target is at least a step away from the baseline, in the KPI's direction.
    target = np.where(
        change > 0, np.maximum(target, baseline + step), np.minimum(target, baseline - step)
    )
    return baseline, round_to(target, decimals)


# --- milestones ----------------------------------------------------------------------------


def _milestones(
    rng: np.random.Generator, inputs: PlanInputs, plans: DemoPlans, plan_end: np.ndarray
) -> DemoMilestones:
    """Onboarding steps at the account's pace to first value; reviews when one was held."""
    early = inputs.early
    period_account, period_start, period_end = inputs.lives.customer_periods()
    reviews = inputs.review_account * 100_000 + inputs.review_day
    rows: list[tuple[np.ndarray, ...]] = []  # plan, position, due, done, first value
    for plan_index, kind in enumerate(PLAN_KINDS):
        mine = np.flatnonzero(plans.template == plan_index)
        account, start = plans.account[mine], plans.start_day[mine]
        if kind.stage == "onboarding":
            period = (
                np.searchsorted(
                    period_account * 100_000 + period_start, account * 100_000 + start, side="right"
                )
                - 1
            )
            stop = np.minimum(period_end[period] - 1, inputs.as_of_day)
            value_day = early.value_day[account]
            never = value_day >= NEVER
            value_days = FIRST_VALUE_DAYS[kind.segment]
            pace = np.where(never, 3.0, (value_day - start) / value_days)
        else:
            # A review milestone is done by the first business review held in the plan.
            found = np.searchsorted(reviews, account * 100_000 + start)
            found_ok = found < len(reviews)
            found = np.minimum(found, max(len(reviews) - 1, 0))
            held = np.full(len(mine), -1, dtype=np.int64)
            if len(reviews):
                same = found_ok & (inputs.review_account[found] == account)
                same &= inputs.review_day[found] < plan_end[mine]
                held = np.where(same, inputs.review_day[found], -1)
        for number, step in enumerate(kind.milestones, start=1):
            due = start + step.due_days
            if kind.stage != "onboarding":
                done = held
            elif step.first_value:
                done = np.where(never | (value_day > stop), -1, value_day)
            else:
                done = start + np.round(step.due_days * pace * rng.lognormal(0, 0.15, len(mine)))
                before_value = step.due_days < value_days
                done = (
                    np.minimum(done, value_day - 1)
                    if before_value
                    else np.maximum(done, value_day + 1)
                )
                done = np.maximum(done, start).astype(np.int64)
                late = never & (not before_value)
                done = np.where(late | (done > stop), -1, done)
            rows.append(
                (
                    mine,
                    np.full(len(mine), number),
                    due,
                    done,
                    np.full(len(mine), step.first_value),
                    np.full(len(mine), step.name, dtype=object),
                )
            )
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return DemoMilestones(
            empty, empty, np.zeros(0, object), empty, empty, np.zeros(0, bool), empty
        )
    plan, position, due, done, first_value, name = (
        np.concatenate([r[i] for r in rows]) for i in range(6)
    )
    order = np.lexsort((position, plan))
    return DemoMilestones(
        plan=plan[order],
        account=plans.account[plan[order]],
        name=name[order].astype(object),
        due_day=due[order].astype(np.int64),
        done_day=done[order].astype(np.int64),
        first_value=first_value[order].astype(bool),
        position=position[order].astype(np.int64),
    )
