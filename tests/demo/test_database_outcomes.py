"""The demo company's outcomes and activities in the database: as the services read them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, LifecycleStage, Segment
from headway.activities.models import (
    Activity,
    ActivityContact,
    ActivityGoal,
    ActivityType,
    ActivityUser,
    TouchRequirement,
)
from headway.activities.schemas import ActivityCreate
from headway.activities.service import iter_coverage, links_of, log_activity
from headway.contacts.models import Contact
from headway.core.audit import Actor
from headway.demo.catalogue import (
    ACTIVITY_TYPES,
    CHANNELS,
    GOAL_KINDS,
    MEETING_CADENCE_DAYS,
    OUTCOME_KINDS,
    PLAN_KINDS,
    REVIEW_CADENCE_DAYS,
    SUPPORT_LEVELS,
    TOUCH_MODELS,
    TOUCHES,
)
from headway.demo.company import DemoCompany, generate_company
from headway.demo.segments import SEGMENT_KEYS
from headway.demo.service import generate_demo
from headway.outcomes.goals import iter_goals, standing_of, terms_of
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
from headway.outcomes.progress import check_terms, reaches_target
from headway.outcomes.service import first_value_dates, get_desired_outcome, get_handoff
from headway.users.models import User
from tests.helpers import make_account

AS_OF = date(2026, 6, 30)
AS_OF_TIME = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
DEMO = Actor.system("demo")
ACCOUNTS = 150
TABLES = (
    DesiredOutcome,
    OutcomeStatement,
    Handoff,
    SuccessPlan,
    Goal,
    Evidence,
    Milestone,
    Activity,
    ActivityUser,
    ActivityContact,
    ActivityGoal,
)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def generate(session: Session, seed: int = 3, *, accounts: int = ACCOUNTS, replace: bool = False):
    return generate_demo(
        session=session, actor=DEMO, seed=seed, accounts=accounts, as_of=AS_OF, replace=replace
    )


def expected_counts(company: DemoCompany) -> dict[type, int]:
    plans, activities = company.success_plans, company.activities
    return {
        DesiredOutcome: len(company.outcomes.desired),
        OutcomeStatement: len(company.outcomes.statements),
        Handoff: len(company.outcomes.handoffs),
        SuccessPlan: len(plans.plans),
        Goal: len(plans.goals),
        Evidence: len(plans.evidence),
        Milestone: len(plans.milestones),
        Activity: len(activities),
        ActivityUser: len(activities.user),
        ActivityContact: len(activities.contact),
        ActivityGoal: len(activities.goal),
    }


def test_generate_writes_every_outcome_and_activity_row(session: Session) -> None:
    report = generate(session)
    company = generate_company(seed=3, as_of=AS_OF, accounts=ACCOUNTS)
    assert {model: count(session, model) for model in TABLES} == expected_counts(company)
    summary = company.summary()
    assert (report.goals, report.evidence, report.activities) == (
        summary["goals"],
        summary["evidence"],
        summary["activities"],
    )
    assert all(count(session, model) > 0 for model in TABLES)


def test_every_demo_goal_stands_as_settling_its_evidence_would(session: Session) -> None:
    generate(session, accounts=300)
    statuses: Counter[str] = Counter()
    goals = list(iter_goals(session=session))
    assert len(goals) > 300
    for goal in goals:
        assert check_terms(terms_of(goal)) is None
        standing = standing_of(goal, as_of=AS_OF)
        statuses[standing.status.value] += 1
        # What recording this evidence one measurement at a time would have settled.
        assert standing.achieved_on == goal.achieved_on, goal.id
        if goal.achieved_on is None:
            assert goal.achieved_evidence_id is None
            continue
        proof = next(
            e
            for e in goal.evidence
            if e.measured_on == goal.achieved_on and reaches_target(terms_of(goal), e.value)
        )
        assert goal.achieved_evidence_id == proof.id
    assert {"achieved", "missed", "at_risk", "on_track"} <= set(statuses)


def test_the_catalogue_is_what_the_migrations_seed(session: Session) -> None:
    goals = {t.key: t for t in session.scalars(select(GoalTemplate))}
    for kind in GOAL_KINDS:
        row = goals[kind.key]
        assert (row.name, row.kpi, row.unit, row.direction, row.source) == (
            kind.name,
            kind.kpi,
            kind.unit,
            kind.direction,
            kind.source,
        )
        assert (row.target_change, row.due_days) == (kind.target_change, kind.due_days)
    segments = {s.id: s for s in session.scalars(select(Segment))}
    segment_index = {s.id: SEGMENT_KEYS.index(s.key) for s in segments.values()}
    for s in segments.values():
        i = segment_index[s.id]
        assert (s.touch_model, list(s.channels), s.support_level) == (
            TOUCH_MODELS[i],
            list(CHANNELS[i]),
            SUPPORT_LEVELS[i],
        )
        assert (s.meeting_cadence_days, s.review_cadence_days) == (
            MEETING_CADENCE_DAYS[i],
            REVIEW_CADENCE_DAYS[i],
        )
    plans = {t.key: t for t in session.scalars(select(PlanTemplate))}
    for kind in PLAN_KINDS:
        row = plans[kind.key]
        assert row.name == kind.name and segment_index[row.segment_id] == kind.segment
        assert tuple(row.goal_keys) == kind.goal_keys
        assert [(m["name"], m["due_days"], m["first_value"]) for m in row.milestones] == [
            (m.name, m.due_days, m.first_value) for m in kind.milestones
        ]
    outcomes = {t.key: t for t in session.scalars(select(OutcomeTemplate))}
    for kind in OUTCOME_KINDS:
        row = outcomes[kind.key]
        segment = segment_index[row.segment_id] if row.segment_id else None
        assert (segment, row.product, row.required_outcome) == (
            kind.segment,
            kind.product,
            kind.required_outcome,
        )
        assert (tuple(row.expected), tuple(row.desired)) == (kind.expected, kind.desired)
        assert len(kind.expected_due_days) == len(kind.expected)
    types = list(session.scalars(select(ActivityType).order_by(ActivityType.position)))
    assert [(t.key, t.default_minutes) for t in types] == list(ACTIVITY_TYPES)
    stage_keys = dict(session.execute(select(LifecycleStage.id, LifecycleStage.key)).all())
    touches = list(session.scalars(select(TouchRequirement).order_by(TouchRequirement.position)))
    assert [
        (
            segment_index[t.segment_id],
            stage_keys.get(t.stage_id) if t.stage_id else None,
            t.name,
            tuple(t.activity_types),
            t.every_days,
            t.cadence,
        )
        for t in touches
    ] == [(t.segment, t.stage, t.name, t.activity_types, t.every_days, t.cadence) for t in TOUCHES]


def test_coverage_shows_gaps_where_a_csm_under_covers(session: Session) -> None:
    generate(session, accounts=400)
    company = generate_company(seed=3, as_of=AS_OF, accounts=400)
    users = dict(session.execute(select(User.id, User.email)).all())
    diligence = {p.email: d for p, d in zip(company.team, company.diligence, strict=True)}
    lines: dict[str, list[bool]] = {}
    for row in iter_coverage(session=session, as_of=AS_OF):
        if row.owner_id is not None:
            lines.setdefault(users[row.owner_id], []).append(bool(row.gaps))
    keen = max(lines, key=lambda email: diligence[email])
    lax = min(lines, key=lambda email: diligence[email])
    gaps = {email: float(np.mean(found)) for email, found in lines.items()}
    assert gaps[lax] > gaps[keen] + 0.1


def test_the_desired_outcome_page_reads_tailored_cadences_statements_and_handoffs(
    session: Session,
) -> None:
    generate(session, accounts=300)
    company = generate_company(seed=3, as_of=AS_OF, accounts=300)
    outcomes = company.outcomes
    ids = dict(session.execute(select(Account.external_id, Account.id)).all())
    checked = 0
    for k, account in enumerate(outcomes.desired.account.tolist()):
        view = get_desired_outcome(
            session=session, account_id=ids[company.accounts.external_id[account]]
        )
        assert view.tailored
        meeting = int(outcomes.desired.meeting_days[k])
        assert view.meeting_cadence_days == (None if meeting < 0 else meeting)
        assert view.stakeholders == outcomes.desired.stakeholders[k]
        mine = outcomes.statements.account == account
        assert len(view.expected) == int((mine & ~outcomes.statements.desired).sum())
        assert len(view.desired) == int((mine & outcomes.statements.desired).sum())
        checked += 1
    assert checked > 20
    account = int(outcomes.handoffs.account[0])
    handoff = get_handoff(session=session, account_id=ids[company.accounts.external_id[account]])
    assert handoff is not None and handoff.promised == outcomes.handoffs.promised[0]
    personal = session.scalars(
        select(OutcomeStatement).where(OutcomeStatement.contact_id.is_not(None))
    ).all()
    assert personal
    for statement in personal:
        assert session.get(Contact, statement.contact_id).account_id == statement.account_id


def test_first_value_dates_are_the_done_first_value_milestones(session: Session) -> None:
    generate(session)
    company = generate_company(seed=3, as_of=AS_OF, accounts=ACCOUNTS)
    milestones = company.success_plans.milestones
    done = milestones.first_value & (milestones.done_day >= 0)
    found = first_value_dates(session=session)
    assert len(found) == int(done.sum()) > ACCOUNTS / 2
    assert max(found.values()) <= AS_OF


def test_activities_are_written_with_their_people_and_goals(session: Session) -> None:
    generate(session)
    company = generate_company(seed=3, as_of=AS_OF, accounts=ACCOUNTS)
    emails = dict(session.execute(select(User.id, User.email)).all())
    contacts = dict(session.execute(select(Contact.id, Contact.account_id)).all())
    activities = list(session.scalars(select(Activity).order_by(Activity.external_id)))
    assert len(activities) == len(company.activities)
    links = links_of(session=session, activity_ids=[a.id for a in activities])
    for activity in activities[::5]:
        found = links[activity.id]
        people = {emails[u] for u in found.user_ids}
        if activity.logged_by.startswith("program: "):
            assert not people
        else:
            assert activity.logged_by in people
        assert all(contacts[c] == activity.account_id for c in found.contact_ids)
        for goal_id in found.goal_ids:
            goal = session.get(Goal, goal_id)
            assert goal.account_id == activity.account_id
            assert goal.baseline_date <= activity.occurred_at.date() <= goal.due_date
    assert any(links[a.id].goal_ids for a in activities)
    first = company.activities
    assert activities[0].external_id == first.external_id[0]
    assert activities[0].minutes == first.minutes[0] and activities[0].subject == first.subject[0]


def test_replace_removes_the_earlier_demos_outcomes_and_keeps_other_accounts(
    session: Session,
) -> None:
    generate(session, seed=3)
    acme = make_account(session, "acme", "Acme")
    csm = session.scalar(select(User).where(User.email == "maya.chen@demo.headway.test"))
    logged = log_activity(
        session=session,
        actor=Actor(kind="user", label=csm.email, user_id=csm.id),
        permissions=None,
        data=ActivityCreate(account_id=acme.id, type="call", occurred_at=AS_OF_TIME),
    )
    generate(session, seed=4, replace=True)
    company = generate_company(seed=4, as_of=AS_OF, accounts=ACCOUNTS)
    counts = expected_counts(company)
    counts[Activity] += 1  # Acme's call stays, without the demo CSM who has gone
    assert {model: count(session, model) for model in TABLES} == counts
    assert session.get(Activity, logged.id) is not None
    assert links_of(session=session, activity_ids=[logged.id])[logged.id].user_ids == []


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every outcome and activity row, with ids replaced by what they stand for."""
    accounts = dict(session.execute(select(Account.id, Account.external_id)).all())
    contacts = dict(session.execute(select(Contact.id, Contact.external_id)).all())
    users = dict(session.execute(select(User.id, User.email)).all())
    plans = {
        p.id: (accounts[p.account_id], p.name, p.created_at)
        for p in session.scalars(select(SuccessPlan))
    }
    goals = {
        g.id: (plans[g.plan_id], g.name, g.baseline_date) for g in session.scalars(select(Goal))
    }
    evidence_days = dict(session.execute(select(Evidence.id, Evidence.measured_on)).all())
    activities = dict(session.execute(select(Activity.id, Activity.external_id)).all())
    names = {
        "account_id": accounts,
        "contact_id": contacts,
        "user_id": users,
        "owner_id": users,
        "plan_id": plans,
        "goal_id": goals,
        "activity_id": activities,
        "achieved_evidence_id": evidence_days,
    }
    found = {}
    for model in TABLES:
        columns = [c.name for c in model.__table__.columns if c.name != "id"]
        rows = []
        for row in session.execute(select(*model.__table__.columns)).mappings():
            rows.append(
                tuple(
                    names[c].get(row[c]) if c in names and row[c] is not None else row[c]
                    for c in columns
                )
            )
        found[model.__tablename__] = sorted(rows, key=repr)
    return found


def test_the_same_seed_writes_the_same_rows(session: Session) -> None:
    generate(session, seed=5, accounts=60)
    first = snapshot(session)
    generate(session, seed=5, accounts=60, replace=True)
    assert snapshot(session) == first
    assert sum(len(rows) for rows in first.values()) > 1_000


def test_goals_belong_to_their_plans_account_and_evidence_to_goals(session: Session) -> None:
    generate(session)
    mismatched = session.scalar(
        select(func.count())
        .select_from(Goal)
        .join(SuccessPlan, SuccessPlan.id == Goal.plan_id)
        .where(SuccessPlan.account_id != Goal.account_id)
    )
    assert mismatched == 0
    evidence_owner = session.scalar(
        select(func.count()).select_from(Evidence).where(Evidence.goal_id.not_in(select(Goal.id)))
    )
    assert evidence_owner == 0
