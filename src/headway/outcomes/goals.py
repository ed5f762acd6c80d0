"""Outcome goals and their evidence: terms, progress as of a day, measurements, achievement.

Writes check that the person may edit the account, write an audit row and commit; recording
evidence settles achievement: the first measurement on or before the due date that reaches the
target proves the goal achieved, and that measurement is kept as it is from then on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from headway.accounts.service import check_may_edit_account
from headway.core import clock
from headway.core.audit import Actor, changed, record_audit, snapshot
from headway.core.errors import Conflict, InvalidInput, NotFound
from headway.core.money import is_currency, minor_exponent
from headway.core.pagination import fetch_page
from headway.outcomes.models import Evidence, Goal, GoalTemplate
from headway.outcomes.progress import (
    Direction,
    GoalProgress,
    GoalStatus,
    GoalTerms,
    Measurement,
    check_terms,
    first_achievement,
    goal_progress,
    reaches_target,
)
from headway.outcomes.schemas import (
    EvidenceCreate,
    EvidenceSource,
    GoalCreate,
    GoalUpdate,
    KpiSource,
)
from headway.outcomes.service import get_success_plan, template_by_key
from headway.revenue.service import mrr_by_account, seats_by_account
from headway.users.models import User
from headway.users.service import Permissions

GOAL_FIELDS = [
    "plan_id",
    "name",
    "kind",
    "kpi",
    "unit",
    "direction",
    "source",
    "baseline",
    "baseline_date",
    "target",
    "due_date",
    "owner_id",
]
TERM_FIELDS = ["direction", "baseline", "baseline_date", "target", "due_date"]


# --- goals ---------------------------------------------------------------------------------


def terms_of(goal: Goal) -> GoalTerms:
    """The promise of a goal as the progress rules read it."""
    return GoalTerms(
        direction=Direction(goal.direction),
        baseline=goal.baseline,
        baseline_date=goal.baseline_date,
        target=goal.target,
        due_date=goal.due_date,
    )


def standing_of(goal: Goal, *, as_of: date) -> GoalProgress:
    """A goal's progress and status as of a day, from its evidence."""
    measurements = [Measurement(e.measured_on, e.value) for e in goal.evidence]
    return goal_progress(terms_of(goal), measurements, as_of=as_of)


def get_goal(*, session: Session, goal_id: int) -> Goal:
    """Return a goal by id."""
    goal = session.get(Goal, goal_id)
    if goal is None:
        raise NotFound(f"goal {goal_id} does not exist")
    return goal


def _check_owner(session: Session, owner_id: int | None) -> None:
    if owner_id is not None and session.get(User, owner_id) is None:
        raise InvalidInput(f"user {owner_id} does not exist")


def _check_terms(goal: Goal) -> None:
    problem = check_terms(terms_of(goal))
    if problem:
        raise InvalidInput(problem)


def create_goal(
    *, session: Session, actor: Actor, permissions: Permissions | None, data: GoalCreate
) -> Goal:
    """Add an outcome goal to a success plan."""
    plan = get_success_plan(session=session, plan_id=data.plan_id)
    check_may_edit_account(
        session=session, permissions=permissions, account_id=plan.account_id, what="outcomes"
    )
    _check_owner(session, data.owner_id)
    template = (
        template_by_key(session, GoalTemplate, data.template, "goal template")
        if data.template
        else None
    )
    now = clock.now()
    goal = Goal(
        plan_id=plan.id,
        account_id=plan.account_id,
        template_id=template.id if template else None,
        name=data.name.strip(),
        kind=data.kind.value,
        kpi=data.kpi.strip(),
        unit=data.unit.strip(),
        direction=data.direction.value,
        source=data.source.value,
        baseline=data.baseline,
        baseline_date=data.baseline_date,
        target=data.target,
        due_date=data.due_date,
        owner_id=data.owner_id,
        achieved_on=None,
        achieved_evidence_id=None,
        created_at=now,
        updated_at=now,
        evidence=[],
    )
    _check_terms(goal)
    session.add(goal)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="goal.create",
        entity_type="goal",
        entity_id=goal.id,
        account_id=goal.account_id,
        before=None,
        after=snapshot(goal, GOAL_FIELDS),
    )
    session.commit()
    return goal


def update_goal(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    goal_id: int,
    changes: GoalUpdate,
) -> Goal:
    """Change a goal; only the fields given change, and an achieved goal's terms stay."""
    goal = get_goal(session=session, goal_id=goal_id)
    check_may_edit_account(
        session=session, permissions=permissions, account_id=goal.account_id, what="outcomes"
    )
    given = changes.model_dump(exclude_unset=True)
    if "owner_id" in given:
        _check_owner(session, given["owner_id"])
    given = {
        name: value.value if hasattr(value, "value") else value for name, value in given.items()
    }
    # Check the new terms before touching the goal, so a refused change leaves nothing behind.
    terms = {name: given.get(name, getattr(goal, name)) for name in TERM_FIELDS}
    problem = check_terms(GoalTerms(**terms | {"direction": Direction(terms["direction"])}))
    if problem:
        raise InvalidInput(problem)
    moved = [name for name in TERM_FIELDS if terms[name] != getattr(goal, name)]
    if goal.achieved_on is not None and moved:
        # The evidence proved these terms: changed ones would no longer be what was achieved.
        raise Conflict(
            f"this goal was achieved on {goal.achieved_on.isoformat()}: its terms are settled "
            f"({', '.join(moved)} cannot change)"
        )
    before = snapshot(goal, GOAL_FIELDS)
    for name, value in given.items():
        setattr(goal, name, value)
    old, new = changed(before, snapshot(goal, GOAL_FIELDS))
    if new:
        goal.updated_at = clock.now()
        record_audit(
            session,
            actor=actor,
            action="goal.update",
            entity_type="goal",
            entity_id=goal.id,
            account_id=goal.account_id,
            before=old,
            after=new,
        )
        _settle_achievement(session, actor, goal)
    session.commit()
    return goal


def settle_achievement(*, session: Session, actor: Actor, goal: Goal) -> None:
    """Mark a goal achieved if its evidence proves it (after evidence written in bulk)."""
    _settle_achievement(session, actor, goal)


def _settle_achievement(session: Session, actor: Actor, goal: Goal) -> None:
    """Mark a goal achieved with the evidence that first reached its target, once."""
    if goal.achieved_on is not None:
        return  # an achieved goal keeps the evidence that proved it
    terms = terms_of(goal)
    measurements = [Measurement(e.measured_on, e.value) for e in goal.evidence]
    day = first_achievement(terms, measurements)
    if day is None:
        return
    proof = next(
        e for e in goal.evidence if e.measured_on == day and reaches_target(terms, e.value)
    )
    goal.achieved_on = day
    goal.achieved_evidence_id = proof.id
    record_audit(
        session,
        actor=actor,
        action="goal.achieve",
        entity_type="goal",
        entity_id=goal.id,
        account_id=goal.account_id,
        before=None,
        after={"achieved_on": day.isoformat(), "value": proof.value, "evidence_id": proof.id},
    )


def list_goals(
    *,
    session: Session,
    account_id: int | None = None,
    plan_id: int | None = None,
    owner_id: int | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Goal], int]:
    """List goals by due date, with their evidence loaded."""
    query: Select[Any] = select(Goal).options(selectinload(Goal.evidence))
    if account_id is not None:
        query = query.where(Goal.account_id == account_id)
    if plan_id is not None:
        query = query.where(Goal.plan_id == plan_id)
    if owner_id is not None:
        query = query.where(Goal.owner_id == owner_id)
    if due_from is not None:
        query = query.where(Goal.due_date >= due_from)
    if due_to is not None:
        query = query.where(Goal.due_date <= due_to)
    rows, total = fetch_page(
        session, query.order_by(Goal.due_date, Goal.id), page=page, per_page=per_page
    )
    return [r[0] for r in rows], total


def iter_goals(
    *, session: Session, due_from: date | None = None, due_to: date | None = None
) -> Iterable[Goal]:
    """Every goal (optionally due in a range) with its evidence, in batches: for reports."""
    query = select(Goal).options(selectinload(Goal.evidence)).order_by(Goal.id)
    if due_from is not None:
        query = query.where(Goal.due_date >= due_from)
    if due_to is not None:
        query = query.where(Goal.due_date <= due_to)
    last = 0
    while True:
        batch = list(session.scalars(query.where(Goal.id > last).limit(2000)))
        if not batch:
            return
        yield from batch
        last = batch[-1].id


def goal_template_key(session: Session, goal: Goal) -> str | None:
    """The key of the template a goal came from, if any."""
    if goal.template_id is None:
        return None
    template = session.get(GoalTemplate, goal.template_id)
    return template.key if template else None


# --- evidence ------------------------------------------------------------------------------


def record_evidence(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    goal_id: int,
    data: EvidenceCreate,
    source: EvidenceSource = EvidenceSource.MANUAL,
    commit: bool = True,
) -> Evidence:
    """Record a measurement of a goal's KPI; the same goal, day and source again updates it."""
    goal = get_goal(session=session, goal_id=goal_id)
    check_may_edit_account(
        session=session, permissions=permissions, account_id=goal.account_id, what="outcomes"
    )
    now = clock.now()
    if data.measured_on > now.date():
        # Evidence is what was measured, not a forecast: a future value would settle achievement.
        raise InvalidInput(f"a measurement cannot be dated in the future ({data.measured_on})")
    existing = session.scalar(
        select(Evidence).where(
            Evidence.goal_id == goal.id,
            Evidence.measured_on == data.measured_on,
            Evidence.source == source.value,
        )
    )
    if existing is not None:
        if existing.value == data.value and existing.note == data.note:
            return existing  # the same measurement again: nothing to record
        if goal.achieved_evidence_id == existing.id:
            raise Conflict(
                "this measurement proved the goal achieved and is kept as it is; "
                "record a new measurement on another day instead"
            )
        before = {"value": existing.value, "note": existing.note}
        existing.value = data.value
        existing.note = data.note
        existing.recorded_by = actor.label
        existing.updated_at = now
        evidence = existing
        action = "evidence.update"
    else:
        evidence = Evidence(
            goal_id=goal.id,
            value=data.value,
            measured_on=data.measured_on,
            source=source.value,
            recorded_by=actor.label,
            note=data.note,
            created_at=now,
            updated_at=now,
        )
        session.add(evidence)
        goal.evidence.append(evidence)
        before = None
        action = "evidence.record"
    session.flush()
    record_audit(
        session,
        actor=actor,
        action=action,
        entity_type="evidence",
        entity_id=evidence.id,
        account_id=goal.account_id,
        before=before,
        after={
            "goal_id": goal.id,
            "goal": goal.name,
            "value": evidence.value,
            "measured_on": evidence.measured_on.isoformat(),
            "source": evidence.source,
            "note": evidence.note,
        },
    )
    session.refresh(goal, ["evidence"])
    _settle_achievement(session, actor, goal)
    if commit:
        session.commit()
    return evidence


def list_evidence(*, session: Session, goal_id: int) -> list[Evidence]:
    """List a goal's measurements, oldest first."""
    goal = get_goal(session=session, goal_id=goal_id)
    return list(goal.evidence)


def metric_value(*, session: Session, goal: Goal, on: date) -> float | None:
    """The value of a goal's Headway-computed KPI for its account on a day (None if none)."""
    if goal.source == KpiSource.SEATS:
        return float(
            seats_by_account(session=session, on=on, account_ids=[goal.account_id]).get(
                goal.account_id, 0
            )
        )
    if goal.source == KpiSource.MRR:
        # MRR in major units of the goal's unit, when the unit is a currency the account pays in.
        currency = goal.unit.strip().upper()
        if not is_currency(currency):
            return None  # no currency to measure MRR in: recording 0 would be false evidence
        minor = mrr_by_account(
            session=session, on=on, currency=currency, account_ids=[goal.account_id]
        )
        exponent = minor_exponent(currency)
        return round(minor.get(goal.account_id, 0.0) / 10**exponent, exponent)
    return None


def sample_metric_goals(
    *, session: Session, actor: Actor, on: date, goal_ids: Sequence[int] | None = None
) -> int:
    """Record today's value of every open goal measured by a Headway metric; return how many."""
    query = select(Goal.id).where(
        Goal.source.in_([KpiSource.SEATS.value, KpiSource.MRR.value]),
        Goal.achieved_on.is_(None),
        Goal.due_date >= on,
        Goal.baseline_date <= on,
    )
    if goal_ids is not None:
        query = query.where(Goal.id.in_(list(goal_ids)))
    count = 0
    for goal_id in list(session.scalars(query)):
        goal = get_goal(session=session, goal_id=goal_id)
        value = metric_value(session=session, goal=goal, on=on)
        if value is None:
            continue
        record_evidence(
            session=session,
            actor=actor,
            permissions=None,
            goal_id=goal_id,
            data=EvidenceCreate(value=value, measured_on=on),
            source=EvidenceSource(goal.source),
            commit=False,
        )
        count += 1
    session.commit()
    return count


# --- statuses for lists --------------------------------------------------------------------


def status_counts(goals: Iterable[Goal], *, as_of: date) -> dict[GoalStatus, int]:
    """How many goals stand in each status as of a day."""
    counts = dict.fromkeys(GoalStatus, 0)
    for goal in goals:
        counts[standing_of(goal, as_of=as_of).status] += 1
    return counts
