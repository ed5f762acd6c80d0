"""Pages of outcomes: the Desired Outcome and success plan cards of the account 360, and writes.

The cards join the account page through accounts.sections; every write is a POST with a CSRF
token that answers with the refreshed account content (htmx) or a redirect back to it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.presenters import owner_candidates
from headway.accounts.sections import after_account_write, register_account_section
from headway.accounts.service import check_may_edit_account, list_segments
from headway.contacts.service import get_contact
from headway.core import clock
from headway.core.errors import NotFound
from headway.core.fields import MAX_DB_INT
from headway.outcomes.goals import create_goal, get_goal, list_goals, record_evidence
from headway.outcomes.models import SuccessPlan
from headway.outcomes.presenters import (
    STATUS_LABELS,
    PlanCard,
    experience_lines,
    goal_card,
    goal_form_values,
    kpi_amount,
)
from headway.outcomes.schemas import (
    DesiredOutcomeUpdate,
    EvidenceCreate,
    GoalCreate,
    HandoffCreate,
    MilestoneCreate,
    MilestoneUpdate,
    PlanCreate,
    StatementCreate,
)
from headway.outcomes.service import (
    DesiredOutcomeView,
    add_milestone,
    add_outcome_statement,
    create_success_plan,
    get_desired_outcome,
    get_handoff,
    get_milestone,
    get_success_plan,
    list_goal_templates,
    list_milestones,
    list_plan_templates,
    list_success_plans,
    plan_template_for,
    record_handoff,
    remove_outcome_statement,
    tailor_desired_outcome,
    update_milestone,
)
from headway.users.service import list_users
from headway.web.auth import PageUser, Principal, SessionDep, verify_csrf
from headway.web.forms import form_date, form_number, form_whole, validated
from headway.web.params import PathId
from headway.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

TOUCH_MODELS = ["high", "mid", "tech"]
SUPPORT_LEVELS = ["premium", "standard", "basic"]
SHOWN_PLANS = 20
SHOWN_GOALS = 200

Text = Annotated[str, Form(max_length=5000)]
Short = Annotated[str, Form(max_length=255)]


# --- what the cards show ------------------------------------------------------------------


def _channel_choices(session: Session, chosen: list[str]) -> list[str]:
    """Every channel a segment offers, plus any this account was tailored with."""
    known = [c for segment in list_segments(session=session) for c in segment.channels]
    return list(dict.fromkeys([*known, *chosen]))


def _stakeholder_names(session: Session, desired: DesiredOutcomeView) -> dict[int, str]:
    names = {}
    for statement in [*desired.expected, *desired.desired]:
        if statement.contact_id and statement.contact_id not in names:
            try:
                contact = get_contact(session=session, contact_id=statement.contact_id)
            except NotFound:
                continue
            names[contact.id] = contact.name or contact.email
    return names


def outcomes_context(
    session: Session, account: Account, principal: Principal, today: date
) -> dict[str, Any]:
    """What the Desired Outcome and success plan cards show."""
    desired = get_desired_outcome(session=session, account_id=account.id)
    plans, _ = list_success_plans(session=session, account_id=account.id, per_page=SHOWN_PLANS)
    goals, _ = list_goals(session=session, account_id=account.id, per_page=SHOWN_GOALS)
    people = {user.id: user.name for user in list_users(session=session)}
    cards = [goal_card(goal, today=today, people=people) for goal in goals]
    plan_cards = [
        PlanCard(
            plan=plan,
            goals=[c for c in cards if c.goal.plan_id == plan.id],
            milestones=list_milestones(session=session, plan_id=plan.id),
        )
        for plan in sorted(plans, key=lambda p: (p.status != "active", -p.id))
    ]
    suggested = plan_template_for(session=session, account=account)
    goal_templates = list_goal_templates(session=session)
    return {
        "outcomes": {
            "desired": desired,
            "experience": experience_lines(desired, account),
            "stakeholders": _stakeholder_names(session, desired),
            "handoff": get_handoff(session=session, account_id=account.id),
            "plans": plan_cards,
            "active_plans": [c.plan for c in plan_cards if c.plan.status == "active"],
            "goal_count": len(cards),
            "has_first_value": any(m.first_value for c in plan_cards for m in c.milestones),
            "status_counts": {
                label: sum(1 for c in cards if c.standing.status is status)
                for status, label in STATUS_LABELS.items()
            },
            "goal_templates": goal_templates,
            "goal_form": goal_form_values(None, today),
            "plan_templates": list_plan_templates(session=session),
            "suggested_plan": suggested.key if suggested else "",
            "channels": _channel_choices(session, desired.channels),
            "touch_models": list(dict.fromkeys([*TOUCH_MODELS, desired.touch_model])),
            "support_levels": list(dict.fromkeys([*SUPPORT_LEVELS, desired.support_level])),
            "today": today,
        }
    }


register_account_section(
    name="desired-outcome",
    template="outcomes/_desired_outcome.html",
    slot="main",
    order=10,
    context=outcomes_context,
)
register_account_section(
    name="success-plan", template="outcomes/_success_plan.html", slot="main", order=20
)


# --- desired outcome, statements and the hand-off -----------------------------------------


@router.post("/accounts/{account_id}/desired-outcome")
def tailor_account_desired_outcome(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    required_outcome: Text,
    touch_model: Annotated[str, Form(max_length=32)],
    support_level: Annotated[str, Form(max_length=64)],
    channels: Annotated[list[str] | None, Form(max_length=20)] = None,
    meeting_cadence_days: Annotated[str, Form(max_length=10)] = "",
    review_cadence_days: Annotated[str, Form(max_length=10)] = "",
    stakeholders: Text = "",
) -> Response:
    """Tailor the account's Required Outcome and Appropriate Experience."""
    changes = validated(
        DesiredOutcomeUpdate,
        {
            "required_outcome": required_outcome.strip(),
            "touch_model": touch_model.strip(),
            "channels": [c.strip() for c in channels or [] if c.strip()],
            "meeting_cadence_days": form_whole(meeting_cadence_days, "meeting cadence"),
            "review_cadence_days": form_whole(review_cadence_days, "review cadence"),
            "support_level": support_level.strip(),
            "stakeholders": stakeholders.strip(),
        },
    )
    tailor_desired_outcome(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        account_id=account_id,
        changes=changes,
    )
    return after_account_write(
        request, session, principal, account_id, "Desired Outcome tailored for this customer."
    )


@router.post("/accounts/{account_id}/outcomes")
def add_account_outcome(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    kind: Annotated[str, Form(max_length=16)],
    statement: Annotated[str, Form(max_length=2000)],
    contact_id: Annotated[str, Form(max_length=12)] = "",
    promised_by: Short = "",
    due_date: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Add an expected or desired outcome, for the company or one stakeholder."""
    data = validated(
        StatementCreate,
        {
            "kind": kind,
            "statement": statement.strip(),
            "contact_id": form_whole(contact_id, "stakeholder"),
            "promised_by": promised_by.strip(),
            "due_date": form_date(due_date, "due date"),
        },
    )
    add_outcome_statement(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        account_id=account_id,
        data=data,
    )
    notice = f"{data.kind.value.capitalize()} outcome added."
    return after_account_write(request, session, principal, account_id, notice)


@router.post("/accounts/{account_id}/outcomes/{statement_id}/remove")
def remove_account_outcome(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    statement_id: PathId,
) -> Response:
    """Remove an expected or desired outcome of this account."""
    desired = get_desired_outcome(session=session, account_id=account_id)
    if statement_id not in {s.id for s in [*desired.expected, *desired.desired]}:
        raise NotFound(f"outcome {statement_id} is not an outcome of account {account_id}")
    remove_outcome_statement(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        statement_id=statement_id,
    )
    return after_account_write(request, session, principal, account_id, "Outcome removed.")


@router.post("/accounts/{account_id}/handoff")
def record_account_handoff(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    promised: Text,
    promised_by: Short,
    due_date: Annotated[str, Form(max_length=10)] = "",
    stakeholders: Text = "",
    notes: Text = "",
    plan_template: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Record what sales promised: it becomes an expected outcome and starts the success plan."""
    data = validated(
        HandoffCreate,
        {
            "promised": promised.strip(),
            "promised_by": promised_by.strip(),
            "due_date": form_date(due_date, "due date"),
            "stakeholders": stakeholders,
            "notes": notes,
            "plan_template": plan_template or None,
        },
    )
    record_handoff(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        account_id=account_id,
        data=data,
    )
    notice = "Hand-off recorded: the promise is an expected outcome, and the success plan is on."
    return after_account_write(request, session, principal, account_id, notice)


# --- success plans, goals, evidence and milestones ---------------------------------------


def _plan_of_account(session: Session, plan_id: int, account_id: int) -> SuccessPlan:
    plan = get_success_plan(session=session, plan_id=plan_id)
    if plan.account_id != account_id:
        raise NotFound(f"success plan {plan_id} is not a plan of account {account_id}")
    return plan


@router.post("/accounts/{account_id}/success-plans")
def start_account_success_plan(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    template: Annotated[str, Form(max_length=64)] = "",
    name: Short = "",
) -> Response:
    """Start a success plan from a template (the segment and stage's by default)."""
    data = validated(
        PlanCreate,
        {"account_id": account_id, "template": template or None, "name": name.strip() or None},
    )
    plan = create_success_plan(
        session=session, actor=principal.actor, permissions=principal.permissions, data=data
    )
    notice = f"Success plan “{plan.name}” started."
    return after_account_write(request, session, principal, account_id, notice)


@router.get("/accounts/{account_id}/goal-form", response_class=HTMLResponse)
def goal_form(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    plan_id: Annotated[int, Query(ge=1, le=MAX_DB_INT)],
    template: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """The add-goal form, filled in from a goal template (htmx swaps it in place)."""
    account = check_may_edit_account(
        session=session, permissions=principal.permissions, account_id=account_id, what="outcomes"
    )
    plan = _plan_of_account(session, plan_id, account_id)
    templates = list_goal_templates(session=session)
    chosen = next((t for t in templates if t.key == template), None)
    response: Response = render(
        request,
        "outcomes/_goal_form.html",
        {
            "account": account,
            "plan": plan,
            "outcomes": {
                "goal_templates": templates,
                "goal_form": goal_form_values(chosen, clock.today()),
            },
            "owners": owner_candidates(list_users(session=session)),
        },
    )
    return response


@router.post("/accounts/{account_id}/goals")
def add_account_goal(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    plan_id: Annotated[int, Form(ge=1, le=MAX_DB_INT)],
    name: Short,
    kpi: Short,
    direction: Annotated[str, Form(max_length=16)],
    baseline: Annotated[str, Form(max_length=40)],
    baseline_date: Annotated[str, Form(max_length=10)],
    target: Annotated[str, Form(max_length=40)],
    due_date: Annotated[str, Form(max_length=10)],
    kind: Annotated[str, Form(max_length=16)] = "expected",
    unit: Annotated[str, Form(max_length=32)] = "",
    source: Annotated[str, Form(max_length=16)] = "manual",
    owner_id: Annotated[str, Form(max_length=12)] = "",
    template: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Add an outcome goal with its KPI, baseline, target and due date to a success plan."""
    _plan_of_account(session, plan_id, account_id)
    data = validated(
        GoalCreate,
        {
            "plan_id": plan_id,
            "name": name.strip(),
            "kind": kind,
            "kpi": kpi.strip(),
            "unit": unit.strip(),
            "direction": direction,
            "source": source,
            "baseline": form_number(baseline, "baseline"),
            "baseline_date": form_date(baseline_date, "baseline date"),
            "target": form_number(target, "target"),
            "due_date": form_date(due_date, "due date"),
            "owner_id": form_whole(owner_id, "owner"),
            "template": template or None,
        },
    )
    goal = create_goal(
        session=session, actor=principal.actor, permissions=principal.permissions, data=data
    )
    return after_account_write(
        request, session, principal, account_id, f"Goal “{goal.name}” added."
    )


@router.post("/accounts/{account_id}/goals/{goal_id}/evidence")
def record_goal_evidence(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    goal_id: PathId,
    value: Annotated[str, Form(max_length=40)],
    measured_on: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Record a measurement of a goal's KPI (today unless another day is given)."""
    goal = get_goal(session=session, goal_id=goal_id)
    if goal.account_id != account_id:
        raise NotFound(f"goal {goal_id} is not a goal of account {account_id}")
    was_achieved = goal.achieved_on is not None
    data = validated(
        EvidenceCreate,
        {
            "value": form_number(value, "value"),
            "measured_on": form_date(measured_on, "measured on") or clock.today(),
            "note": note.strip(),
        },
    )
    record_evidence(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        goal_id=goal_id,
        data=data,
    )
    notice = f"Recorded {kpi_amount(data.value, goal.unit)} for “{goal.name}”."
    if not was_achieved and goal.achieved_on is not None:
        notice += " The goal is achieved."
    return after_account_write(request, session, principal, account_id, notice)


@router.post("/accounts/{account_id}/milestones")
def add_account_milestone(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    plan_id: Annotated[int, Form(ge=1, le=MAX_DB_INT)],
    name: Short,
    due_date: Annotated[str, Form(max_length=10)] = "",
    first_value: Annotated[bool, Form()] = False,
) -> Response:
    """Add a milestone (an onboarding step, go-live, first value) to a success plan."""
    _plan_of_account(session, plan_id, account_id)
    data = validated(
        MilestoneCreate,
        {
            "name": name.strip(),
            "due_date": form_date(due_date, "due date"),
            "first_value": first_value,
        },
    )
    add_milestone(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        plan_id=plan_id,
        data=data,
    )
    return after_account_write(request, session, principal, account_id, "Milestone added.")


@router.post("/accounts/{account_id}/milestones/{milestone_id}")
def change_account_milestone(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    milestone_id: PathId,
    action: Annotated[str, Form(pattern="^(done|reopen|first-value)$")],
) -> Response:
    """Mark a milestone done today, reopen it, or flag it as the account's first value."""
    milestone = get_milestone(session=session, milestone_id=milestone_id)
    if milestone.account_id != account_id:
        raise NotFound(f"milestone {milestone_id} is not a milestone of account {account_id}")
    changes = {
        "done": MilestoneUpdate(done_on=clock.today()),
        "reopen": MilestoneUpdate(done_on=None),
        "first-value": MilestoneUpdate(first_value=True),
    }[action]
    milestone = update_milestone(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        milestone_id=milestone_id,
        changes=changes,
    )
    notice = {
        "done": f"“{milestone.name}” marked done.",
        "reopen": f"“{milestone.name}” is open again.",
        "first-value": f"“{milestone.name}” is this account's first value.",
    }[action]
    return after_account_write(request, session, principal, account_id, notice)
