"""Desired outcomes, hand-offs, success plans, goals, evidence and milestones.

Writes check that the person may edit the account (a CSM edits only the accounts they own),
write an audit row per change (so each shows on the account timeline) and commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, Segment
from headway.accounts.service import check_may_edit_account, get_account
from headway.contacts.models import Contact
from headway.core import clock
from headway.core.audit import Actor, changed, record_audit, snapshot
from headway.core.errors import Conflict, InvalidInput, NotFound
from headway.core.pagination import fetch_page
from headway.core.timeline import register_audit_titles
from headway.outcomes.models import (
    DesiredOutcome,
    GoalTemplate,
    Handoff,
    Milestone,
    OutcomeStatement,
    OutcomeTemplate,
    PlanTemplate,
    SuccessPlan,
)
from headway.outcomes.schemas import (
    DesiredOutcomeUpdate,
    HandoffCreate,
    MilestoneCreate,
    MilestoneUpdate,
    OutcomeKind,
    PlanCreate,
    PlanUpdate,
    StatementCreate,
)
from headway.revenue.service import plans_of_account
from headway.users.service import Permissions

DESIRED_OUTCOME_FIELDS = [
    "required_outcome",
    "touch_model",
    "channels",
    "meeting_cadence_days",
    "review_cadence_days",
    "support_level",
    "stakeholders",
]
STATEMENT_FIELDS = ["kind", "statement", "contact_id", "promised_by", "due_date"]
MILESTONE_FIELDS = ["name", "due_date", "done_on", "first_value"]
PLAN_FIELDS = ["name", "status"]

register_audit_titles(
    {
        "desired_outcome.update": "Desired Outcome tailored",
        "outcome_statement.create": "Outcome added",
        "outcome_statement.delete": "Outcome removed",
        "handoff.create": "Hand-off from sales recorded",
        "success_plan.create": "Success plan started",
        "success_plan.update": "Success plan changed",
        "goal.create": "Goal added",
        "goal.update": "Goal changed",
        "goal.achieve": "Goal achieved",
        "evidence.record": "Evidence recorded",
        "evidence.update": "Evidence corrected",
        "milestone.create": "Milestone added",
        "milestone.update": "Milestone changed",
    }
)


# --- templates -----------------------------------------------------------------------------


def list_goal_templates(*, session: Session) -> list[GoalTemplate]:
    """List the goal templates by name."""
    return list(session.scalars(select(GoalTemplate).order_by(GoalTemplate.name)))


def list_plan_templates(*, session: Session) -> list[PlanTemplate]:
    """List the success plan templates in their configured order."""
    return list(session.scalars(select(PlanTemplate).order_by(PlanTemplate.position)))


def template_by_key(session: Session, model: Any, key: str, what: str) -> Any:
    template = session.scalar(select(model).where(model.key == key))
    if template is None:
        raise InvalidInput(f"there is no {what} {key!r}")
    return template


def outcome_template_for(*, session: Session, account: Account) -> OutcomeTemplate | None:
    """The Desired Outcome template of an account: its product's, else its segment's."""
    templates = list(session.scalars(select(OutcomeTemplate).order_by(OutcomeTemplate.position)))
    products = set(plans_of_account(session=session, account_id=account.id, on=clock.today()))

    def fits(template: OutcomeTemplate) -> bool:
        return template.segment_id in (None, account.segment_id)

    for template in templates:
        if template.product and template.product in products and fits(template):
            return template
    for template in templates:
        if template.product is None and template.segment_id == account.segment_id:
            return template
    return next((t for t in templates if t.product is None and t.segment_id is None), None)


def plan_template_for(*, session: Session, account: Account) -> PlanTemplate | None:
    """The success plan template for an account's segment and lifecycle stage."""
    templates = list_plan_templates(session=session)
    for template in templates:
        if template.segment_id == account.segment_id and template.stage_id == account.stage_id:
            return template
    return next((t for t in templates if t.segment_id == account.segment_id), None)


# --- desired outcome -----------------------------------------------------------------------


@dataclass(frozen=True)
class DesiredOutcomeView:
    """An account's Desired Outcome as shown: stored when tailored, else the defaults."""

    account_id: int
    template: str | None
    tailored: bool
    required_outcome: str
    touch_model: str
    channels: list[str]
    meeting_cadence_days: int | None
    review_cadence_days: int | None
    support_level: str
    stakeholders: str
    expected: list[OutcomeStatement]
    desired: list[OutcomeStatement]


def _statements(session: Session, account_id: int) -> list[OutcomeStatement]:
    return list(
        session.scalars(
            select(OutcomeStatement)
            .where(OutcomeStatement.account_id == account_id)
            .order_by(OutcomeStatement.id)
        )
    )


def _defaults(session: Session, account: Account) -> dict[str, Any]:
    """The Desired Outcome a new account starts from: its template and its segment's experience."""
    template = outcome_template_for(session=session, account=account)
    segment: Segment | None = account.segment
    return {
        "template_id": template.id if template else None,
        "required_outcome": template.required_outcome if template else "",
        "touch_model": segment.touch_model if segment else "",
        "channels": list(segment.channels) if segment else [],
        "meeting_cadence_days": segment.meeting_cadence_days if segment else None,
        "review_cadence_days": segment.review_cadence_days if segment else None,
        "support_level": segment.support_level if segment else "",
        "stakeholders": "",
    }


def get_desired_outcome(*, session: Session, account_id: int) -> DesiredOutcomeView:
    """Return an account's Desired Outcome: as tailored, or its segment's defaults."""
    account = get_account(session=session, account_id=account_id)
    stored = session.scalar(select(DesiredOutcome).where(DesiredOutcome.account_id == account_id))
    values = snapshot(stored, DESIRED_OUTCOME_FIELDS) if stored else _defaults(session, account)
    template_id = stored.template_id if stored else values.get("template_id")
    template = session.get(OutcomeTemplate, template_id) if template_id else None
    statements = _statements(session, account_id)
    return DesiredOutcomeView(
        account_id=account_id,
        template=template.key if template else None,
        tailored=stored is not None,
        required_outcome=values["required_outcome"],
        touch_model=values["touch_model"],
        channels=list(values["channels"]),
        meeting_cadence_days=values["meeting_cadence_days"],
        review_cadence_days=values["review_cadence_days"],
        support_level=values["support_level"],
        stakeholders=values["stakeholders"],
        expected=[s for s in statements if s.kind == "expected"],
        desired=[s for s in statements if s.kind == "desired"],
    )


def tailor_desired_outcome(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    account_id: int,
    changes: DesiredOutcomeUpdate,
) -> DesiredOutcomeView:
    """Tailor an account's Desired Outcome, starting from the defaults the first time."""
    account = check_may_edit_account(
        session=session, permissions=permissions, account_id=account_id, what="outcomes"
    )
    given = {
        name: value.strip() if isinstance(value, str) else value
        for name, value in changes.model_dump(exclude_unset=True).items()
    }
    _tailor(session, actor, account, given)
    session.commit()
    return get_desired_outcome(session=session, account_id=account_id)


def _tailor(session: Session, actor: Actor, account: Account, given: dict[str, Any]) -> None:
    """Store the Desired Outcome with these changes and audit only the fields that changed.

    The first time, the defaults are what changed from: storing them unchanged is no tailoring.
    """
    stored = session.scalar(select(DesiredOutcome).where(DesiredOutcome.account_id == account.id))
    defaults = _defaults(session, account) if stored is None else {}
    before = snapshot(stored, DESIRED_OUTCOME_FIELDS) if stored else defaults
    old, new = changed(before, before | {name: given[name] for name in given})
    if not new:
        return
    now = clock.now()
    if stored is None:
        stored = DesiredOutcome(
            account_id=account.id, tailored=True, created_at=now, updated_at=now, **defaults
        )
        session.add(stored)
    for name, value in new.items():
        setattr(stored, name, value)
    stored.updated_at = now
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="desired_outcome.update",
        entity_type="desired_outcome",
        entity_id=stored.id,
        account_id=account.id,
        before=old,
        after=new,
    )


def _check_contact(session: Session, account_id: int, contact_id: int | None) -> None:
    if contact_id is None:
        return
    contact = session.get(Contact, contact_id)
    if contact is None or contact.account_id != account_id:
        raise InvalidInput(f"contact {contact_id} is not a contact of account {account_id}")


def add_outcome_statement(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    account_id: int,
    data: StatementCreate,
    commit: bool = True,
) -> OutcomeStatement:
    """Add an expected or desired outcome to an account, for the company or one stakeholder."""
    check_may_edit_account(
        session=session, permissions=permissions, account_id=account_id, what="outcomes"
    )
    _check_contact(session, account_id, data.contact_id)
    now = clock.now()
    statement = OutcomeStatement(
        account_id=account_id,
        kind=data.kind.value,
        statement=data.statement.strip(),
        contact_id=data.contact_id,
        promised_by=data.promised_by.strip(),
        due_date=data.due_date,
        created_at=now,
        updated_at=now,
    )
    session.add(statement)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="outcome_statement.create",
        entity_type="outcome_statement",
        entity_id=statement.id,
        account_id=account_id,
        before=None,
        after=snapshot(statement, STATEMENT_FIELDS),
    )
    if commit:
        session.commit()
    return statement


def remove_outcome_statement(
    *, session: Session, actor: Actor, permissions: Permissions | None, statement_id: int
) -> None:
    """Remove an expected or desired outcome (the audit log keeps what it said)."""
    statement = session.get(OutcomeStatement, statement_id)
    if statement is None:
        raise NotFound(f"outcome {statement_id} does not exist")
    check_may_edit_account(
        session=session, permissions=permissions, account_id=statement.account_id, what="outcomes"
    )
    record_audit(
        session,
        actor=actor,
        action="outcome_statement.delete",
        entity_type="outcome_statement",
        entity_id=statement.id,
        account_id=statement.account_id,
        before=snapshot(statement, STATEMENT_FIELDS),
        after=None,
    )
    session.delete(statement)
    session.commit()


# --- hand-off ------------------------------------------------------------------------------


def get_handoff(*, session: Session, account_id: int) -> Handoff | None:
    """Return the hand-off from sales of an account, if one was recorded."""
    return session.scalar(select(Handoff).where(Handoff.account_id == account_id))


def record_handoff(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    account_id: int,
    data: HandoffCreate,
) -> Handoff:
    """Record what sales promised; it becomes an expected outcome and starts the success plan."""
    account = check_may_edit_account(
        session=session, permissions=permissions, account_id=account_id, what="outcomes"
    )
    if get_handoff(session=session, account_id=account_id) is not None:
        raise Conflict(f"the hand-off of account {account_id} is recorded already")
    if data.plan_template:  # refused before anything is written
        template_by_key(session, PlanTemplate, data.plan_template, "success plan template")
    handoff = Handoff(
        account_id=account_id,
        promised=data.promised.strip(),
        promised_by=data.promised_by.strip(),
        due_date=data.due_date,
        stakeholders=data.stakeholders.strip(),
        notes=data.notes.strip(),
        recorded_by=actor.label,
        created_at=clock.now(),
    )
    session.add(handoff)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="handoff.create",
        entity_type="handoff",
        entity_id=handoff.id,
        account_id=account_id,
        before=None,
        after=snapshot(handoff, ["promised", "promised_by", "due_date", "stakeholders"]),
    )
    add_outcome_statement(
        session=session,
        actor=actor,
        permissions=None,
        account_id=account_id,
        data=StatementCreate(
            kind=OutcomeKind.EXPECTED,
            statement=data.promised,
            promised_by=data.promised_by,
            due_date=data.due_date,
        ),
        commit=False,
    )
    if data.stakeholders.strip():
        # The stakeholders sales named become the Desired Outcome's, unless a CSM named them.
        current = get_desired_outcome(session=session, account_id=account_id).stakeholders
        if not current:
            _tailor(session, actor, account, {"stakeholders": data.stakeholders.strip()})
    if not _active_plans(session, account_id):
        _start_plan(session, actor, account, data.plan_template, None)
    session.commit()
    return handoff


# --- success plans -------------------------------------------------------------------------


def _active_plans(session: Session, account_id: int) -> list[SuccessPlan]:
    return list(
        session.scalars(
            select(SuccessPlan).where(
                SuccessPlan.account_id == account_id, SuccessPlan.status == "active"
            )
        )
    )


def _start_plan(
    session: Session,
    actor: Actor,
    account: Account,
    template_key: str | None,
    name: str | None,
) -> SuccessPlan:
    """Add a plan, with the milestones of its template, to the session."""
    template = (
        template_by_key(session, PlanTemplate, template_key, "success plan template")
        if template_key
        else plan_template_for(session=session, account=account)
    )
    now = clock.now()
    plan = SuccessPlan(
        account_id=account.id,
        template_id=template.id if template else None,
        name=name or (template.name if template else "Success plan"),
        status="active",
        created_at=now,
        updated_at=now,
    )
    session.add(plan)
    session.flush()
    has_first_value = _first_value_milestone(session, account.id) is not None
    today = now.date()
    for position, step in enumerate(template.milestones if template else [], start=1):
        first_value = bool(step.get("first_value")) and not has_first_value
        has_first_value = has_first_value or first_value
        session.add(
            Milestone(
                plan_id=plan.id,
                account_id=account.id,
                name=step["name"],
                due_date=date.fromordinal(today.toordinal() + int(step.get("due_days", 0))),
                done_on=None,
                first_value=first_value,
                position=position,
                created_at=now,
                updated_at=now,
            )
        )
    record_audit(
        session,
        actor=actor,
        action="success_plan.create",
        entity_type="success_plan",
        entity_id=plan.id,
        account_id=account.id,
        before=None,
        after={"name": plan.name, "template": template.key if template else None},
    )
    return plan


def create_success_plan(
    *, session: Session, actor: Actor, permissions: Permissions | None, data: PlanCreate
) -> SuccessPlan:
    """Start a success plan for an account, from a template (its segment and stage's by default)."""
    account = check_may_edit_account(
        session=session, permissions=permissions, account_id=data.account_id, what="outcomes"
    )
    plan = _start_plan(session, actor, account, data.template, data.name)
    session.commit()
    return plan


def get_success_plan(*, session: Session, plan_id: int) -> SuccessPlan:
    """Return a success plan by id."""
    plan = session.get(SuccessPlan, plan_id)
    if plan is None:
        raise NotFound(f"success plan {plan_id} does not exist")
    return plan


def update_success_plan(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    plan_id: int,
    changes: PlanUpdate,
) -> SuccessPlan:
    """Rename a success plan or mark it completed."""
    plan = get_success_plan(session=session, plan_id=plan_id)
    check_may_edit_account(
        session=session, permissions=permissions, account_id=plan.account_id, what="outcomes"
    )
    before = snapshot(plan, PLAN_FIELDS)
    for name, value in changes.model_dump(exclude_unset=True).items():
        setattr(plan, name, value.value if hasattr(value, "value") else value)
    old, new = changed(before, snapshot(plan, PLAN_FIELDS))
    if new:
        plan.updated_at = clock.now()
        record_audit(
            session,
            actor=actor,
            action="success_plan.update",
            entity_type="success_plan",
            entity_id=plan.id,
            account_id=plan.account_id,
            before=old,
            after=new,
        )
    session.commit()
    return plan


def list_success_plans(
    *,
    session: Session,
    account_id: int | None = None,
    status: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[SuccessPlan], int]:
    """List success plans, newest first, optionally of one account or status."""
    query: Select[Any] = select(SuccessPlan)
    if account_id is not None:
        query = query.where(SuccessPlan.account_id == account_id)
    if status is not None:
        query = query.where(SuccessPlan.status == status)
    rows, total = fetch_page(
        session,
        query.order_by(SuccessPlan.created_at.desc(), SuccessPlan.id.desc()),
        page=page,
        per_page=per_page,
    )
    return [r[0] for r in rows], total


# --- milestones ----------------------------------------------------------------------------


def _first_value_milestone(session: Session, account_id: int) -> Milestone | None:
    return session.scalar(
        select(Milestone).where(Milestone.account_id == account_id, Milestone.first_value)
    )


def get_milestone(*, session: Session, milestone_id: int) -> Milestone:
    """Return a milestone by id."""
    milestone = session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound(f"milestone {milestone_id} does not exist")
    return milestone


def _check_single_first_value(session: Session, account_id: int, milestone_id: int | None) -> None:
    current = _first_value_milestone(session, account_id)
    if current is not None and current.id != milestone_id:
        raise Conflict(f"{current.name!r} is this account's first value already: unflag it first")


def add_milestone(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    plan_id: int,
    data: MilestoneCreate,
) -> Milestone:
    """Add a milestone to a success plan."""
    plan = get_success_plan(session=session, plan_id=plan_id)
    check_may_edit_account(
        session=session, permissions=permissions, account_id=plan.account_id, what="outcomes"
    )
    if data.first_value:
        _check_single_first_value(session, plan.account_id, None)
    now = clock.now()
    position = len(list(session.scalars(select(Milestone.id).where(Milestone.plan_id == plan_id))))
    milestone = Milestone(
        plan_id=plan.id,
        account_id=plan.account_id,
        name=data.name.strip(),
        due_date=data.due_date,
        done_on=data.done_on,
        first_value=data.first_value,
        position=position + 1,
        created_at=now,
        updated_at=now,
    )
    session.add(milestone)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="milestone.create",
        entity_type="milestone",
        entity_id=milestone.id,
        account_id=plan.account_id,
        before=None,
        after=snapshot(milestone, MILESTONE_FIELDS),
    )
    session.commit()
    return milestone


def update_milestone(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    milestone_id: int,
    changes: MilestoneUpdate,
) -> Milestone:
    """Change a milestone: mark it done, move its due date, flag it as first value."""
    milestone = get_milestone(session=session, milestone_id=milestone_id)
    check_may_edit_account(
        session=session, permissions=permissions, account_id=milestone.account_id, what="outcomes"
    )
    given = changes.model_dump(exclude_unset=True)
    if given.get("first_value"):
        _check_single_first_value(session, milestone.account_id, milestone.id)
    before = snapshot(milestone, MILESTONE_FIELDS)
    for name, value in given.items():
        setattr(milestone, name, value.strip() if isinstance(value, str) else value)
    old, new = changed(before, snapshot(milestone, MILESTONE_FIELDS))
    if new:
        milestone.updated_at = clock.now()
        record_audit(
            session,
            actor=actor,
            action="milestone.update",
            entity_type="milestone",
            entity_id=milestone.id,
            account_id=milestone.account_id,
            before=old,
            after=new,
        )
    session.commit()
    return milestone


def list_milestones(*, session: Session, plan_id: int) -> list[Milestone]:
    """List a plan's milestones in order."""
    return list(
        session.scalars(
            select(Milestone)
            .where(Milestone.plan_id == plan_id)
            .order_by(Milestone.position, Milestone.id)
        )
    )


def first_value_dates(*, session: Session) -> dict[int, date]:
    """The day each account reached its first-value milestone (for time to first value)."""
    query = select(Milestone.account_id, Milestone.done_on).where(
        Milestone.first_value, Milestone.done_on.is_not(None)
    )
    return {account_id: done for account_id, done in session.execute(query) if done is not None}
