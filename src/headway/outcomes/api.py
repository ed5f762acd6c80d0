"""JSON API of desired outcomes, hand-offs, success plans, goals, evidence and milestones."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from headway.accounts.service import get_account, list_segments, list_stages
from headway.core import clock
from headway.core.errors import NotFound
from headway.core.pagination import MAX_PER_PAGE, Page
from headway.outcomes.goals import (
    create_goal,
    get_goal,
    goal_template_key,
    list_evidence,
    list_goals,
    record_evidence,
    standing_of,
    update_goal,
)
from headway.outcomes.models import Goal, SuccessPlan
from headway.outcomes.progress import GoalStatus
from headway.outcomes.schemas import (
    DesiredOutcomeRead,
    DesiredOutcomeUpdate,
    EvidenceCreate,
    EvidenceRead,
    EvidenceSource,
    GoalCreate,
    GoalRead,
    GoalTemplateRead,
    GoalUpdate,
    HandoffCreate,
    HandoffRead,
    MilestoneCreate,
    MilestoneRead,
    MilestoneUpdate,
    PlanCreate,
    PlanRead,
    PlanStatus,
    PlanSummaryRead,
    PlanTemplateRead,
    PlanUpdate,
    StatementCreate,
    StatementRead,
    desired_outcome_read,
    goal_read,
    plan_read,
    plan_summary_read,
    plan_template_read,
)
from headway.outcomes.service import (
    add_milestone,
    add_outcome_statement,
    create_success_plan,
    get_desired_outcome,
    get_handoff,
    get_success_plan,
    list_goal_templates,
    list_milestones,
    list_plan_templates,
    list_success_plans,
    record_handoff,
    remove_outcome_statement,
    tailor_desired_outcome,
    update_milestone,
    update_success_plan,
)
from headway.web.auth import ApiPrincipal, SessionDep
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PageNumber, PathId, PerPage, QueryDate, QueryId

router = APIRouter(tags=["outcomes"], responses=API_ERROR_RESPONSES)

# --- desired outcome -----------------------------------------------------------------------


@router.get("/accounts/{account_id}/desired-outcome", response_model=DesiredOutcomeRead)
def get_account_desired_outcome(
    session: SessionDep, principal: ApiPrincipal, account_id: PathId
) -> DesiredOutcomeRead:
    """Return an account's Desired Outcome: as tailored, or its segment's defaults."""
    return desired_outcome_read(get_desired_outcome(session=session, account_id=account_id))


@router.patch("/accounts/{account_id}/desired-outcome", response_model=DesiredOutcomeRead)
def patch_account_desired_outcome(
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: PathId,
    changes: DesiredOutcomeUpdate,
) -> DesiredOutcomeRead:
    """Tailor an account's Required Outcome and Appropriate Experience."""
    view = tailor_desired_outcome(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        account_id=account_id,
        changes=changes,
    )
    return desired_outcome_read(view)


@router.post("/accounts/{account_id}/outcomes", response_model=StatementRead, status_code=201)
def post_outcome_statement(
    session: SessionDep, principal: ApiPrincipal, account_id: PathId, data: StatementCreate
) -> StatementRead:
    """Add an expected or desired outcome, for the company or one stakeholder (a contact)."""
    statement = add_outcome_statement(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        account_id=account_id,
        data=data,
    )
    return StatementRead.model_validate(statement)


@router.delete("/outcome-statements/{statement_id}", status_code=204)
def delete_outcome_statement(
    session: SessionDep, principal: ApiPrincipal, statement_id: PathId
) -> Response:
    """Remove an expected or desired outcome (the audit log keeps what it said)."""
    remove_outcome_statement(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        statement_id=statement_id,
    )
    return Response(status_code=204)


# --- hand-off ------------------------------------------------------------------------------


@router.get("/accounts/{account_id}/handoff", response_model=HandoffRead)
def get_account_handoff(
    session: SessionDep, principal: ApiPrincipal, account_id: PathId
) -> HandoffRead:
    """Return what sales promised the account; 404 until a hand-off is recorded."""
    get_account(session=session, account_id=account_id)
    handoff = get_handoff(session=session, account_id=account_id)
    if handoff is None:
        raise NotFound(f"no hand-off from sales was recorded for account {account_id}")
    return HandoffRead.model_validate(handoff)


@router.post("/accounts/{account_id}/handoff", response_model=HandoffRead, status_code=201)
def post_account_handoff(
    session: SessionDep, principal: ApiPrincipal, account_id: PathId, data: HandoffCreate
) -> HandoffRead:
    """Record the hand-off from sales: an expected outcome, and the success plan starts."""
    handoff = record_handoff(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        account_id=account_id,
        data=data,
    )
    return HandoffRead.model_validate(handoff)


# --- success plans and milestones ----------------------------------------------------------


def _plan_template_keys(session: Session) -> dict[int, str]:
    return {t.id: t.key for t in list_plan_templates(session=session)}


def _all_goals(session: Session, **filters: Any) -> list[Goal]:
    """Every goal matching the filters, read page by page (a page holds at most 500)."""
    found: list[Goal] = []
    page = 1
    while True:
        goals, total = list_goals(session=session, page=page, per_page=MAX_PER_PAGE, **filters)
        found.extend(goals)
        if not goals or len(found) >= total:
            return found
        page += 1


def _goal_read(session: Session, goal: Goal, as_of: date) -> GoalRead:
    return goal_read(goal, standing_of(goal, as_of=as_of), goal_template_key(session, goal))


def _plan_read(session: Session, plan: SuccessPlan) -> PlanRead:
    today = clock.today()
    goals = [_goal_read(session, g, today) for g in _all_goals(session, plan_id=plan.id)]
    return plan_read(
        plan,
        _plan_template_keys(session).get(plan.template_id) if plan.template_id else None,
        goals,
        list_milestones(session=session, plan_id=plan.id),
    )


@router.get("/success-plans", response_model=Page[PlanSummaryRead])
def get_success_plans(
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: QueryId = None,
    status: PlanStatus | None = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> Page[PlanSummaryRead]:
    """List success plans, newest first; each plan's goals and milestones are on its own."""
    plans, total = list_success_plans(
        session=session,
        account_id=account_id,
        status=status.value if status else None,
        page=page,
        per_page=per_page,
    )
    keys = _plan_template_keys(session)
    return Page[PlanSummaryRead](
        items=[plan_summary_read(p, keys.get(p.template_id or 0)) for p in plans],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.post("/success-plans", response_model=PlanRead, status_code=201)
def post_success_plan(session: SessionDep, principal: ApiPrincipal, data: PlanCreate) -> PlanRead:
    """Start a success plan, from a template (the account's segment and stage's by default)."""
    plan = create_success_plan(
        session=session, actor=principal.actor, permissions=principal.permissions, data=data
    )
    return _plan_read(session, plan)


@router.get("/success-plans/{plan_id}", response_model=PlanRead)
def get_one_success_plan(session: SessionDep, principal: ApiPrincipal, plan_id: PathId) -> PlanRead:
    """Return a success plan with its goals (standing as of today) and milestones."""
    return _plan_read(session, get_success_plan(session=session, plan_id=plan_id))


@router.patch("/success-plans/{plan_id}", response_model=PlanRead)
def patch_success_plan(
    session: SessionDep, principal: ApiPrincipal, plan_id: PathId, changes: PlanUpdate
) -> PlanRead:
    """Rename a success plan or mark it completed."""
    plan = update_success_plan(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        plan_id=plan_id,
        changes=changes,
    )
    return _plan_read(session, plan)


@router.post("/success-plans/{plan_id}/milestones", response_model=MilestoneRead, status_code=201)
def post_milestone(
    session: SessionDep, principal: ApiPrincipal, plan_id: PathId, data: MilestoneCreate
) -> MilestoneRead:
    """Add a milestone to a success plan; at most one per account is its first value."""
    milestone = add_milestone(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        plan_id=plan_id,
        data=data,
    )
    return MilestoneRead.model_validate(milestone)


@router.patch("/milestones/{milestone_id}", response_model=MilestoneRead)
def patch_milestone(
    session: SessionDep, principal: ApiPrincipal, milestone_id: PathId, changes: MilestoneUpdate
) -> MilestoneRead:
    """Change a milestone: mark it done, move its due date, flag it as first value."""
    milestone = update_milestone(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        milestone_id=milestone_id,
        changes=changes,
    )
    return MilestoneRead.model_validate(milestone)


# --- goals and evidence --------------------------------------------------------------------


@router.get("/goals", response_model=Page[GoalRead])
def get_goals(
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: QueryId = None,
    plan_id: QueryId = None,
    owner_id: QueryId = None,
    due_from: QueryDate = None,
    due_to: QueryDate = None,
    status: GoalStatus | None = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> Page[GoalRead]:
    """List goals by due date, each with its standing as of today."""
    today = clock.today()
    filters: dict[str, Any] = {
        "account_id": account_id,
        "plan_id": plan_id,
        "owner_id": owner_id,
        "due_from": due_from,
        "due_to": due_to,
    }
    if status is None:
        goals, total = list_goals(session=session, page=page, per_page=per_page, **filters)
        items = [_goal_read(session, g, today) for g in goals]
    else:
        # A status holds as of today, computed from the evidence: it is no column the database
        # could filter or count by. So the goals the other filters keep are all read, their
        # standing computed, and the page cut from those that stand in the status.
        standing = [_goal_read(session, g, today) for g in _all_goals(session, **filters)]
        matching = [g for g in standing if g.status is status]
        total = len(matching)
        items = matching[(page - 1) * per_page : page * per_page]
    return Page[GoalRead](items=items, total=total, page=page, per_page=per_page)


@router.post("/goals", response_model=GoalRead, status_code=201)
def post_goal(session: SessionDep, principal: ApiPrincipal, data: GoalCreate) -> GoalRead:
    """Add an outcome goal to a success plan."""
    goal = create_goal(
        session=session, actor=principal.actor, permissions=principal.permissions, data=data
    )
    return _goal_read(session, goal, clock.today())


@router.get("/goals/{goal_id}", response_model=GoalRead)
def get_one_goal(session: SessionDep, principal: ApiPrincipal, goal_id: PathId) -> GoalRead:
    """Return a goal with its standing as of today."""
    return _goal_read(session, get_goal(session=session, goal_id=goal_id), clock.today())


@router.patch("/goals/{goal_id}", response_model=GoalRead)
def patch_goal(
    session: SessionDep, principal: ApiPrincipal, goal_id: PathId, changes: GoalUpdate
) -> GoalRead:
    """Change a goal's terms; only the fields given change."""
    goal = update_goal(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        goal_id=goal_id,
        changes=changes,
    )
    return _goal_read(session, goal, clock.today())


@router.get("/goals/{goal_id}/evidence", response_model=list[EvidenceRead])
def get_goal_evidence(
    session: SessionDep, principal: ApiPrincipal, goal_id: PathId
) -> list[EvidenceRead]:
    """List a goal's measurements, oldest first."""
    return [EvidenceRead.model_validate(e) for e in list_evidence(session=session, goal_id=goal_id)]


@router.post(
    "/goals/{goal_id}/evidence",
    response_model=EvidenceRead,
    status_code=201,
    responses={
        200: {
            "model": EvidenceRead,
            "description": "A measurement of that day was sent before: it is corrected, "
            "or left as it is when identical",
        }
    },
)
def post_goal_evidence(
    response: Response,
    session: SessionDep,
    principal: ApiPrincipal,
    goal_id: PathId,
    data: EvidenceCreate,
) -> EvidenceRead:
    """Record a measurement of a goal's KPI (source "api"); one per goal and day."""
    sent_before = any(
        e.measured_on == data.measured_on and e.source == EvidenceSource.API
        for e in list_evidence(session=session, goal_id=goal_id)
    )
    evidence = record_evidence(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        goal_id=goal_id,
        data=data,
        source=EvidenceSource.API,
    )
    if sent_before:
        response.status_code = 200
    return EvidenceRead.model_validate(evidence)


# --- templates -----------------------------------------------------------------------------


@router.get("/goal-templates", response_model=list[GoalTemplateRead])
def get_goal_templates(session: SessionDep, principal: ApiPrincipal) -> list[GoalTemplateRead]:
    """List the goal templates (configuration): KPI, unit, direction, usual target and horizon."""
    return [GoalTemplateRead.model_validate(t) for t in list_goal_templates(session=session)]


@router.get("/plan-templates", response_model=list[PlanTemplateRead])
def get_plan_templates(session: SessionDep, principal: ApiPrincipal) -> list[PlanTemplateRead]:
    """List the success plan templates (configuration), per segment and lifecycle stage."""
    segments = {s.id: s.key for s in list_segments(session=session)}
    stages = {s.id: s.key for s in list_stages(session=session)}
    return [
        plan_template_read(
            t,
            segments.get(t.segment_id) if t.segment_id else None,
            stages.get(t.stage_id) if t.stage_id else None,
        )
        for t in list_plan_templates(session=session)
    ]
