"""Measure sources over outcome goals, for health scorecards.

`outcomes.goals_on_track`: the share of an account's goals that are achieved or on track as
of a day, among the goals that have started (baseline date on or before the day) and were
not settled more than `days` before it. A goal settles when it is achieved (the first
measurement reaching the target) or missed (the day after its due date passes). Standing is
judged by the rules of `outcomes/progress.py` from the evidence measured up to the day only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.health.builtin_sources import id_chunks, positive_int
from headway.health.sources import MeasureSource, register_measure_source
from headway.outcomes.models import Evidence, Goal
from headway.outcomes.progress import (
    Direction,
    GoalProgress,
    GoalStatus,
    GoalTerms,
    Measurement,
    goal_progress,
)

GOOD = frozenset({GoalStatus.ACHIEVED, GoalStatus.ON_TRACK})


def settled_on(terms: GoalTerms, standing: GoalProgress) -> date | None:
    """The day a goal was achieved or missed; None while it is still open."""
    if standing.status is GoalStatus.ACHIEVED:
        return standing.achieved_on
    if standing.status is GoalStatus.MISSED:
        return terms.due_date + timedelta(days=1)
    return None


def read_goals_on_track(
    session: Session, account_ids: Sequence[int], as_of: date, params: Mapping[str, Any]
) -> dict[int, float]:
    """Share of each account's current goals achieved or on track as of a day."""
    days = positive_int(params, "days", 90, "outcomes.goals_on_track")
    settled_since = as_of - timedelta(days=days)
    good: dict[int, int] = defaultdict(int)
    counted: dict[int, int] = defaultdict(int)
    for chunk in id_chunks(account_ids):
        goals = session.execute(
            select(
                Goal.id,
                Goal.account_id,
                Goal.direction,
                Goal.baseline,
                Goal.baseline_date,
                Goal.target,
                Goal.due_date,
            ).where(Goal.account_id.in_(chunk), Goal.baseline_date <= as_of)
        ).all()
        evidence: dict[int, list[Measurement]] = defaultdict(list)
        for goal_ids in id_chunks([g.id for g in goals]):
            for goal_id, measured_on, value in session.execute(
                select(Evidence.goal_id, Evidence.measured_on, Evidence.value).where(
                    Evidence.goal_id.in_(goal_ids), Evidence.measured_on <= as_of
                )
            ):
                evidence[goal_id].append(Measurement(measured_on, value))
        for goal in goals:
            terms = GoalTerms(
                Direction(goal.direction),
                goal.baseline,
                goal.baseline_date,
                goal.target,
                goal.due_date,
            )
            standing = goal_progress(terms, evidence[goal.id], as_of=as_of)
            settled = settled_on(terms, standing)
            if settled is not None and settled < settled_since:
                continue
            counted[goal.account_id] += 1
            good[goal.account_id] += standing.status in GOOD
    return {account_id: good[account_id] / n for account_id, n in counted.items()}


register_measure_source(
    MeasureSource(
        key="outcomes.goals_on_track",
        label="Goals achieved or on track",
        unit="share",
        description=(
            "Share of the account's goals achieved or on track on the day, among goals started "
            "by then and not achieved or missed more than `days` before; no data without such "
            "goals."
        ),
        read=read_goals_on_track,
        params={"days": "goals settled longer ago than this many days no longer count (90)"},
    )
)
