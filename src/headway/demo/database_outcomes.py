"""Write the demo company's Desired Outcomes, success plans and activities, or delete them.

Plans, goals, evidence and activities get their ids reserved before they are written, so goals
can name their plan and the evidence that proved them, and participants their activity,
without reading anything back. Templates and activity types are referred to by key; a database
without the seeded ones is refused with the keys it lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from headway.activities.models import (
    Activity,
    ActivityContact,
    ActivityGoal,
    ActivityType,
    ActivityUser,
)
from headway.demo.bulk import (
    Progress,
    at_hour,
    days,
    ids_by_key,
    insert_columns,
    optional,
    reserve_ids,
)
from headway.demo.catalogue import (
    ACTIVITY_KEYS,
    CHANNELS,
    GOAL_KEYS,
    GOAL_KINDS,
    OUTCOME_KEYS,
    PLAN_KEYS,
    PLAN_KINDS,
    SUPPORT_LEVELS,
    TOUCH_MODELS,
)
from headway.demo.company import DemoCompany
from headway.demo.evidence import EVIDENCE_SOURCES
from headway.outcomes.models import (
    DesiredOutcome,
    Evidence,
    Goal,
    GoalTemplate,
    Handoff,
    Milestone,
    OutcomeStatement,
    OutcomeTemplate,
    PlanTemplate,
    SuccessPlan,
)

DEMO_RECORDER = "demo"
# Times of day (UTC) rows of a day are written at: plans, goals, measurements, milestones done.
PLAN_HOUR, GOAL_HOUR, EVIDENCE_HOUR, DONE_HOUR = 9, 10, 11, 17


@dataclass(frozen=True)
class DemoIds:
    """Database ids of what is written already: per account, contact and team member."""

    accounts: np.ndarray
    contacts: np.ndarray
    users: np.ndarray


def _template_ids(session: Session, model: Any, keys: tuple[str, ...], what: str) -> np.ndarray:
    return np.array(ids_by_key(list(session.scalars(select(model))), keys, what), dtype=np.int64)


def write_outcomes(
    session: Session, company: DemoCompany, ids: DemoIds, progress: Progress
) -> None:
    """Insert Desired Outcomes, hand-offs, statements, plans, goals, evidence and activities."""
    outcome_templates = _template_ids(session, OutcomeTemplate, OUTCOME_KEYS, "outcome template")
    plan_templates = _template_ids(session, PlanTemplate, PLAN_KEYS, "success plan template")
    goal_templates = _template_ids(session, GoalTemplate, GOAL_KEYS, "goal template")
    activity_types = _template_ids(session, ActivityType, ACTIVITY_KEYS, "activity type")
    emails = np.array([*(p.email for p in company.team), DEMO_RECORDER], dtype=object)
    _write_desired_outcomes(session, company, ids, outcome_templates)
    _write_handoffs(session, company, ids, emails)
    _write_statements(session, company, ids)
    goal_ids = _write_plans(session, company, ids, plan_templates, goal_templates, progress)
    _write_activities(session, company, ids, activity_types, goal_ids, emails, progress)


def _write_desired_outcomes(
    session: Session, company: DemoCompany, ids: DemoIds, templates: np.ndarray
) -> None:
    desired = company.outcomes.desired
    segment = company.accounts.segment[desired.account]
    insert_columns(
        session,
        DesiredOutcome,
        {
            "account_id": ids.accounts[desired.account].tolist(),
            "template_id": templates[desired.template].tolist(),
            "required_outcome": desired.required_outcome.tolist(),
            "touch_model": [TOUCH_MODELS[s] for s in segment.tolist()],
            "channels": [list(CHANNELS[s]) for s in segment.tolist()],
            "meeting_cadence_days": optional(desired.meeting_days),
            "review_cadence_days": optional(desired.review_days),
            "support_level": [SUPPORT_LEVELS[s] for s in segment.tolist()],
            "stakeholders": desired.stakeholders.tolist(),
            "tailored": [True] * len(desired),
            "created_at": desired.created_at,
            "updated_at": desired.updated_at,
        },
    )


def _write_handoffs(
    session: Session, company: DemoCompany, ids: DemoIds, emails: np.ndarray
) -> None:
    handoffs = company.outcomes.handoffs
    insert_columns(
        session,
        Handoff,
        {
            "account_id": ids.accounts[handoffs.account].tolist(),
            "promised": handoffs.promised.tolist(),
            "promised_by": handoffs.promised_by.tolist(),
            "due_date": days(handoffs.due_day),
            "stakeholders": handoffs.stakeholders.tolist(),
            "notes": handoffs.notes.tolist(),
            "recorded_by": emails[handoffs.recorded_by].tolist(),  # -1: the demo itself
            "created_at": handoffs.created_at,
        },
    )


def _write_statements(session: Session, company: DemoCompany, ids: DemoIds) -> None:
    statements = company.outcomes.statements
    created = statements.created_at
    contact_ids = np.append(ids.contacts, -1)[statements.contact]  # -1: the company's
    insert_columns(
        session,
        OutcomeStatement,
        {
            "account_id": ids.accounts[statements.account].tolist(),
            "kind": np.where(statements.desired, "desired", "expected").tolist(),
            "statement": statements.statement.tolist(),
            "contact_id": optional(contact_ids),
            "promised_by": statements.promised_by.tolist(),
            "due_date": days(statements.due_day),
            "created_at": created,
            "updated_at": created,
        },
    )


def _write_plans(
    session: Session,
    company: DemoCompany,
    ids: DemoIds,
    plan_templates: np.ndarray,
    goal_templates: np.ndarray,
    progress: Progress,
) -> np.ndarray:
    """Insert plans, goals, evidence and milestones; return the database id of each goal."""
    success = company.success_plans
    plans, goals, evidence, milestones = (
        success.plans,
        success.goals,
        success.evidence,
        success.milestones,
    )
    plan_ids = reserve_ids(session, SuccessPlan, len(plans)) + np.arange(len(plans))
    goal_ids = reserve_ids(session, Goal, len(goals)) + np.arange(len(goals))
    evidence_ids = reserve_ids(session, Evidence, len(evidence)) + np.arange(len(evidence))
    users = np.append(ids.users, -1)  # index -1: nobody

    plan_created = at_hour(plans.start_day, PLAN_HOUR)
    insert_columns(
        session,
        SuccessPlan,
        {
            "id": plan_ids.tolist(),
            "account_id": ids.accounts[plans.account].tolist(),
            "template_id": plan_templates[plans.template].tolist(),
            "name": [PLAN_KINDS[t].name for t in plans.template.tolist()],
            "status": np.where(plans.active, "active", "completed").tolist(),
            "created_at": plan_created,
            "updated_at": plan_created,
        },
        step="success plans",
        progress=progress,
    )

    kinds = goals.template.tolist()
    goal_created = at_hour(goals.baseline_day, GOAL_HOUR)
    # A goal last changed with its last measurement.
    last = np.searchsorted(evidence.goal, np.arange(len(goals)), side="right") - 1
    measured = (last >= 0) & (evidence.goal[np.maximum(last, 0)] == np.arange(len(goals)))
    last_day = np.where(measured, evidence.day[np.maximum(last, 0)], goals.baseline_day)
    goal_updated = np.maximum(at_hour(last_day, EVIDENCE_HOUR), goal_created)
    insert_columns(
        session,
        Goal,
        {
            "id": goal_ids.tolist(),
            "plan_id": plan_ids[goals.plan].tolist(),
            "account_id": ids.accounts[goals.account].tolist(),
            "template_id": goal_templates[goals.template].tolist(),
            "name": [GOAL_KINDS[k].name for k in kinds],
            "kind": np.where(goals.expected, "expected", "desired").tolist(),
            "kpi": [GOAL_KINDS[k].kpi for k in kinds],
            "unit": [GOAL_KINDS[k].unit for k in kinds],
            "direction": [GOAL_KINDS[k].direction for k in kinds],
            "source": [GOAL_KINDS[k].source for k in kinds],
            "baseline": goals.baseline.tolist(),
            "baseline_date": days(goals.baseline_day),
            "target": goals.target.tolist(),
            "due_date": days(goals.due_day),
            "owner_id": optional(users[goals.owner]),
            "achieved_on": days(goals.achieved_day),
            "achieved_evidence_id": optional(
                np.where(goals.proof >= 0, evidence_ids[goals.proof], -1)
            ),
            "created_at": goal_created,
            "updated_at": goal_updated,
        },
        step="goals",
        progress=progress,
    )

    evidence_at = at_hour(evidence.day, EVIDENCE_HOUR)
    insert_columns(
        session,
        Evidence,
        {
            "id": evidence_ids.tolist(),
            "goal_id": goal_ids[evidence.goal].tolist(),
            "value": evidence.value.tolist(),
            "measured_on": days(evidence.day),
            "source": np.array(EVIDENCE_SOURCES, dtype=object)[evidence.source].tolist(),
            "recorded_by": evidence.recorded_by.tolist(),
            "note": evidence.note.tolist(),
            "created_at": evidence_at,
            "updated_at": evidence_at,
        },
        step="evidence",
        progress=progress,
    )

    created = plan_created[milestones.plan]
    done_at = at_hour(milestones.done_day, DONE_HOUR)
    insert_columns(
        session,
        Milestone,
        {
            "plan_id": plan_ids[milestones.plan].tolist(),
            "account_id": ids.accounts[milestones.account].tolist(),
            "name": milestones.name.tolist(),
            "due_date": days(milestones.due_day),
            "done_on": days(milestones.done_day),
            "first_value": milestones.first_value.tolist(),
            "position": milestones.position.tolist(),
            "created_at": created,
            "updated_at": np.where(milestones.done_day >= 0, np.maximum(done_at, created), created),
        },
        step="milestones",
        progress=progress,
    )
    return goal_ids


def _write_activities(
    session: Session,
    company: DemoCompany,
    ids: DemoIds,
    types: np.ndarray,
    goal_ids: np.ndarray,
    emails: np.ndarray,
    progress: Progress,
) -> None:
    activities = company.activities
    activity_ids = reserve_ids(session, Activity, len(activities)) + np.arange(len(activities))
    at = activities.occurred_at
    logged_by = np.where(
        activities.logged_by >= 0, emails[activities.logged_by], activities.program
    )
    insert_columns(
        session,
        Activity,
        {
            "id": activity_ids.tolist(),
            "external_id": activities.external_id.tolist(),
            "account_id": ids.accounts[activities.account].tolist(),
            "type_id": types[activities.type].tolist(),
            "occurred_at": at,
            "minutes": activities.minutes.tolist(),
            "subject": activities.subject.tolist(),
            "notes": activities.notes.tolist(),
            "logged_by": logged_by.tolist(),
            "created_at": at,
            "updated_at": at,
        },
        step="activities",
        progress=progress,
    )
    insert_columns(
        session,
        ActivityUser,
        {
            "activity_id": activity_ids[activities.user_activity].tolist(),
            "user_id": ids.users[activities.user].tolist(),
        },
    )
    insert_columns(
        session,
        ActivityContact,
        {
            "activity_id": activity_ids[activities.contact_activity].tolist(),
            "contact_id": ids.contacts[activities.contact].tolist(),
        },
    )
    insert_columns(
        session,
        ActivityGoal,
        {
            "activity_id": activity_ids[activities.goal_activity].tolist(),
            "goal_id": goal_ids[activities.goal].tolist(),
        },
    )


def delete_demo_outcomes(session: Session, demo_accounts: Select[Any]) -> None:
    """Delete the activities, plans, goals and Desired Outcomes of the demo accounts."""
    demo_activities = select(Activity.id).where(Activity.account_id.in_(demo_accounts))
    demo_goals = select(Goal.id).where(Goal.account_id.in_(demo_accounts))
    for link in (ActivityUser, ActivityContact, ActivityGoal):
        session.execute(delete(link).where(link.activity_id.in_(demo_activities)))
    session.execute(delete(ActivityGoal).where(ActivityGoal.goal_id.in_(demo_goals)))
    session.execute(delete(Activity).where(Activity.account_id.in_(demo_accounts)))
    session.execute(delete(Evidence).where(Evidence.goal_id.in_(demo_goals)))
    for table in (Milestone, Goal, SuccessPlan, OutcomeStatement, Handoff, DesiredOutcome):
        session.execute(delete(table).where(table.account_id.in_(demo_accounts)))


def release_demo_users(session: Session, demo_users: Select[Any]) -> None:
    """Take the demo users out of other accounts' activities and goals before they go."""
    session.execute(delete(ActivityUser).where(ActivityUser.user_id.in_(demo_users)))
    session.execute(update(Goal).where(Goal.owner_id.in_(demo_users)).values(owner_id=None))
