"""Evidence of the demo goals: measurements on a path from the baseline to each goal's reach.

A measurement every few weeks (more often by diligent CSMs, some skipped by under-covering ones)
on a path towards a reach drawn from the account's success and its CSM's diligence. The first
goal of the onboarding plan reaches its target exactly when the account's first expected outcome
was drawn as reached (histories.py churned the account by that). Seat goals are measured from
the subscriptions, as Headway's own seats metric would. Evidence stops at the first measurement
that reaches the target (it proves the goal achieved) and when the customer leaves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from headway.demo.catalogue import GOAL_KINDS, PLAN_KINDS
from headway.demo.success import DILIGENCE_LOG_SCALE, SUCCESS_DILIGENCE_WEIGHT, care_of
from headway.demo.words import EVIDENCE_NOTES

if TYPE_CHECKING:
    from headway.demo.plans import DemoGoals, DemoPlans, PlanInputs

# Reach (progress at the due date, 1 = the target) = exp(MU + SIGMA × goal score).
REACH_MU, REACH_SIGMA = 0.1, 0.45
GOAL_SUCCESS_WEIGHT, GOAL_NOISE_WEIGHT = 0.8, 0.6
PROGRESS_NOISE = 0.03
# Reach of the first expected outcome, reached or missed as drawn before the history.
REACHED_REACH, MISSED_REACH = (1.05, 1.4), (0.2, 0.85)
MISSED_CAP = 0.9
# Days between measurements by segment at diligence 1 (seats are sampled monthly).
MEASURE_DAYS = (30, 45, 45)
SEATS_MEASURE_DAYS = 30
EVIDENCE_SOURCES = ("manual", "import", "seats")
MANUAL, IMPORTED, SEATS = range(3)
PROGRAM_RECORDER = "import: in-app survey"
SEATS_RECORDER = "rule: sample metrics"
NOTE_SHARE = 0.3


@dataclass(frozen=True)
class DemoEvidence:
    """Measurements of goals' KPIs, by goal then day."""

    goal: np.ndarray  # index into DemoGoals
    value: np.ndarray  # float
    day: np.ndarray
    source: np.ndarray  # index into EVIDENCE_SOURCES
    recorded_by: np.ndarray  # object (str)
    note: np.ndarray  # object (str)

    def __len__(self) -> int:
        return len(self.goal)


def seats_on(inputs: PlanInputs, account: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Seats of the subscriptions of each account active on each day (the seats metric)."""
    subs = inputs.subscription_account
    first = np.searchsorted(subs, account)
    count = np.searchsorted(subs, account, side="right") - first
    query = np.repeat(np.arange(len(account)), count)
    row = np.repeat(first, count) + (
        np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    )
    start, end = inputs.subscription_start[row], inputs.subscription_end[row]
    active = (start <= day[query]) & ((end < 0) | (end > day[query]))
    seats = np.bincount(
        query[active], weights=inputs.subscription_seats[row][active], minlength=len(account)
    )
    return seats.astype(float)


def round_to(values: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Round each value to its own number of decimals."""
    scale = 10.0**decimals
    return np.round(values * scale) / scale


def draw_evidence(
    rng: np.random.Generator, inputs: PlanInputs, plans: DemoPlans, goals: DemoGoals
) -> tuple[DemoEvidence, DemoGoals]:
    """Measurements of each goal on a path to its reach; achievement settled from them."""
    early, lives = inputs.early, inputs.lives
    count = len(goals)
    account = goals.account
    key = goals.template
    seats = np.array([k.source == "seats" for k in GOAL_KINDS])[key]
    care = care_of(early.diligence, goals.owner)
    # How well this goal goes: the account's success, with its current CSM's diligence.
    owner_shift = (np.log(care) - np.log(early.care[account])) / DILIGENCE_LOG_SCALE
    success = early.success_z[account] + SUCCESS_DILIGENCE_WEIGHT * owner_shift
    score = GOAL_SUCCESS_WEIGHT * success + GOAL_NOISE_WEIGHT * rng.standard_normal(count)
    reach = np.exp(REACH_MU + REACH_SIGMA * score)
    first = goals.first_outcome
    reached = early.outcome_reached[account]
    forced = rng.uniform(*REACHED_REACH, count)
    reach = np.where(first & reached, forced, reach)
    reach = np.where(first & ~reached, rng.uniform(*MISSED_REACH, count), reach)
    shape = rng.uniform(0.7, 1.4, count)

    # When measurements stop: the customer left, or as_of.
    period_account, period_start, period_end = lives.customer_periods()
    period = (
        np.searchsorted(
            period_account * 100_000 + period_start,
            account * 100_000 + goals.baseline_day,
            side="right",
        )
        - 1
    )
    stop = np.minimum(period_end[period] - 1, inputs.as_of_day)

    plan_segment = np.array([kind.segment for kind in PLAN_KINDS])[plans.template[goals.plan]]
    every = np.array(MEASURE_DAYS, dtype=float)[plan_segment]
    every = np.where(seats, SEATS_MEASURE_DAYS, every / np.sqrt(care)) * rng.uniform(
        0.85, 1.15, count
    )
    last_regular = np.minimum(goals.due_day - 4, stop)
    regular = np.maximum(0, np.floor((last_regular - goals.baseline_day) / every)).astype(np.int64)
    goal = np.repeat(np.arange(count), regular)
    k = np.arange(regular.sum()) - np.repeat(np.cumsum(regular) - regular, regular) + 1
    day = goals.baseline_day[goal] + np.round(k * every[goal] + rng.uniform(-3, 3, len(goal)))
    day = np.clip(day, goals.baseline_day[goal] + 1, last_regular[goal]).astype(np.int64)
    # Under-covering CSMs skip some measurements; Headway's own metrics never do.
    skip = np.maximum(0.0, 0.5 * (1 - care[goal])) * ~seats[goal]
    kept = rng.random(len(goal)) >= skip
    goal, day = goal[kept], day[kept]
    final = np.flatnonzero(goals.due_day <= stop)
    goal = np.concatenate([goal, final])
    day = np.concatenate([day, goals.due_day[final]])
    is_final = np.concatenate([np.zeros(len(goal) - len(final), bool), np.ones(len(final), bool)])
    order = np.lexsort((day, goal))
    goal, day, is_final = goal[order], day[order], is_final[order]

    share = (day - goals.baseline_day[goal]) / (goals.due_day[goal] - goals.baseline_day[goal])
    progress = reach[goal] * share ** shape[goal] + rng.normal(0, PROGRESS_NOISE, len(goal))
    forced_reach = first[goal] & reached[goal]
    forced_miss = first[goal] & ~reached[goal]
    progress = np.where(forced_reach & is_final, np.maximum(progress, 1.0), progress)
    progress = np.where(forced_miss, np.minimum(progress, MISSED_CAP), progress)
    decimals = np.array([k.decimals for k in GOAL_KINDS])[key[goal]]
    baseline, target = goals.baseline[goal], goals.target[goal]
    value = round_to(baseline + progress * (target - baseline), decimals)
    if seats.any():
        measured = seats[goal]
        value[measured] = seats_on(inputs, account[goal[measured]], day[measured])
    increase = target > baseline
    reaches = np.where(increase, value >= target, value <= target)
    # A missed first outcome never reaches its target, whatever the rounding did.
    step = 10.0**-decimals
    back = np.where(increase, target - step, target + step)
    fix = forced_miss & reaches & ~seats[goal]
    value = np.where(fix, round_to(back, decimals), value)
    reaches &= ~fix

    # Measuring stops at the first measurement that reaches the target: it proves the goal.
    starts = np.searchsorted(goal, np.arange(count))
    reached_so_far = np.cumsum(reaches) - reaches
    before = reached_so_far - reached_so_far[starts[goal]] if len(goal) else reached_so_far
    keep = before == 0
    goal, day, value, reaches = goal[keep], day[keep], value[keep], reaches[keep]
    proof_rows = np.flatnonzero(reaches)
    proof = np.full(count, -1, dtype=np.int64)
    proof[goal[proof_rows]] = proof_rows
    achieved_day = np.full(count, -1, dtype=np.int64)
    achieved_day[goal[proof_rows]] = day[proof_rows]

    source = np.where(seats[goal], SEATS, np.where(goals.owner[goal] >= 0, MANUAL, IMPORTED))
    emails = np.array([*inputs.team_emails, PROGRAM_RECORDER], dtype=object)
    recorded_by = np.where(
        source == SEATS,
        SEATS_RECORDER,
        emails[np.where(goals.owner[goal] >= 0, goals.owner[goal], -1)],
    ).astype(object)
    measured_in = np.array(
        [f"From {k.measured_in}" if k.measured_in else "" for k in GOAL_KINDS], dtype=object
    )
    notes = np.array(EVIDENCE_NOTES, dtype=object)[rng.integers(0, len(EVIDENCE_NOTES), len(goal))]
    notes = np.where(rng.random(len(goal)) < 0.5, measured_in[key[goal]], notes)
    note = np.where((source == MANUAL) & (rng.random(len(goal)) < NOTE_SHARE), notes, "").astype(
        object
    )
    evidence = DemoEvidence(
        goal=goal, value=value, day=day, source=source, recorded_by=recorded_by, note=note
    )
    return evidence, replace(goals, achieved_day=achieved_day, proof=proof)
