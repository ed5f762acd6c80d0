"""Activities and coverage against the real database: logging, links, re-logs, the timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import time_machine

from headway.accounts.service import change_stage
from headway.activities.models import Activity
from headway.activities.schemas import ActivityCreate, ActivityUpdate
from headway.activities.service import (
    coverage_of_account,
    delete_activity,
    iter_coverage,
    links_of,
    list_activities,
    log_activity,
    update_activity,
)
from headway.core.audit import AuditEntry
from headway.core.errors import InvalidInput, PermissionDenied
from headway.core.timeline import account_timeline
from headway.outcomes.schemas import DesiredOutcomeUpdate
from headway.outcomes.service import tailor_desired_outcome
from headway.users.service import actor_for_user, permissions_of
from tests.helpers import (
    SETUP,
    log_touch,
    make_account,
    make_contact,
    make_goal,
    make_plan,
    subscribe,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MARCH_1 = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(T0, tick=False):
        yield


def activity_of(account, type_key, **fields):
    return ActivityCreate(account_id=account.id, type=type_key, occurred_at=MARCH_1, **fields)


# --- logging -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_key", "minutes", "expected"),
    [
        ("meeting", None, 60),
        ("call", None, 30),
        ("email", None, 10),
        ("business_review", None, 120),
        ("in_app", None, 5),
        ("meeting", 45, 45),
        ("call", 0, 0),  # logged with no time spent: zero, not the default
    ],
)
def test_minutes_default_to_the_catalogues_duration(session, type_key, minutes, expected):
    acme = make_account(session, "acme", segment="high-touch")
    activity = log_touch(session, acme, type_key, MARCH_1, minutes=minutes)
    assert activity.minutes == expected


def test_an_unknown_type_is_refused_with_the_types_that_exist(session):
    acme = make_account(session, "acme")
    with pytest.raises(
        InvalidInput, match="no activity type 'lunch'; expected one of meeting, call"
    ):
        log_touch(session, acme, "lunch", MARCH_1)


def test_participants_and_goals_are_linked_and_the_logger_takes_part_by_default(session, bob, erin):
    acme = make_account(session, "acme", owner=bob, segment="high-touch")
    carla = make_contact(session, acme, "carla@acme.test")
    goal = make_goal(session, make_plan(session, acme))
    mine = log_activity(
        session=session,
        actor=actor_for_user(bob),
        permissions=permissions_of(bob),
        data=activity_of(acme, "meeting", contact_ids=[carla.id], goal_ids=[goal.id]),
    )
    joint = log_activity(
        session=session,
        actor=actor_for_user(bob),
        permissions=permissions_of(bob),
        data=activity_of(acme, "training", user_ids=[bob.id, erin.id, bob.id]),
    )
    links = links_of(session=session, activity_ids=[mine.id, joint.id])
    assert (links[mine.id].user_ids, links[mine.id].contact_ids, links[mine.id].goal_ids) == (
        [bob.id],
        [carla.id],
        [goal.id],
    )
    assert sorted(links[joint.id].user_ids) == sorted([bob.id, erin.id])
    assert [a.id for a in list_activities(session=session, goal_id=goal.id)[0]] == [mine.id]
    assert {a.id for a in list_activities(session=session, user_id=erin.id)[0]} == {joint.id}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("contact_ids", "not contacts of account"),
        ("goal_ids", "not goals of account"),
        ("user_ids", "no such team member: 999999"),
    ],
)
def test_people_and_goals_of_another_account_are_refused(session, field, message):
    acme = make_account(session, "acme", segment="high-touch")
    globex = make_account(session, "globex", segment="high-touch")
    foreign = {
        "contact_ids": lambda: make_contact(session, globex, "gina@globex.test").id,
        "goal_ids": lambda: make_goal(session, make_plan(session, globex)).id,
        "user_ids": lambda: 999_999,
    }[field]()
    with pytest.raises(InvalidInput, match=message):
        log_activity(
            session=session,
            actor=SETUP,
            permissions=None,
            data=activity_of(acme, "meeting", **{field: [foreign]}),
        )
    session.commit()
    assert session.query(Activity).count() == 0


def test_logging_again_with_the_same_external_id_updates_instead_of_duplicating(session, bob):
    acme = make_account(session, "acme", owner=bob, segment="high-touch")
    actor, permissions = actor_for_user(bob), permissions_of(bob)
    first = log_activity(
        session=session,
        actor=actor,
        permissions=permissions,
        data=activity_of(acme, "call", subject="Renewal", external_id="crm-1"),
    )
    call_type_id = first.type_id
    # The same moment written in another zone, sent again: nothing changes.
    in_paris = MARCH_1.astimezone(timezone(timedelta(hours=1)))
    again = log_activity(
        session=session,
        actor=actor,
        permissions=permissions,
        data=ActivityCreate(
            account_id=acme.id,
            type="call",
            occurred_at=in_paris,
            subject="Renewal",
            external_id="crm-1",
        ),
    )
    assert again.id == first.id
    assert session.query(AuditEntry).filter_by(action="activity.update").count() == 0
    changed = log_activity(
        session=session,
        actor=actor,
        permissions=permissions,
        data=activity_of(acme, "meeting", subject="Renewal", minutes=50, external_id="crm-1"),
    )
    assert changed.id == first.id and session.query(Activity).count() == 1
    [row] = session.query(AuditEntry).filter_by(action="activity.update").all()
    assert (row.before, row.after) == (
        {"type_id": call_type_id, "minutes": 30},
        {"type_id": changed.type.id, "minutes": 50},
    )
    assert changed.type.key == "meeting"


def test_an_external_id_of_another_account_is_refused(session):
    acme = make_account(session, "acme")
    globex = make_account(session, "globex")
    log_touch(session, acme, "call", MARCH_1, external_id="crm-1")
    with pytest.raises(InvalidInput, match="belongs to account"):
        log_touch(session, globex, "call", MARCH_1, external_id="crm-1")


def test_an_activity_shows_once_on_the_timeline_when_it_happened(session, bob):
    acme = make_account(session, "acme", owner=bob, segment="high-touch")
    activity = log_activity(
        session=session,
        actor=actor_for_user(bob),
        permissions=permissions_of(bob),
        data=activity_of(acme, "business_review", subject="Q1 review"),
    )
    entries = [e for e in account_timeline(session, acme.id) if e.kind == "activity"]
    assert [(e.title, e.at, e.actor, e.details) for e in entries] == [
        ("Business review: Q1 review", MARCH_1, "bob@example.com", {"minutes": 120})
    ]
    update_activity(
        session=session,
        actor=SETUP,
        permissions=None,
        activity_id=activity.id,
        changes=ActivityUpdate(minutes=90),
    )
    titles = [e.title for e in account_timeline(session, acme.id)]
    assert titles.count("Business review: Q1 review") == 1
    assert "Activity changed" in titles
    delete_activity(session=session, actor=SETUP, permissions=None, activity_id=activity.id)
    titles = [e.title for e in account_timeline(session, acme.id)]
    assert "Business review: Q1 review" not in titles and "Activity changed" in titles


# --- coverage ------------------------------------------------------------------------------


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def lines_of(coverage):
    return {line.name: (line.last_touch, line.due_on, line.overdue_days) for line in coverage.lines}


@pytest.fixture
def acme(session, bob):
    """A high-touch customer since 2025-10-01, in adoption since 2026-01-05."""
    acme = make_account(session, "acme", owner=bob, segment="high-touch", stage="adoption")
    subscribe(session, acme, "sub-1", "2000.00", date(2025, 10, 1))
    log_touch(session, acme, "business_review", at(date(2026, 1, 10)))
    log_touch(session, acme, "call", at(date(2026, 3, 1)))
    return acme


def test_a_high_touch_accounts_coverage_follows_its_segments_cadences(session, acme):
    coverage = coverage_of_account(session=session, account_id=acme.id, as_of=date(2026, 4, 10))
    # Review 01-10 + 90 = 04-10, met; check-in 03-01 + 30 = 03-31, 10 days overdue.
    assert lines_of(coverage) == {
        "Business review": (date(2026, 1, 10), date(2026, 4, 10), 0),
        "Check-in": (date(2026, 3, 1), date(2026, 3, 31), 10),
    }
    assert coverage.overdue_days == 10
    assert [line.name for line in coverage.gaps] == ["Check-in"]


def test_the_accounts_tailored_cadence_overrides_the_segments(session, acme):
    tailor_desired_outcome(
        session=session,
        actor=SETUP,
        permissions=None,
        account_id=acme.id,
        changes=DesiredOutcomeUpdate(review_cadence_days=60, meeting_cadence_days=None),
    )
    coverage = coverage_of_account(session=session, account_id=acme.id, as_of=date(2026, 4, 10))
    # 01-10 + 60 = 03-11, 30 days before 04-10; no meeting cadence, so no check-in owed.
    assert lines_of(coverage) == {"Business review": (date(2026, 1, 10), date(2026, 3, 11), 30)}


def test_a_touch_planned_after_as_of_does_not_count_yet(session, acme):
    log_touch(session, acme, "call", at(date(2026, 5, 1)))
    coverage = coverage_of_account(session=session, account_id=acme.id, as_of=date(2026, 4, 10))
    assert lines_of(coverage)["Check-in"] == (date(2026, 3, 1), date(2026, 3, 31), 10)


def test_an_onboarding_requirement_runs_from_entering_the_stage(session, bob):
    with time_machine.travel(datetime(2026, 3, 1, 8, 0, tzinfo=UTC), tick=False):
        newco = make_account(session, "newco", owner=bob, segment="tech-touch")
    subscribe(session, newco, "sub-1", "50.00", date(2025, 12, 1))
    coverage = coverage_of_account(session=session, account_id=newco.id, as_of=date(2026, 3, 20))
    # Tech-touch owes no meetings; the onboarding email is due 14 days after 03-01.
    assert lines_of(coverage) == {"Onboarding email": (None, date(2026, 3, 15), 5)}


def test_churned_accounts_are_left_out_of_coverage(session, acme, erin):
    globex = make_account(session, "globex", owner=erin, segment="mid-touch", stage="adoption")
    initech = make_account(session, "initech", owner=erin, segment="tech-touch", stage="adoption")
    change_stage(
        session=session, actor=SETUP, permissions=None, account_id=initech.id, stage="churned"
    )
    as_of = date(2026, 4, 10)
    assert [c.account_id for c in iter_coverage(session=session, as_of=as_of)] == [
        acme.id,
        globex.id,
    ]
    assert [c.account_id for c in iter_coverage(session=session, as_of=as_of, batch_size=1)] == [
        acme.id,
        globex.id,
    ]
    assert [
        c.account_id for c in iter_coverage(session=session, as_of=as_of, owner_id=erin.id)
    ] == [globex.id]
    assert coverage_of_account(session=session, account_id=initech.id, as_of=as_of).lines == []


# --- who may log activities ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "allowed"),
    [("bob", True), ("erin", False), ("carol", False), ("dave", True), ("alice", True)],
)
def test_only_the_owner_a_manager_or_an_admin_logs_and_changes_activities(
    session, request, bob, person, allowed
):
    acme = make_account(session, "acme", owner=bob, segment="high-touch")
    existing = log_touch(session, acme, "call", MARCH_1)
    someone = request.getfixturevalue(person)
    actor, permissions = actor_for_user(someone), permissions_of(someone)
    calls = [
        lambda: log_activity(
            session=session, actor=actor, permissions=permissions, data=activity_of(acme, "email")
        ),
        lambda: update_activity(
            session=session,
            actor=actor,
            permissions=permissions,
            activity_id=existing.id,
            changes=ActivityUpdate(minutes=45),
        ),
        lambda: delete_activity(
            session=session, actor=actor, permissions=permissions, activity_id=existing.id
        ),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied, match="only the activities of accounts you own"):
                call()
    kinds = sorted(a.type.key for a in session.query(Activity).all())
    assert kinds == (["email"] if allowed else ["call"])
