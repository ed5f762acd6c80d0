"""How the outcome cards present goals, their progress and the Appropriate Experience.

Plain functions over what the services return; the caller passes `today`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from headway.accounts.models import Account
from headway.outcomes.goals import standing_of
from headway.outcomes.models import Evidence, Goal, GoalTemplate, Milestone, SuccessPlan
from headway.outcomes.progress import GoalProgress, GoalStatus
from headway.outcomes.service import DesiredOutcomeView

STATUS_LABELS = {
    GoalStatus.NOT_STARTED: "Not started",
    GoalStatus.ON_TRACK: "On track",
    GoalStatus.AT_RISK: "At risk",
    GoalStatus.ACHIEVED: "Achieved",
    GoalStatus.MISSED: "Missed",
}
SHOWN_EVIDENCE = 6  # the newest measurements listed under a goal; the sparkline draws them all


def kpi_number(value: float, *, signed: bool = False) -> str:
    """A KPI value as people read it: thousands separated, at most two decimals, a real minus."""
    text = f"{abs(value):,.2f}".rstrip("0").rstrip(".")
    if text == "0":
        return text  # what rounds to nothing has no sign
    sign = "−" if value < 0 else ("+" if signed else "")
    return sign + text


def kpi_amount(value: float, unit: str, *, signed: bool = False) -> str:
    """A KPI value with its unit."""
    number = kpi_number(value, signed=signed)
    return f"{number} {unit}" if unit else number


@dataclass(frozen=True)
class GoalCard:
    """A goal as the success plan card shows it."""

    goal: Goal
    standing: GoalProgress
    status_label: str
    percent: int | None  # progress, 0–100
    expected_percent: int  # where the straight line to the target is today
    baseline: str
    target: str
    current: str | None
    needed: str | None  # "+6.4 registrations a week"
    owner_name: str | None
    newest: list[tuple[Evidence, str]]  # the newest measurements, with their values as shown
    sparkline: dict[str, Any]


def sparkline_of(goal: Goal) -> dict[str, Any]:
    """A sparkline spec for headway.js: evidence by day since the baseline, and the trajectory."""

    def day(on: date) -> int:
        return (on - goal.baseline_date).days

    return {
        "kind": "sparkline",
        "start": goal.baseline_date.isoformat(),
        "unit": goal.unit,
        "points": [[day(e.measured_on), e.value] for e in goal.evidence],
        "trajectory": [[0, goal.baseline], [day(goal.due_date), goal.target]],
    }


def goal_card(goal: Goal, *, today: date, people: dict[int, str]) -> GoalCard:
    """Present a goal's terms, standing and evidence as of today."""
    standing = standing_of(goal, as_of=today)
    needed = None
    if standing.needed_per_week is not None:
        needed = f"{kpi_amount(standing.needed_per_week, goal.unit, signed=True)} a week"
    return GoalCard(
        goal=goal,
        standing=standing,
        status_label=STATUS_LABELS[standing.status],
        percent=None if standing.progress is None else round(standing.progress * 100),
        expected_percent=round(standing.expected_progress * 100),
        baseline=kpi_amount(goal.baseline, goal.unit),
        target=kpi_amount(goal.target, goal.unit),
        current=None if standing.current is None else kpi_amount(standing.current, goal.unit),
        needed=needed,
        owner_name=people.get(goal.owner_id) if goal.owner_id else None,
        newest=[
            (e, kpi_amount(e.value, goal.unit)) for e in reversed(goal.evidence[-SHOWN_EVIDENCE:])
        ],
        sparkline=sparkline_of(goal),
    )


@dataclass(frozen=True)
class PlanCard:
    """A success plan with its goals and milestones."""

    plan: SuccessPlan
    goals: list[GoalCard]
    milestones: list[Milestone]


def goal_form_values(template: GoalTemplate | None, today: date) -> dict[str, Any]:
    """What the add-goal form starts with: a template's KPI and horizon, or blanks."""
    values: dict[str, Any] = {
        "template": template.key if template else "",
        "name": "",
        "kind": "expected",
        "kpi": "",
        "unit": "",
        "direction": "increase",
        "source": "manual",
        "baseline_date": today,
        "due_date": today + timedelta(days=90),
        "target_hint": None,
    }
    if template is not None:
        change = kpi_number(template.target_change * 100, signed=True)
        values.update(
            name=template.name,
            kpi=template.kpi,
            unit=template.unit,
            direction=template.direction,
            source=template.source,
            due_date=today + timedelta(days=template.due_days),
            target_hint=f"usually {change} % from the baseline",
        )
    return values


@dataclass(frozen=True)
class ExperienceLine:
    """One part of the Appropriate Experience, and whether it differs from the segment's."""

    label: str
    value: str | list[str]
    tailored: bool


def _cadence(days: int | None) -> str:
    return f"every {days} days" if days else "none"


def experience_lines(desired: DesiredOutcomeView, account: Account) -> list[ExperienceLine]:
    """The Appropriate Experience as shown, each part marked where tailored for this customer."""
    segment = account.segment

    def differs(name: str) -> bool:
        if not desired.tailored:
            return False
        default = getattr(segment, name) if segment else None
        return bool(getattr(desired, name) != default)

    touch = f"{desired.touch_model}-touch" if desired.touch_model else "—"
    return [
        ExperienceLine("Touch model", touch, differs("touch_model")),
        ExperienceLine(
            "Channels", [c.replace("_", " ") for c in desired.channels], differs("channels")
        ),
        ExperienceLine(
            "Meetings", _cadence(desired.meeting_cadence_days), differs("meeting_cadence_days")
        ),
        ExperienceLine(
            "Business reviews",
            _cadence(desired.review_cadence_days),
            differs("review_cadence_days"),
        ),
        ExperienceLine("Support", desired.support_level or "—", differs("support_level")),
        ExperienceLine("Stakeholders", desired.stakeholders or "—", bool(desired.stakeholders)),
    ]
