"""Goals and their evidence against the real database: terms, upserts, achievement, metrics.

make_goal's default terms run 100 days, 2026-01-01 → 2026-04-11, from 100 to 200.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from headway.core.audit import AuditEntry
from headway.core.errors import Conflict, InvalidInput, PermissionDenied
from headway.core.timeline import account_timeline
from headway.outcomes.goals import (
    create_goal,
    get_goal,
    list_evidence,
    record_evidence,
    sample_metric_goals,
    standing_of,
    status_counts,
    update_goal,
)
from headway.outcomes.models import Evidence, Goal
from headway.outcomes.progress import Direction, GoalStatus
from headway.outcomes.schemas import EvidenceCreate, EvidenceSource, GoalCreate, GoalUpdate
from headway.revenue.schemas import Interval
from headway.users.service import actor_for_user, permissions_of
from tests.helpers import SETUP, make_account, make_goal, make_plan, measure, subscribe

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # after every measurement the tests record


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def plan(session, bob):
    acme = make_account(session, "acme", owner=bob, segment="mid-touch")
    return make_plan(session, acme)


def audit_rows(session, action):
    return session.query(AuditEntry).filter_by(action=action).order_by(AuditEntry.id).all()


# --- terms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "baseline_date", "due_date", "problem"),
    [
        ("increase", 100, 100, date(2026, 1, 1), date(2026, 4, 1), "must be above its baseline"),
        ("increase", 100, 80, date(2026, 1, 1), date(2026, 4, 1), "must be above its baseline"),
        ("decrease", 50, 60, date(2026, 1, 1), date(2026, 4, 1), "must be below its baseline"),
        ("decrease", 50, 40, date(2026, 4, 1), date(2026, 4, 1), "due date must come after"),
        ("increase", 100, 200, date(2026, 4, 1), date(2026, 1, 1), "due date must come after"),
    ],
)
def test_a_goal_with_terms_that_make_no_sense_is_refused(
    session, plan, direction, baseline, target, baseline_date, due_date, problem
):
    with pytest.raises(InvalidInput, match=problem):
        create_goal(
            session=session,
            actor=SETUP,
            permissions=None,
            data=GoalCreate(
                plan_id=plan.id,
                name="Registrations",
                kpi="Registrations per month",
                direction=Direction(direction),
                baseline=baseline,
                baseline_date=baseline_date,
                target=target,
                due_date=due_date,
            ),
        )
    session.commit()
    assert session.query(Goal).count() == 0
    assert audit_rows(session, "goal.create") == []


def test_a_goal_is_created_from_a_template_and_audited(session, plan, bob):
    goal = create_goal(
        session=session,
        actor=SETUP,
        permissions=None,
        data=GoalCreate(
            plan_id=plan.id,
            template="support-cost",
            name="Support cost down 20 %",
            kpi="Support cost per month",
            unit="USD",
            direction=Direction.DECREASE,
            baseline=50_000,
            baseline_date=date(2026, 1, 1),
            target=40_000,
            due_date=date(2026, 6, 30),
            owner_id=bob.id,
        ),
    )
    assert (goal.account_id, goal.template_id is not None, goal.owner_id) == (
        plan.account_id,
        True,
        bob.id,
    )
    [row] = audit_rows(session, "goal.create")
    assert row.after["target"] == 40_000 and row.after["due_date"] == "2026-06-30"


def test_a_refused_change_of_terms_leaves_the_goal_as_it_was(session, plan):
    goal = make_goal(session, plan)
    with pytest.raises(InvalidInput, match="must be above its baseline"):
        update_goal(
            session=session,
            actor=SETUP,
            permissions=None,
            goal_id=goal.id,
            changes=GoalUpdate(target=50),
        )
    session.commit()
    session.expire_all()
    assert get_goal(session=session, goal_id=goal.id).target == 200
    assert audit_rows(session, "goal.update") == []


def test_changing_a_goal_audits_only_what_changed(session, plan):
    goal = make_goal(session, plan)
    update_goal(
        session=session,
        actor=SETUP,
        permissions=None,
        goal_id=goal.id,
        changes=GoalUpdate(target=180, name="More event registrations", due_date=date(2026, 5, 1)),
    )
    [row] = audit_rows(session, "goal.update")
    assert (row.before, row.after) == (
        {"target": 200.0, "due_date": "2026-04-11"},
        {"target": 180.0, "due_date": "2026-05-01"},
    )


def test_lowering_the_target_to_a_value_already_measured_achieves_the_goal(session, plan):
    goal = make_goal(session, plan)
    proof = measure(session, goal, 185, date(2026, 3, 1))
    update_goal(
        session=session,
        actor=SETUP,
        permissions=None,
        goal_id=goal.id,
        changes=GoalUpdate(target=180),
    )
    assert (goal.achieved_on, goal.achieved_evidence_id) == (date(2026, 3, 1), proof.id)


def test_an_achieved_goals_terms_are_settled_but_its_name_and_owner_may_change(session, plan, dave):
    goal = make_goal(session, plan)
    measure(session, goal, 200, date(2026, 3, 1))
    with pytest.raises(Conflict, match=r"achieved on 2026-03-01: .* \(target cannot change\)"):
        update_goal(
            session=session,
            actor=SETUP,
            permissions=None,
            goal_id=goal.id,
            changes=GoalUpdate(target=250, baseline=100),  # the baseline is unchanged
        )
    update_goal(
        session=session,
        actor=SETUP,
        permissions=None,
        goal_id=goal.id,
        changes=GoalUpdate(name="Registrations doubled", owner_id=dave.id, target=200),
    )
    session.expire_all()
    goal = get_goal(session=session, goal_id=goal.id)
    assert (goal.name, goal.owner_id, goal.target) == ("Registrations doubled", dave.id, 200)
    assert standing_of(goal, as_of=date(2026, 5, 1)).status is GoalStatus.ACHIEVED


# --- evidence ------------------------------------------------------------------------------


def test_the_same_goal_day_and_source_again_updates_the_measurement(session, plan):
    goal = make_goal(session, plan)
    first = measure(session, goal, 120, date(2026, 2, 1))
    again = measure(session, goal, 130, date(2026, 2, 1), note="recounted")
    assert again.id == first.id
    assert [(e.value, e.note) for e in list_evidence(session=session, goal_id=goal.id)] == [
        (130.0, "recounted")
    ]
    [update] = audit_rows(session, "evidence.update")
    assert (update.before, update.after["value"]) == ({"value": 120.0, "note": ""}, 130.0)


def test_an_identical_measurement_sent_again_writes_nothing(session, plan):
    goal = make_goal(session, plan)
    first = measure(session, goal, 120, date(2026, 2, 1))
    rows = session.query(AuditEntry).count()
    assert measure(session, goal, 120, date(2026, 2, 1)).id == first.id
    assert session.query(AuditEntry).count() == rows
    assert session.query(Evidence).count() == 1


def test_another_source_on_the_same_day_is_another_measurement(session, plan):
    goal = make_goal(session, plan)
    measure(session, goal, 120, date(2026, 2, 1))
    record_evidence(
        session=session,
        actor=SETUP,
        permissions=None,
        goal_id=goal.id,
        data=EvidenceCreate(value=125, measured_on=date(2026, 2, 1)),
        source=EvidenceSource.IMPORT,
    )
    assert sorted((e.source, e.value) for e in list_evidence(session=session, goal_id=goal.id)) == [
        ("import", 125.0),
        ("manual", 120.0),
    ]


def test_achievement_is_settled_by_the_first_measurement_reaching_the_target(session, plan):
    goal = make_goal(session, plan)
    measure(session, goal, 150, date(2026, 2, 1))
    assert goal.achieved_on is None
    proof = measure(session, goal, 210, date(2026, 3, 1))
    later = measure(session, goal, 230, date(2026, 3, 15))
    assert (goal.achieved_on, goal.achieved_evidence_id) == (date(2026, 3, 1), proof.id)
    [row] = audit_rows(session, "goal.achieve")
    assert row.after == {"achieved_on": "2026-03-01", "value": 210.0, "evidence_id": proof.id}
    # Falling back later does not undo it; the proof cannot be corrected, other evidence can.
    measure(session, goal, 160, date(2026, 4, 1))
    measure(session, goal, 231, date(2026, 3, 15))
    with pytest.raises(Conflict, match="proved the goal achieved"):
        measure(session, goal, 190, date(2026, 3, 1))
    session.expire_all()
    goal = get_goal(session=session, goal_id=goal.id)
    assert (goal.achieved_on, goal.achieved_evidence_id) == (date(2026, 3, 1), proof.id)
    assert session.get(Evidence, proof.id).value == 210.0
    assert session.get(Evidence, later.id).value == 231.0
    standing = standing_of(goal, as_of=date(2026, 4, 20))
    assert (standing.status, standing.current, standing.progress) == (
        GoalStatus.ACHIEVED,
        160.0,
        0.6,
    )


def test_reaching_the_target_after_the_due_date_does_not_achieve_the_goal(session, plan):
    goal = make_goal(session, plan)
    measure(session, goal, 190, date(2026, 4, 11))
    measure(session, goal, 220, date(2026, 4, 12))
    assert goal.achieved_on is None
    assert standing_of(goal, as_of=date(2026, 4, 20)).status is GoalStatus.MISSED


def test_status_counts_of_a_book_of_goals(session, plan):
    achieved = make_goal(session, plan, name="a")
    measure(session, achieved, 200, date(2026, 2, 1))
    on_track = make_goal(session, plan, name="b")
    measure(session, on_track, 150, date(2026, 2, 20))  # day 50: 0.5 of the way
    at_risk = make_goal(session, plan, name="c")
    measure(session, at_risk, 130, date(2026, 2, 20))
    make_goal(session, plan, name="d", due_date=date(2026, 2, 1))  # missed
    make_goal(session, plan, name="e", baseline_date=date(2026, 2, 1), due_date=date(2026, 6, 1))
    goals = session.query(Goal).all()
    counts = status_counts(goals, as_of=date(2026, 2, 25))
    assert counts == {
        GoalStatus.NOT_STARTED: 1,
        GoalStatus.ON_TRACK: 1,
        GoalStatus.AT_RISK: 1,
        GoalStatus.ACHIEVED: 1,
        GoalStatus.MISSED: 1,
    }


def test_goal_and_evidence_changes_show_on_the_account_timeline(session, plan, bob):
    goal = make_goal(session, plan)
    record_evidence(
        session=session,
        actor=actor_for_user(bob),
        permissions=permissions_of(bob),
        goal_id=goal.id,
        data=EvidenceCreate(value=205, measured_on=date(2026, 1, 4)),
    )
    titles = [(e.title, e.actor) for e in account_timeline(session, plan.account_id)]
    assert ("Goal added", "test setup") in titles
    assert ("Evidence recorded", "bob@example.com") in titles
    assert ("Goal achieved", "bob@example.com") in titles


# --- metrics Headway computes --------------------------------------------------------------


def test_seats_and_mrr_goals_are_sampled_from_the_accounts_subscriptions(session, bob):
    acme = make_account(session, "acme", owner=bob, segment="mid-touch")
    subscribe(session, acme, "sub-1", "1000.00", date(2025, 12, 1), quantity=10)
    subscribe(
        session, acme, "sub-2", "1200.00", date(2026, 2, 1), interval=Interval.YEAR, quantity=4
    )
    plan = make_plan(session, acme)
    seats = make_goal(session, plan, baseline=10, target=13, unit="seats", source="seats")
    mrr = make_goal(session, plan, baseline=10_000, target=12_000, unit="USD", source="mrr")
    # Past due, achieved, or not begun yet: not sampled.
    make_goal(
        session, plan, name="old", baseline=1, target=2, source="seats", due_date=date(2026, 2, 1)
    )
    make_goal(
        session,
        plan,
        name="later",
        baseline=1,
        target=2,
        source="seats",
        baseline_date=date(2026, 3, 1),
        due_date=date(2026, 6, 1),
    )
    # seats 10 + 4; MRR 1000 × 10 + 1200 × 4 ÷ 12 = 10,400.00 USD
    assert sample_metric_goals(session=session, actor=SETUP, on=date(2026, 2, 15)) == 2
    assert [(e.value, e.source) for e in list_evidence(session=session, goal_id=seats.id)] == [
        (14.0, "seats")
    ]
    assert [(e.value, e.source) for e in list_evidence(session=session, goal_id=mrr.id)] == [
        (10_400.0, "mrr")
    ]
    assert (seats.achieved_on, mrr.achieved_on) == (date(2026, 2, 15), None)
    # The same day again records nothing new; the achieved seats goal is no longer sampled.
    rows = session.query(AuditEntry).count()
    assert sample_metric_goals(session=session, actor=SETUP, on=date(2026, 2, 15)) == 1
    assert session.query(AuditEntry).count() == rows


def test_mrr_is_measured_in_the_major_units_of_the_goals_currency(session):
    acme = make_account(session, "acme", segment="mid-touch")
    subscribe(session, acme, "sub-1", "50000", date(2025, 12, 1), currency="JPY")
    plan = make_plan(session, acme)
    yen = make_goal(session, plan, baseline=40_000, target=60_000, unit="JPY", source="mrr")
    vague = make_goal(session, plan, baseline=1, target=2, unit="money", source="mrr")
    assert sample_metric_goals(session=session, actor=SETUP, on=date(2026, 1, 5)) == 1
    assert [e.value for e in list_evidence(session=session, goal_id=yen.id)] == [50_000.0]
    assert list_evidence(session=session, goal_id=vague.id) == []


# --- who may change goals and evidence -----------------------------------------------------


@pytest.mark.parametrize(
    ("person", "allowed"),
    [("bob", True), ("erin", False), ("carol", False), ("dave", True), ("alice", True)],
)
def test_only_the_owner_a_manager_or_an_admin_edits_goals_and_evidence(
    session, request, plan, person, allowed
):
    goal = make_goal(session, plan)
    someone = request.getfixturevalue(person)
    actor, permissions = actor_for_user(someone), permissions_of(someone)
    calls = [
        lambda: create_goal(
            session=session,
            actor=actor,
            permissions=permissions,
            data=GoalCreate(
                plan_id=plan.id,
                name="Hours saved",
                kpi="Hours of manual work per week",
                direction=Direction.DECREASE,
                baseline=30,
                baseline_date=date(2026, 1, 1),
                target=20,
                due_date=date(2026, 5, 1),
            ),
        ),
        lambda: update_goal(
            session=session,
            actor=actor,
            permissions=permissions,
            goal_id=goal.id,
            changes=GoalUpdate(target=190),
        ),
        lambda: record_evidence(
            session=session,
            actor=actor,
            permissions=permissions,
            goal_id=goal.id,
            data=EvidenceCreate(value=120, measured_on=date(2026, 1, 4)),
        ),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied, match="only the outcomes of accounts you own"):
                call()
    session.expire_all()
    assert session.query(Goal).count() == (2 if allowed else 1)
    assert get_goal(session=session, goal_id=goal.id).target == (190 if allowed else 200)
    assert session.query(Evidence).count() == (1 if allowed else 0)
