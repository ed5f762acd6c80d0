"""The daily job: roll usage up, attach identified contacts, score health, apply stage rules.

Each step commits its own work, so a step that fails leaves the earlier ones done; running
the job again the same day redoes nothing twice (rollups go by watermark, scores replace the
day's, contacts and stage moves are written once).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from headway.core import clock
from headway.health.scores import score_accounts
from headway.lifecycle.stages import StageMove, apply_stage_rules
from headway.usage.rollup import rollup_usage
from headway.usage.service import attach_identified_contacts

STEPS = ("rollup", "contacts", "health", "stages")
STEP_LABELS = {
    "rollup": "Rolling usage up by day",
    "contacts": "Attaching identified users as contacts",
    "health": "Scoring health",
    "stages": "Applying stage rules",
}

# (step, done, total): total is None until the step knows how much work it has.
StepProgress = Callable[[str, int, int | None], None]


@dataclass
class DailyRun:
    """What one run of the daily job did, step by step."""

    as_of: date
    rollup: dict[str, Any] = field(default_factory=dict)
    contacts: dict[str, Any] = field(default_factory=dict)
    health: dict[str, Any] = field(default_factory=dict)
    stages: dict[str, Any] = field(default_factory=dict)
    moves: list[StageMove] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def _no_progress(step: str, done: int, total: int | None) -> None:
    return None


def run_daily(
    *, session: Session, as_of: date | None = None, progress: StepProgress | None = None
) -> DailyRun:
    """Run the daily job's four steps in order for a day (default: today)."""
    day = as_of or clock.today()
    report = progress or _no_progress
    run = DailyRun(as_of=day)

    def timed(step: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        report(step, 0, None)
        started = time.perf_counter()
        counts = work()
        run.seconds[step] = round(time.perf_counter() - started, 3)
        done = next(iter(counts.values()))  # the step's main count: events, contacts, scores …
        report(step, done, done)
        return counts

    def rollup() -> dict[str, Any]:
        result = rollup_usage(session=session, source="app")
        return {"events_read": result.events_read, "days_written": result.days_written}

    def contacts() -> dict[str, Any]:
        attached = attach_identified_contacts(session=session, now=clock.now())
        session.commit()
        return {"attached": attached}

    def health() -> dict[str, Any]:
        scored = score_accounts(
            session=session, as_of=day, progress=lambda done, total: report("health", done, total)
        )
        return {"scored": scored}

    def stages() -> dict[str, Any]:
        run.moves = apply_stage_rules(session=session, as_of=day)
        by_rule: dict[str, int] = {}
        for move in run.moves:
            step = f"{move.from_stage} → {move.to_stage}"
            by_rule[step] = by_rule.get(step, 0) + 1
        return {"moved": len(run.moves), "by_step": by_rule}

    run.rollup = timed("rollup", rollup)
    run.contacts = timed("contacts", contacts)
    run.health = timed("health", health)
    run.stages = timed("stages", stages)
    return run
