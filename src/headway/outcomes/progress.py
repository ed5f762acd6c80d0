"""Progress and status of an outcome goal: plain functions over plain data and an explicit as_of.

Progress = (current − baseline) ÷ (target − baseline), clamped to 0–1, where current is the
latest measurement on or before as_of. The same formula serves increasing and decreasing KPIs:
for a decreasing KPI both differences are negative.

Status, in this order of precedence:
- achieved: a measurement on or before the due date reached the target (kept once reached);
- missed: the due date has passed without that;
- not started: no measurement yet, and less than half the time to the due date has passed;
- at risk: progress lags the straight line from baseline (at the baseline date) to target (at
  the due date) by more than TRAJECTORY_TOLERANCE, judged at the latest measurement's date;
  or no measurement yet with half the time gone;
- on track: otherwise.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

# How far (as a share of the whole way) progress may lag the straight line before a goal is at risk.
TRAJECTORY_TOLERANCE = 0.10
# Shares are floats: a lag of exactly the tolerance (0.8 − 0.7) must not read as more than it.
_ROUNDING = 1e-9
# Without evidence a goal turns from "not started" to "at risk" once this share of its time is gone.
NO_EVIDENCE_GRACE = 0.5


class Direction(enum.StrEnum):
    """Which way a KPI has to move: up (registrations) or down (support cost)."""

    INCREASE = "increase"
    DECREASE = "decrease"


class GoalStatus(enum.StrEnum):
    """Where a goal stands."""

    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    ACHIEVED = "achieved"
    MISSED = "missed"


@dataclass(frozen=True)
class Measurement:
    """One value of a KPI on a day."""

    on: date
    value: float


@dataclass(frozen=True)
class GoalTerms:
    """What a goal promises: from the baseline (on its date) to the target by the due date."""

    direction: Direction
    baseline: float
    baseline_date: date
    target: float
    due_date: date


@dataclass(frozen=True)
class GoalProgress:
    """A goal's standing as of a day."""

    status: GoalStatus
    current: float | None  # the latest value on or before as_of
    measured_on: date | None
    progress: float | None  # 0–1, None without evidence
    expected_progress: float  # where the straight line to the target is as of as_of (0–1)
    achieved_on: date | None
    # The change per week still needed to reach the target by the due date (None when
    # achieved or past due), in the KPI's unit and with its sign.
    needed_per_week: float | None
    days_left: int  # to the due date; negative when past


def check_terms(terms: GoalTerms) -> str | None:
    """Say what is wrong with a goal's terms, or None when they make sense."""
    if terms.direction is Direction.INCREASE and not terms.target > terms.baseline:
        return "the target of an increasing KPI must be above its baseline"
    if terms.direction is Direction.DECREASE and not terms.target < terms.baseline:
        return "the target of a decreasing KPI must be below its baseline"
    if terms.due_date <= terms.baseline_date:
        return "the due date must come after the baseline date"
    return None


def reaches_target(terms: GoalTerms, value: float) -> bool:
    """Tell whether a value meets the target in the KPI's direction."""
    if terms.direction is Direction.INCREASE:
        return value >= terms.target
    return value <= terms.target


def progress_of(terms: GoalTerms, value: float) -> float:
    """Share of the way from baseline to target that a value has covered, clamped to 0–1."""
    share = (value - terms.baseline) / (terms.target - terms.baseline)
    return min(1.0, max(0.0, share))


def elapsed_share(terms: GoalTerms, on: date) -> float:
    """Share of the time from the baseline date to the due date gone by a day, clamped to 0–1."""
    whole = (terms.due_date - terms.baseline_date).days
    share = (on - terms.baseline_date).days / whole
    return min(1.0, max(0.0, share))


def is_behind(terms: GoalTerms, progress: float | None, on: date) -> bool:
    """Tell whether progress on a day lags the straight line by more than the tolerance."""
    if progress is None:
        return False
    return elapsed_share(terms, on) - progress > TRAJECTORY_TOLERANCE + _ROUNDING


def first_achievement(terms: GoalTerms, measurements: Iterable[Measurement]) -> date | None:
    """The first day on or before the due date on which a measurement reached the target."""
    days = [m.on for m in measurements if m.on <= terms.due_date and reaches_target(terms, m.value)]
    return min(days, default=None)


def goal_progress(
    terms: GoalTerms, measurements: Sequence[Measurement], *, as_of: date
) -> GoalProgress:
    """Compute a goal's progress, status and needed trajectory as of a day."""
    known = sorted((m for m in measurements if m.on <= as_of), key=lambda m: m.on)
    latest = known[-1] if known else None
    achieved_on = first_achievement(terms, known)
    expected = elapsed_share(terms, as_of)
    days_left = (terms.due_date - as_of).days
    progress = progress_of(terms, latest.value) if latest else None

    if achieved_on is not None:
        status = GoalStatus.ACHIEVED
    elif as_of > terms.due_date:
        status = GoalStatus.MISSED
    elif latest is None:
        status = GoalStatus.NOT_STARTED if expected < NO_EVIDENCE_GRACE else GoalStatus.AT_RISK
    elif is_behind(terms, progress, latest.on):
        status = GoalStatus.AT_RISK
    else:
        status = GoalStatus.ON_TRACK

    needed: float | None = None
    if status not in (GoalStatus.ACHIEVED, GoalStatus.MISSED):
        current = latest.value if latest else terms.baseline
        weeks = max(days_left, 1) / 7
        needed = (terms.target - current) / weeks
    return GoalProgress(
        status=status,
        current=latest.value if latest else None,
        measured_on=latest.on if latest else None,
        progress=progress,
        expected_progress=expected,
        achieved_on=achieved_on,
        needed_per_week=needed,
        days_left=days_left,
    )
