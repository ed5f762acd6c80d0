"""Desired outcomes, hand-offs, success plans and milestones against the real database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from headway.core.audit import AuditEntry
from headway.core.errors import Conflict, InvalidInput, PermissionDenied
from headway.core.timeline import account_timeline
from headway.outcomes.models import Handoff, Milestone, SuccessPlan
from headway.outcomes.schemas import (
    DesiredOutcomeUpdate,
    HandoffCreate,
    MilestoneCreate,
    MilestoneUpdate,
    OutcomeKind,
    PlanCreate,
    StatementCreate,
)
from headway.outcomes.service import (
    add_milestone,
    add_outcome_statement,
    create_success_plan,
    first_value_dates,
    get_desired_outcome,
    get_handoff,
    list_milestones,
    list_success_plans,
    record_handoff,
    tailor_desired_outcome,
    update_milestone,
)
from headway.users.service import actor_for_user, permissions_of
from tests.helpers import SETUP, make_account, make_contact, make_plan, subscribe

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(T0, tick=False):
        yield


def audit_rows(session, action):
    return session.query(AuditEntry).filter_by(action=action).order_by(AuditEntry.id).all()


# --- the Desired Outcome -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("segment", "template", "outcome_starts", "touch_model", "meeting", "review", "support"),
    [
        ("high-touch", "high-touch", "Serve their own customers", "high", 30, 90, "premium"),
        ("mid-touch", "mid-touch", "Grow event registrations", "mid", 90, 180, "standard"),
        ("tech-touch", "tech-touch", "A first campaign live", "tech", None, None, "basic"),
    ],
)
def test_a_new_account_shows_its_segments_desired_outcome_until_tailored(
    session, segment, template, outcome_starts, touch_model, meeting, review, support
):
    acme = make_account(session, "acme", segment=segment)
    shown = get_desired_outcome(session=session, account_id=acme.id)
    assert (shown.template, shown.tailored) == (template, False)
    assert shown.required_outcome.startswith(outcome_starts)
    assert (shown.touch_model, shown.meeting_cadence_days, shown.review_cadence_days) == (
        touch_model,
        meeting,
        review,
    )
    assert shown.support_level == support
    assert (shown.expected, shown.desired) == ([], [])


def test_the_product_template_wins_for_an_account_on_the_analytics_add_on(session):
    acme = make_account(session, "acme", segment="mid-touch")
    subscribe(session, acme, "sub-1", "900.00", date(2025, 12, 1), plan="Pro")
    subscribe(session, acme, "sub-2", "300.00", date(2025, 12, 1), plan="Analytics add-on")
    shown = get_desired_outcome(session=session, account_id=acme.id)
    assert shown.template == "analytics-add-on"
    assert shown.required_outcome == (
        "Leadership decides on weekly reports instead of spreadsheets."
    )
    # The Appropriate Experience stays the segment's.
    assert (shown.touch_model, shown.review_cadence_days) == ("mid", 180)


def test_an_ended_add_on_no_longer_chooses_the_template(session):
    acme = make_account(session, "acme", segment="mid-touch")
    subscribe(
        session,
        acme,
        "sub-2",
        "300.00",
        date(2025, 6, 1),
        date(2025, 12, 1),
        plan="Analytics add-on",
    )
    assert get_desired_outcome(session=session, account_id=acme.id).template == "mid-touch"


def test_tailoring_writes_one_audit_row_with_only_the_changed_fields(session, bob):
    acme = make_account(session, "acme", owner=bob, segment="high-touch")
    shown = tailor_desired_outcome(
        session=session,
        actor=actor_for_user(bob),
        permissions=permissions_of(bob),
        account_id=acme.id,
        changes=DesiredOutcomeUpdate(
            review_cadence_days=60,
            meeting_cadence_days=30,  # the segment's already: no change
            stakeholders="  Carla (CFO), Tom (head of support)  ",
        ),
    )
    assert shown.tailored is True
    assert (shown.review_cadence_days, shown.meeting_cadence_days) == (60, 30)
    assert shown.stakeholders == "Carla (CFO), Tom (head of support)"
    assert shown.template == "high-touch"
    [row] = audit_rows(session, "desired_outcome.update")
    assert row.before == {"review_cadence_days": 90, "stakeholders": ""}
    assert row.after == {
        "review_cadence_days": 60,
        "stakeholders": "Carla (CFO), Tom (head of support)",
    }
    assert (row.account_id, row.actor_label) == (acme.id, "bob@example.com")


def test_tailoring_again_audits_only_the_new_change(session):
    acme = make_account(session, "acme", segment="high-touch")
    for changes in (
        DesiredOutcomeUpdate(review_cadence_days=60),
        DesiredOutcomeUpdate(review_cadence_days=60),  # the same again: nothing to record
        DesiredOutcomeUpdate(review_cadence_days=60, channels=["meeting", "email"]),
        DesiredOutcomeUpdate(meeting_cadence_days=None),  # no meetings for this customer
    ):
        tailor_desired_outcome(
            session=session, actor=SETUP, permissions=None, account_id=acme.id, changes=changes
        )
    rows = audit_rows(session, "desired_outcome.update")
    assert [(r.before, r.after) for r in rows] == [
        ({"review_cadence_days": 90}, {"review_cadence_days": 60}),
        (
            {"channels": ["meeting", "call", "email", "business_review"]},
            {"channels": ["meeting", "email"]},
        ),
        ({"meeting_cadence_days": 30}, {"meeting_cadence_days": None}),
    ]
    assert get_desired_outcome(session=session, account_id=acme.id).meeting_cadence_days is None


def test_tailoring_nothing_keeps_the_defaults(session):
    acme = make_account(session, "acme", segment="high-touch")
    shown = tailor_desired_outcome(
        session=session,
        actor=SETUP,
        permissions=None,
        account_id=acme.id,
        changes=DesiredOutcomeUpdate(review_cadence_days=90, support_level="premium"),
    )
    assert shown.tailored is False
    assert audit_rows(session, "desired_outcome.update") == []


def test_a_stakeholders_outcome_belongs_to_a_contact_of_the_account(session):
    acme = make_account(session, "acme", segment="high-touch")
    globex = make_account(session, "globex", segment="high-touch")
    carla = make_contact(session, acme, "carla@acme.test", "Carla")
    gina = make_contact(session, globex, "gina@globex.test", "Gina")
    statement = add_outcome_statement(
        session=session,
        actor=SETUP,
        permissions=None,
        account_id=acme.id,
        data=StatementCreate(
            kind=OutcomeKind.DESIRED, statement="Board-ready churn numbers", contact_id=carla.id
        ),
    )
    assert get_desired_outcome(session=session, account_id=acme.id).desired == [statement]
    with pytest.raises(InvalidInput, match="not a contact of account"):
        add_outcome_statement(
            session=session,
            actor=SETUP,
            permissions=None,
            account_id=acme.id,
            data=StatementCreate(kind=OutcomeKind.DESIRED, statement="x", contact_id=gina.id),
        )


# --- the hand-off from sales ---------------------------------------------------------------

PROMISE = HandoffCreate(
    promised="Support cost down 20 % by July",
    promised_by="Sam Seller",
    due_date=date(2026, 7, 1),
    stakeholders="Carla (CFO, economic buyer); Tom (head of support, champion)",
)


def test_the_hand_off_records_the_promise_and_starts_the_segment_and_stage_plan(session, bob):
    acme = make_account(session, "acme", owner=bob, segment="high-touch")
    handoff = record_handoff(
        session=session,
        actor=actor_for_user(bob),
        permissions=permissions_of(bob),
        account_id=acme.id,
        data=PROMISE,
    )
    assert get_handoff(session=session, account_id=acme.id) == handoff
    assert (handoff.recorded_by, handoff.promised_by) == ("bob@example.com", "Sam Seller")

    shown = get_desired_outcome(session=session, account_id=acme.id)
    [expected] = shown.expected
    assert (expected.statement, expected.promised_by, expected.due_date) == (
        "Support cost down 20 % by July",
        "Sam Seller",
        date(2026, 7, 1),
    )
    assert shown.desired == []
    assert shown.stakeholders == PROMISE.stakeholders
    assert shown.tailored is True

    [plan], total = list_success_plans(session=session, account_id=acme.id)
    assert (total, plan.name, plan.status) == (1, "High-touch onboarding", "active")
    # Due dates count from the hand-off day, 2026-01-05.
    assert [
        (m.name, m.due_date, m.first_value)
        for m in list_milestones(session=session, plan_id=plan.id)
    ] == [
        ("Kick-off with stakeholders", date(2026, 1, 12), False),
        ("Integration live", date(2026, 2, 4), False),
        ("Go-live", date(2026, 2, 19), True),
        ("Every team trained", date(2026, 3, 6), False),
    ]
    actions = [
        r.action
        for r in session.query(AuditEntry).filter_by(account_id=acme.id).order_by(AuditEntry.id)
    ]
    assert actions == [
        "account.create",
        "handoff.create",
        "outcome_statement.create",
        "desired_outcome.update",
        "success_plan.create",
    ]


def test_a_second_hand_off_is_refused(session):
    acme = make_account(session, "acme", segment="high-touch")
    record_handoff(session=session, actor=SETUP, permissions=None, account_id=acme.id, data=PROMISE)
    with pytest.raises(Conflict, match="recorded already"):
        record_handoff(
            session=session, actor=SETUP, permissions=None, account_id=acme.id, data=PROMISE
        )
    assert session.query(Handoff).count() == 1
    assert session.query(SuccessPlan).count() == 1


def test_a_hand_off_naming_an_unknown_plan_template_writes_nothing(session):
    acme = make_account(session, "acme", segment="high-touch")
    with pytest.raises(InvalidInput, match="no success plan template 'gold'"):
        record_handoff(
            session=session,
            actor=SETUP,
            permissions=None,
            account_id=acme.id,
            data=PROMISE.model_copy(update={"plan_template": "gold"}),
        )
    session.commit()  # whatever the refused call left behind would be written now
    assert session.query(Handoff).count() == 0
    assert get_desired_outcome(session=session, account_id=acme.id).expected == []


def test_a_hand_off_keeps_the_stakeholders_a_csm_already_named(session):
    acme = make_account(session, "acme", segment="high-touch")
    tailor_desired_outcome(
        session=session,
        actor=SETUP,
        permissions=None,
        account_id=acme.id,
        changes=DesiredOutcomeUpdate(stakeholders="Carla (CFO)"),
    )
    record_handoff(session=session, actor=SETUP, permissions=None, account_id=acme.id, data=PROMISE)
    assert get_desired_outcome(session=session, account_id=acme.id).stakeholders == "Carla (CFO)"
    assert len(audit_rows(session, "desired_outcome.update")) == 1


@pytest.mark.parametrize(
    ("segment", "stage", "plan_name", "milestones"),
    [
        (
            "mid-touch",
            "onboarding",
            "Mid-touch onboarding",
            [("Kick-off", date(2026, 1, 12), False), ("First event live", date(2026, 2, 4), True)],
        ),
        (
            "mid-touch",
            "adoption",
            "Mid-touch value plan",
            [("Business review", date(2026, 7, 4), False)],
        ),
        (
            "tech-touch",
            "onboarding",
            "Tech-touch onboarding",
            [
                ("Account set up", date(2026, 1, 8), False),
                ("First campaign live", date(2026, 1, 19), True),
            ],
        ),
        ("tech-touch", "adoption", "Tech-touch value plan", []),
        (
            "high-touch",
            "adoption",
            "High-touch value plan",
            [("Quarterly business review", date(2026, 4, 5), False)],
        ),
    ],
)
def test_a_plan_starts_from_its_segment_and_stage_template(
    session, segment, stage, plan_name, milestones
):
    acme = make_account(session, "acme", segment=segment, stage=stage)
    plan = make_plan(session, acme)
    assert plan.name == plan_name
    assert [
        (m.name, m.due_date, m.first_value)
        for m in list_milestones(session=session, plan_id=plan.id)
    ] == milestones


def test_an_account_has_at_most_one_first_value_milestone(session):
    acme = make_account(session, "acme", segment="high-touch")
    first = make_plan(session, acme)
    second = make_plan(session, acme, template="high-touch-onboarding", name="Second wave")
    assert [m.first_value for m in list_milestones(session=session, plan_id=second.id)] == [
        False
    ] * 4
    with pytest.raises(Conflict, match="'Go-live' is this account's first value already"):
        add_milestone(
            session=session,
            actor=SETUP,
            permissions=None,
            plan_id=first.id,
            data=MilestoneCreate(name="First report", first_value=True),
        )
    go_live = session.query(Milestone).filter_by(name="Go-live", plan_id=first.id).one()
    update_milestone(
        session=session,
        actor=SETUP,
        permissions=None,
        milestone_id=go_live.id,
        changes=MilestoneUpdate(done_on=date(2026, 2, 10)),
    )
    assert first_value_dates(session=session) == {acme.id: date(2026, 2, 10)}


# --- the timeline --------------------------------------------------------------------------


def test_outcome_work_shows_on_the_account_timeline_with_readable_titles(session, bob):
    acme = make_account(session, "acme", owner=bob, segment="high-touch")
    record_handoff(
        session=session,
        actor=actor_for_user(bob),
        permissions=permissions_of(bob),
        account_id=acme.id,
        data=PROMISE,
    )
    plan = list_success_plans(session=session, account_id=acme.id)[0][0]
    add_milestone(
        session=session,
        actor=actor_for_user(bob),
        permissions=permissions_of(bob),
        plan_id=plan.id,
        data=MilestoneCreate(name="Reporting live", due_date=date(2026, 3, 1)),
    )
    titles = {(e.title, e.actor) for e in account_timeline(session, acme.id)}
    assert {
        ("Hand-off from sales recorded", "bob@example.com"),
        ("Outcome added", "bob@example.com"),
        ("Desired Outcome tailored", "bob@example.com"),
        ("Success plan started", "bob@example.com"),
        ("Milestone added", "bob@example.com"),
    } <= titles


# --- who may change outcomes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "allowed"),
    [("bob", True), ("erin", False), ("carol", False), ("dave", True), ("alice", True)],
)
def test_only_the_owner_a_manager_or_an_admin_records_a_hand_off_or_tailors(
    session, request, bob, person, allowed
):
    acme = make_account(session, "acme", owner=bob, segment="high-touch")
    someone = request.getfixturevalue(person)
    calls = [
        lambda: tailor_desired_outcome(
            session=session,
            actor=actor_for_user(someone),
            permissions=permissions_of(someone),
            account_id=acme.id,
            changes=DesiredOutcomeUpdate(review_cadence_days=60),
        ),
        lambda: record_handoff(
            session=session,
            actor=actor_for_user(someone),
            permissions=permissions_of(someone),
            account_id=acme.id,
            data=PROMISE,
        ),
        lambda: create_success_plan(
            session=session,
            actor=actor_for_user(someone),
            permissions=permissions_of(someone),
            data=PlanCreate(account_id=acme.id),
        ),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied, match="only the outcomes of accounts you own"):
                call()
    assert session.query(Handoff).count() == (1 if allowed else 0)
