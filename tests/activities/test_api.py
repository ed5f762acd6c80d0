"""The activities API: the catalogue, logging and listing outputs, and coverage of an account."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from headway.users.models import Scope
from tests.helpers import (
    bearer,
    log_touch,
    make_account,
    make_contact,
    make_goal,
    make_plan,
    subscribe,
)

TODAY = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def acme(session, bob):
    return make_account(session, "acme", "Acme", owner=bob, segment="mid-touch")


@pytest.fixture
def globex(session, erin):
    return make_account(session, "globex", "Globex", owner=erin, segment="high-touch")


@pytest.fixture
def bob_writes(session, bob):
    return bearer(session, bob, Scope.READ, Scope.WRITE)


def test_the_catalogue_lists_each_type_with_its_default_minutes(client, session, carol):
    types = client.get("/api/v1/activity-types", headers=bearer(session, carol)).json()
    assert types[:3] == [
        {"key": "meeting", "name": "Meeting", "default_minutes": 60, "active": True},
        {"key": "call", "name": "Call", "default_minutes": 30, "active": True},
        {"key": "check_in", "name": "Check-in", "default_minutes": 30, "active": True},
    ]
    assert {t["key"]: t["default_minutes"] for t in types}["business_review"] == 120


def test_bob_logs_a_call_that_served_a_goal(client, session, acme, bob, bob_writes):
    goal = make_goal(session, make_plan(session, acme))
    wile = make_contact(session, acme, "wile@acme.example", "Wile E.")
    created = client.post(
        "/api/v1/activities",
        json={
            "account_id": acme.id,
            "type": "call",
            "occurred_at": "2026-02-19T16:30:00+02:00",
            "subject": " Registrations review ",
            "contact_ids": [wile.id],
            "goal_ids": [goal.id],
        },
        headers=bob_writes,
    )
    assert created.status_code == 201, created.text
    activity = created.json()
    assert activity == {
        "id": activity["id"],
        "external_id": None,
        "account_id": acme.id,
        "type": "call",
        "type_name": "Call",
        "occurred_at": "2026-02-19T14:30:00Z",
        "minutes": 30,  # the call's default
        "subject": "Registrations review",
        "notes": "",
        "logged_by": "bob@example.com (key test)",
        "user_ids": [bob.id],  # the person behind the key took part
        "contact_ids": [wile.id],
        "goal_ids": [goal.id],
        "created_at": "2026-02-20T09:00:00Z",
        "updated_at": "2026-02-20T09:00:00Z",
    }
    assert client.get(f"/api/v1/activities/{activity['id']}", headers=bob_writes).json() == activity


def test_posting_an_activity_again_with_its_external_id_updates_it(
    client, session, acme, bob_writes
):
    body = {
        "account_id": acme.id,
        "type": "meeting",
        "occurred_at": "2026-02-10T10:00:00Z",
        "external_id": "crm-call-17",
    }
    first = client.post("/api/v1/activities", json=body, headers=bob_writes)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/activities", json=body | {"minutes": 45}, headers=bob_writes)
    assert again.status_code == 200, again.text
    assert (again.json()["id"], again.json()["minutes"]) == (first.json()["id"], 45)
    same = client.post("/api/v1/activities", json=body | {"minutes": 45}, headers=bob_writes)
    assert same.status_code == 200 and same.json() == again.json()
    listed = client.get(
        "/api/v1/activities", params={"account_id": acme.id}, headers=bob_writes
    ).json()
    assert listed["total"] == 1


def test_an_external_id_of_another_accounts_activity_is_refused(
    client, session, acme, globex, alice
):
    headers = bearer(session, alice, Scope.WRITE)
    log_touch(session, globex, "call", datetime(2026, 2, 1, tzinfo=UTC), external_id="crm-1")
    response = client.post(
        "/api/v1/activities",
        json={
            "account_id": acme.id,
            "type": "call",
            "occurred_at": "2026-02-01T00:00:00Z",
            "external_id": "crm-1",
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        f"activity 'crm-1' belongs to account {globex.id}"
    )


@pytest.fixture
def four_touches(session, acme, globex, bob):
    """Acme: a call on Feb 1 (serving a goal), an email Feb 10, a meeting Feb 19 23:30 UTC;
    Globex: a call on Feb 5."""
    goal = make_goal(session, make_plan(session, acme))
    call = log_touch(session, acme, "call", datetime(2026, 2, 1, 9, tzinfo=UTC), goals=[goal])
    email = log_touch(session, acme, "email", datetime(2026, 2, 10, 9, tzinfo=UTC))
    meeting = log_touch(session, acme, "meeting", datetime(2026, 2, 19, 23, 30, tzinfo=UTC))
    other = log_touch(session, globex, "call", datetime(2026, 2, 5, 9, tzinfo=UTC))
    return {"call": call, "email": email, "meeting": meeting, "other": other, "goal": goal}


def test_the_activity_list_filters_by_account_goal_type_and_days(
    client, session, four_touches, acme, carol
):
    headers = bearer(session, carol)

    def ids(**params: object) -> list[int]:
        page = client.get("/api/v1/activities", params=params, headers=headers).json()
        assert page["total"] == len(page["items"])
        return [a["id"] for a in page["items"]]

    call, email, meeting, other = (
        four_touches[k].id for k in ("call", "email", "meeting", "other")
    )
    assert ids() == [meeting, email, other, call]  # newest first
    assert ids(account_id=acme.id) == [meeting, email, call]
    assert ids(goal_id=four_touches["goal"].id) == [call]
    assert ids(type="call") == [other, call]
    # Days are whole UTC days: the meeting at 23:30 on the 19th is in "to 2026-02-19".
    assert ids(**{"from": "2026-02-05", "to": "2026-02-19"}) == [meeting, email, other]
    assert ids(**{"from": "2026-02-10", "to": "2026-02-10"}) == [email]
    assert ids(type="no-such-type") == []


def test_the_activity_list_filters_by_team_member(client, session, acme, bob, erin, bob_writes):
    bobs = client.post(
        "/api/v1/activities",
        json={"account_id": acme.id, "type": "call", "occurred_at": "2026-02-01T09:00:00Z"},
        headers=bob_writes,
    ).json()
    both = client.post(
        "/api/v1/activities",
        json={
            "account_id": acme.id,
            "type": "meeting",
            "occurred_at": "2026-02-02T09:00:00Z",
            "user_ids": [bob.id, erin.id],
        },
        headers=bob_writes,
    ).json()

    def ids(user_id: int) -> list[int]:
        page = client.get("/api/v1/activities", params={"user_id": user_id}, headers=bob_writes)
        return [a["id"] for a in page.json()["items"]]

    assert ids(bob.id) == [both["id"], bobs["id"]]
    assert ids(erin.id) == [both["id"]]


def test_the_activity_list_pages(client, session, acme, bob_writes):
    for day in (1, 2, 3):
        log_touch(session, acme, "email", datetime(2026, 2, day, tzinfo=UTC), subject=f"#{day}")
    page = client.get(
        "/api/v1/activities", params={"per_page": 2, "page": 2}, headers=bob_writes
    ).json()
    assert (page["total"], [a["subject"] for a in page["items"]]) == (3, ["#1"])


def test_bob_changes_then_deletes_his_activity(client, session, acme, bob_writes):
    goal = make_goal(session, make_plan(session, acme))
    activity = log_touch(session, acme, "call", datetime(2026, 2, 1, 9, tzinfo=UTC), goals=[goal])
    url = f"/api/v1/activities/{activity.id}"
    changed = client.patch(
        url, json={"type": "meeting", "minutes": 50, "goal_ids": []}, headers=bob_writes
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["type"], changed.json()["minutes"], changed.json()["goal_ids"]) == (
        "meeting",
        50,
        [],
    )
    assert client.patch(url, json={"minutes": None}, headers=bob_writes).status_code == 422
    deleted = client.delete(url, headers=bob_writes)
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.get(url, headers=bob_writes).status_code == 404
    assert client.delete(url, headers=bob_writes).status_code == 404


def test_bob_cannot_log_change_or_delete_activities_of_erins_account(
    client, session, globex, bob_writes
):
    activity = log_touch(session, globex, "call", datetime(2026, 2, 1, 9, tzinfo=UTC))
    url = f"/api/v1/activities/{activity.id}"
    assert client.get(url, headers=bob_writes).status_code == 200
    logged = client.post(
        "/api/v1/activities",
        json={"account_id": globex.id, "type": "call", "occurred_at": "2026-02-01T09:00:00Z"},
        headers=bob_writes,
    )
    assert logged.status_code == 403
    assert logged.json() == {"detail": "you may edit only the activities of accounts you own"}
    assert client.patch(url, json={"minutes": 5}, headers=bob_writes).status_code == 403
    assert client.delete(url, headers=bob_writes).status_code == 403


def test_carol_the_viewer_reads_activities_but_cannot_log_them(client, session, acme, carol):
    log_touch(session, acme, "call", datetime(2026, 2, 1, 9, tzinfo=UTC))
    headers = bearer(session, carol, Scope.READ, Scope.WRITE)
    assert client.get("/api/v1/activities", headers=headers).json()["total"] == 1
    assert client.get(f"/api/v1/accounts/{acme.id}/coverage", headers=headers).status_code == 200
    response = client.post(
        "/api/v1/activities",
        json={"account_id": acme.id, "type": "call", "occurred_at": "2026-02-01T09:00:00Z"},
        headers=headers,
    )
    assert response.status_code == 403


def test_a_read_only_key_cannot_delete(client, session, acme, alice):
    activity = log_touch(session, acme, "call", datetime(2026, 2, 1, 9, tzinfo=UTC))
    response = client.delete(
        f"/api/v1/activities/{activity.id}", headers=bearer(session, alice, Scope.READ)
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "this API key lacks the 'write' scope"}


def test_unknown_types_foreign_goals_and_unzoned_or_unix_times_are_refused(
    client, session, acme, globex, bob_writes
):
    foreign_goal = make_goal(session, make_plan(session, globex))
    base = {"account_id": acme.id, "type": "call", "occurred_at": "2026-02-01T09:00:00Z"}
    unknown = client.post("/api/v1/activities", json=base | {"type": "lunch"}, headers=bob_writes)
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["msg"].startswith(
        "there is no activity type 'lunch'; expected one of meeting, call, check_in"
    )
    foreign = client.post(
        "/api/v1/activities", json=base | {"goal_ids": [foreign_goal.id]}, headers=bob_writes
    )
    assert foreign.json()["detail"][0]["msg"] == (
        f"not goals of account {acme.id}: {foreign_goal.id}"
    )
    for changes in (
        {"occurred_at": "2026-02-01T09:00:00"},
        {"occurred_at": 1769936400},
        {"occurred_at": "1769936400"},
        {"occurred_at": "0001-01-01T00:00:00+05:00"},
        {"minutes": -1},
        {"minutes": "30"},
        {"external_id": ""},
    ):
        response = client.post("/api/v1/activities", json=base | changes, headers=bob_writes)
        assert response.status_code == 422, changes
    unix = client.post(
        "/api/v1/activities", json=base | {"occurred_at": 1769936400}, headers=bob_writes
    )
    assert unix.json()["detail"][0]["msg"] == (
        "Value error, expected an ISO date-time with a time zone, e.g. 2026-03-01T10:00:00Z"
    )
    assert client.get("/api/v1/activities", headers=bob_writes).json()["total"] == 0
    assert (
        client.get("/api/v1/activities", params={"from": "Feb 1"}, headers=bob_writes).status_code
        == 422
    )


def test_what_does_not_exist_is_not_found(client, session, alice):
    headers = bearer(session, alice, Scope.READ, Scope.WRITE)
    for method, path, body in (
        ("GET", "/api/v1/activities/999999", None),
        ("PATCH", "/api/v1/activities/999999", {"minutes": 5}),
        ("DELETE", "/api/v1/activities/999999", None),
        ("GET", "/api/v1/accounts/999999/coverage", None),
        (
            "POST",
            "/api/v1/activities",
            {"account_id": 999999, "type": "call", "occurred_at": "2026-02-01T09:00:00Z"},
        ),
    ):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 404, (method, path, response.text)


# --- coverage ------------------------------------------------------------------------------


def test_coverage_shows_each_required_touch_and_what_is_overdue(client, session, bob, carol):
    # High-touch in adoption: a business review every 90 days and a check-in every 30 (the
    # segment's cadences); the onboarding-only requirement does not apply.
    initech = make_account(
        session, "initech", "Initech", owner=bob, segment="high-touch", stage="adoption"
    )
    subscribe(session, initech, "i-1", "5000", date(2025, 10, 1))
    # A business review counts for both: next review due Apr 10, next check-in due Feb 9.
    log_touch(session, initech, "business_review", datetime(2026, 1, 10, 15, tzinfo=UTC))
    coverage = client.get(
        f"/api/v1/accounts/{initech.id}/coverage", headers=bearer(session, carol)
    ).json()
    assert coverage == {
        "account_id": initech.id,
        "account_name": "Initech",
        "owner_id": bob.id,
        "segment": "high-touch",
        "as_of": "2026-02-20",
        "covered": False,
        "gaps": 1,
        "overdue_days": 11,
        "lines": [
            {
                "name": "Business review",
                "every_days": 90,
                "last_touch": "2026-01-10",
                "due_on": "2026-04-10",
                "overdue_days": 0,
                "met": True,
            },
            {
                "name": "Check-in",
                "every_days": 30,
                "last_touch": "2026-01-10",
                "due_on": "2026-02-09",
                "overdue_days": 11,
                "met": False,
            },
        ],
    }


def test_a_check_in_closes_the_gap_and_a_tailored_cadence_applies(client, session, bob, bob_writes):
    initech = make_account(
        session, "initech", "Initech", owner=bob, segment="high-touch", stage="adoption"
    )
    subscribe(session, initech, "i-1", "5000", date(2025, 10, 1))
    log_touch(session, initech, "business_review", datetime(2026, 1, 10, 15, tzinfo=UTC))
    client.post(
        "/api/v1/activities",
        json={"account_id": initech.id, "type": "check_in", "occurred_at": "2026-02-18T10:00:00Z"},
        headers=bob_writes,
    )
    url = f"/api/v1/accounts/{initech.id}/coverage"
    covered = client.get(url, headers=bob_writes).json()
    assert (covered["covered"], covered["gaps"], covered["overdue_days"]) == (True, 0, 0)
    # Reviews every 30 days instead of 90: the January review is 11 days overdue again.
    client.patch(
        f"/api/v1/accounts/{initech.id}/desired-outcome",
        json={"review_cadence_days": 30},
        headers=bob_writes,
    )
    tailored = client.get(url, headers=bob_writes).json()
    assert [(line["name"], line["due_on"], line["overdue_days"]) for line in tailored["lines"]] == [
        ("Business review", "2026-02-09", 11),
        ("Check-in", "2026-03-20", 0),
    ]


def test_an_account_without_a_segment_has_no_required_touches(client, session, acme, bob_writes):
    loose = make_account(session, "loose", "Loose")
    coverage = client.get(f"/api/v1/accounts/{loose.id}/coverage", headers=bob_writes).json()
    assert (coverage["segment"], coverage["lines"], coverage["covered"]) == (None, [], True)
