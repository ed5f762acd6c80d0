"""The outcomes API: desired outcomes, hand-offs, success plans, milestones, goals, evidence.

Today is frozen at 2026-02-20, day 50 of make_goal's default terms (2026-01-01 → 2026-04-11,
100 → 200), so the straight line to the target stands at 50 % and 150.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from headway.users.models import Scope
from tests.helpers import bearer, make_account, make_contact, make_goal, make_plan, measure

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


def goal_body(plan_id: int, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "plan_id": plan_id,
        "name": "More event registrations",
        "kpi": "Event registrations per month",
        "unit": "registrations",
        "direction": "increase",
        "baseline": 100,
        "baseline_date": "2026-01-01",
        "target": 200,
        "due_date": "2026-04-11",
    }
    return body | changes


# --- desired outcome and outcome statements ------------------------------------------------


def test_the_desired_outcome_shows_the_segment_defaults_until_bob_tailors_it(
    client, acme, bob_writes
):
    url = f"/api/v1/accounts/{acme.id}/desired-outcome"
    defaults = client.get(url, headers=bob_writes).json()
    assert defaults["tailored"] is False
    assert defaults["template"] == "mid-touch"
    assert defaults["required_outcome"] == "Grow event registrations with less manual work."
    assert (defaults["meeting_cadence_days"], defaults["review_cadence_days"]) == (90, 180)
    assert defaults["expected"] == [] and defaults["desired"] == []

    tailored = client.patch(
        url,
        json={"review_cadence_days": 60, "stakeholders": "Wile E. (champion), Road R. (CFO)"},
        headers=bob_writes,
    )
    assert tailored.status_code == 200, tailored.text
    assert tailored.json()["tailored"] is True
    again = client.get(url, headers=bob_writes).json()
    assert (again["meeting_cadence_days"], again["review_cadence_days"]) == (90, 60)
    assert again["stakeholders"] == "Wile E. (champion), Road R. (CFO)"
    assert again["required_outcome"] == "Grow event registrations with less manual work."


def test_a_required_outcome_cannot_be_emptied_or_nulled(client, acme, bob_writes):
    url = f"/api/v1/accounts/{acme.id}/desired-outcome"
    for body in ({"required_outcome": ""}, {"required_outcome": None}, {"channels": None}):
        assert client.patch(url, json=body, headers=bob_writes).status_code == 422, body


def test_bob_adds_expected_and_desired_outcomes_per_stakeholder_and_removes_one(
    client, session, acme, bob_writes
):
    champion = make_contact(session, acme, "wile@acme.example", "Wile E.")
    url = f"/api/v1/accounts/{acme.id}/outcomes"
    expected = client.post(
        url,
        json={
            "kind": "expected",
            "statement": " Registrations up 25 % ",
            "promised_by": "Sam Sales",
            "due_date": "2026-07-01",
        },
        headers=bob_writes,
    )
    assert expected.status_code == 201, expected.text
    assert expected.json() == {
        "id": expected.json()["id"],
        "kind": "expected",
        "statement": "Registrations up 25 %",
        "contact_id": None,
        "promised_by": "Sam Sales",
        "due_date": "2026-07-01",
    }
    desired = client.post(
        url,
        json={"kind": "desired", "statement": "Less manual work", "contact_id": champion.id},
        headers=bob_writes,
    ).json()
    outcome = client.get(f"/api/v1/accounts/{acme.id}/desired-outcome", headers=bob_writes).json()
    assert [s["statement"] for s in outcome["expected"]] == ["Registrations up 25 %"]
    assert [(s["statement"], s["contact_id"]) for s in outcome["desired"]] == [
        ("Less manual work", champion.id)
    ]

    removed = client.delete(f"/api/v1/outcome-statements/{desired['id']}", headers=bob_writes)
    assert removed.status_code == 204 and removed.content == b""
    outcome = client.get(f"/api/v1/accounts/{acme.id}/desired-outcome", headers=bob_writes).json()
    assert outcome["desired"] == []
    gone = client.delete(f"/api/v1/outcome-statements/{desired['id']}", headers=bob_writes)
    assert gone.status_code == 404


def test_an_outcome_cannot_name_a_contact_of_another_account(
    client, session, acme, globex, bob_writes
):
    stranger = make_contact(session, globex, "someone@globex.example")
    response = client.post(
        f"/api/v1/accounts/{acme.id}/outcomes",
        json={"kind": "desired", "statement": "x", "contact_id": stranger.id},
        headers=bob_writes,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        f"contact {stranger.id} is not a contact of account {acme.id}"
    )


# --- hand-off ------------------------------------------------------------------------------


def test_the_handoff_is_missing_until_recorded_and_then_starts_the_success_plan(
    client, acme, bob_writes
):
    url = f"/api/v1/accounts/{acme.id}/handoff"
    missing = client.get(url, headers=bob_writes)
    assert missing.status_code == 404
    assert missing.json() == {
        "detail": f"no hand-off from sales was recorded for account {acme.id}"
    }

    recorded = client.post(
        url,
        json={
            "promised": "Registrations up 25 % by summer",
            "promised_by": "Sam Sales",
            "due_date": "2026-07-01",
            "stakeholders": "Wile E. (champion)",
        },
        headers=bob_writes,
    )
    assert recorded.status_code == 201, recorded.text
    handoff = recorded.json()
    assert handoff["recorded_by"] == "bob@example.com (key test)"
    assert client.get(url, headers=bob_writes).json() == handoff

    outcome = client.get(f"/api/v1/accounts/{acme.id}/desired-outcome", headers=bob_writes).json()
    assert [(s["statement"], s["promised_by"]) for s in outcome["expected"]] == [
        ("Registrations up 25 % by summer", "Sam Sales")
    ]
    assert outcome["stakeholders"] == "Wile E. (champion)"
    plans = client.get(
        "/api/v1/success-plans", params={"account_id": acme.id}, headers=bob_writes
    ).json()
    assert plans["total"] == 1
    assert plans["items"][0]["template"] == "mid-touch-onboarding"

    again = client.post(url, json={"promised": "x", "promised_by": "y"}, headers=bob_writes)
    assert again.status_code == 409


def test_the_handoff_of_an_account_that_does_not_exist_is_not_found(client, session, alice):
    headers = bearer(session, alice, Scope.READ, Scope.WRITE)
    assert client.get("/api/v1/accounts/999999/handoff", headers=headers).status_code == 404
    posted = client.post(
        "/api/v1/accounts/999999/handoff",
        json={"promised": "x", "promised_by": "y"},
        headers=headers,
    )
    assert posted.status_code == 404


# --- success plans and milestones ----------------------------------------------------------


def test_bob_starts_a_plan_from_a_template_and_works_its_milestones(client, acme, bob_writes):
    created = client.post(
        "/api/v1/success-plans",
        json={"account_id": acme.id, "template": "mid-touch-onboarding"},
        headers=bob_writes,
    )
    assert created.status_code == 201, created.text
    plan = created.json()
    assert (plan["name"], plan["template"], plan["status"]) == (
        "Mid-touch onboarding",
        "mid-touch-onboarding",
        "active",
    )
    assert plan["goals"] == []
    # Due 7 and 30 days after today, 2026-02-20.
    assert [(m["name"], m["due_date"], m["first_value"]) for m in plan["milestones"]] == [
        ("Kick-off", "2026-02-27", False),
        ("First event live", "2026-03-22", True),
    ]

    added = client.post(
        f"/api/v1/success-plans/{plan['id']}/milestones",
        json={"name": "Reporting live", "due_date": "2026-04-01"},
        headers=bob_writes,
    )
    assert added.status_code == 201, added.text
    milestone = added.json()
    assert (milestone["plan_id"], milestone["account_id"]) == (plan["id"], acme.id)
    done = client.patch(
        f"/api/v1/milestones/{milestone['id']}", json={"done_on": "2026-02-19"}, headers=bob_writes
    )
    assert done.status_code == 200 and done.json()["done_on"] == "2026-02-19"

    completed = client.patch(
        f"/api/v1/success-plans/{plan['id']}",
        json={"name": "Onboarding", "status": "completed"},
        headers=bob_writes,
    ).json()
    assert (completed["name"], completed["status"]) == ("Onboarding", "completed")
    assert [m["name"] for m in completed["milestones"]] == [
        "Kick-off",
        "First event live",
        "Reporting live",
    ]
    for status, total in (("completed", 1), ("active", 0)):
        listed = client.get(
            "/api/v1/success-plans",
            params={"account_id": acme.id, "status": status},
            headers=bob_writes,
        ).json()
        assert listed["total"] == total, status


def test_an_account_has_one_first_value_milestone(client, session, acme, bob_writes):
    plan = make_plan(session, acme, template="mid-touch-onboarding")  # brings one
    response = client.post(
        f"/api/v1/success-plans/{plan.id}/milestones",
        json={"name": "Go-live", "first_value": True},
        headers=bob_writes,
    )
    assert response.status_code == 409
    assert "'First event live' is this account's first value already" in response.json()["detail"]
    assert (
        client.post(
            f"/api/v1/success-plans/{plan.id}/milestones",
            json={"name": "Go-live", "first_value": 1},
            headers=bob_writes,
        ).status_code
        == 422
    )


def test_a_plan_shows_its_goals_with_their_standing(client, session, acme, bob_writes):
    plan = make_plan(session, acme)
    goal = make_goal(session, plan)
    measure(session, goal, 150, date(2026, 2, 20))
    shown = client.get(f"/api/v1/success-plans/{plan.id}", headers=bob_writes).json()
    assert [(g["id"], g["status"], g["progress"]) for g in shown["goals"]] == [
        (goal.id, "on_track", 0.5)
    ]


def test_an_unknown_plan_template_is_refused_by_name(client, acme, bob_writes):
    response = client.post(
        "/api/v1/success-plans",
        json={"account_id": acme.id, "template": "no-such-plan"},
        headers=bob_writes,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "there is no success plan template 'no-such-plan'"


# --- goals ---------------------------------------------------------------------------------


def test_a_goal_added_over_the_api_stands_as_of_today(client, session, acme, bob, bob_writes):
    plan = make_plan(session, acme)
    created = client.post(
        "/api/v1/goals", json=goal_body(plan.id, owner_id=bob.id), headers=bob_writes
    )
    assert created.status_code == 201, created.text
    goal = created.json()
    # No evidence yet and half the time gone: at risk, needing the whole 100 in 50 days.
    assert goal["status"] == "at_risk"
    assert (goal["current"], goal["progress"], goal["expected_progress"]) == (None, None, 0.5)
    assert goal["needed_per_week"] == pytest.approx(14.0)
    assert goal["days_left"] == 50
    assert (goal["account_id"], goal["owner_id"], goal["template"]) == (acme.id, bob.id, None)

    recorded = client.post(
        f"/api/v1/goals/{goal['id']}/evidence",
        json={"value": 150, "measured_on": "2026-02-20", "note": "from their CRM"},
        headers=bob_writes,
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["source"] == "api"
    assert recorded.json()["recorded_by"] == "bob@example.com (key test)"
    standing = client.get(f"/api/v1/goals/{goal['id']}", headers=bob_writes).json()
    assert standing["status"] == "on_track"
    assert (standing["current"], standing["measured_on"], standing["progress"]) == (
        150.0,
        "2026-02-20",
        0.5,
    )
    # 50 more in 50 days: 7 a week.
    assert standing["needed_per_week"] == pytest.approx(7.0)


def test_a_goal_from_a_template_names_it(client, session, acme, bob_writes):
    plan = make_plan(session, acme)
    goal = client.post(
        "/api/v1/goals", json=goal_body(plan.id, template="registrations"), headers=bob_writes
    ).json()
    assert goal["template"] == "registrations"


def test_a_decreasing_kpi_with_its_target_above_the_baseline_is_refused(
    client, session, acme, bob_writes
):
    plan = make_plan(session, acme)
    response = client.post(
        "/api/v1/goals",
        json=goal_body(plan.id, direction="decrease", baseline=100, target=120),
        headers=bob_writes,
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "invalid_input",
            "loc": [],
            "msg": "the target of a decreasing KPI must be below its baseline",
        }
    ]


def test_a_goal_due_before_its_baseline_and_non_finite_or_huge_values_are_refused(
    client, session, acme, bob_writes
):
    plan = make_plan(session, acme)
    early = client.post(
        "/api/v1/goals", json=goal_body(plan.id, due_date="2025-12-01"), headers=bob_writes
    )
    assert early.json()["detail"][0]["msg"] == "the due date must come after the baseline date"
    for changes in (
        {"target": 1e16},
        {"baseline": "100"},
        {"baseline_date": 1767225600},
        {"direction": "sideways"},
    ):
        response = client.post(
            "/api/v1/goals", json=goal_body(plan.id, **changes), headers=bob_writes
        )
        assert response.status_code == 422, changes
    # Python's JSON reader takes NaN, so a client can send it: it is refused, not stored.
    body = (
        f'{{"plan_id": {plan.id}, "name": "x", "kpi": "x", "direction": "increase", "baseline": '
        'NaN, "baseline_date": "2026-01-01", "target": 2, "due_date": "2026-04-11"}'
    )
    not_a_number = client.post(
        "/api/v1/goals", content=body, headers=bob_writes | {"Content-Type": "application/json"}
    )
    assert not_a_number.status_code == 422
    assert not_a_number.json()["detail"][0]["loc"] == ["body", "baseline"]


def test_changing_a_goals_target_moves_its_progress(client, session, acme, bob_writes):
    plan = make_plan(session, acme)
    goal = make_goal(session, plan)
    measure(session, goal, 150, date(2026, 2, 20))
    changed = client.patch(f"/api/v1/goals/{goal.id}", json={"target": 300}, headers=bob_writes)
    assert changed.status_code == 200, changed.text
    # 50 of the 200 from 100 to 300: a quarter, while half the time is gone.
    assert (changed.json()["progress"], changed.json()["status"]) == (0.25, "at_risk")
    assert (
        client.patch(
            f"/api/v1/goals/{goal.id}", json={"name": None}, headers=bob_writes
        ).status_code
        == 422
    )
    wrong_way = client.patch(f"/api/v1/goals/{goal.id}", json={"target": 50}, headers=bob_writes)
    assert wrong_way.json()["detail"][0]["msg"] == (
        "the target of an increasing KPI must be above its baseline"
    )


@pytest.fixture
def five_goals(session, acme, globex, bob, erin):
    """Acme (Bob's): on track, two at risk, achieved; Globex (Erin's): at risk, due last."""
    acme_plan = make_plan(session, acme)
    on_track = make_goal(session, acme_plan, name="on track", owner=bob)
    measure(session, on_track, 150, date(2026, 2, 20))
    slow = make_goal(session, acme_plan, name="slow", due_date=date(2026, 4, 20), owner=bob)
    measure(session, slow, 110, date(2026, 2, 10))
    idle = make_goal(session, acme_plan, name="idle", due_date=date(2026, 4, 1))
    achieved = make_goal(session, acme_plan, name="achieved", owner=bob)
    measure(session, achieved, 210, date(2026, 2, 15))
    globex_plan = make_plan(session, globex)
    far = make_goal(session, globex_plan, name="far", due_date=date(2026, 6, 1), owner=erin)
    measure(session, far, 100, date(2026, 2, 15))
    return {g.name: g for g in (on_track, slow, idle, achieved, far)}


def test_the_goal_list_filters_by_status_and_pages_what_matches(client, session, five_goals, bob):
    headers = bearer(session, bob)

    def names(**params: object) -> tuple[int, list[str]]:
        page = client.get("/api/v1/goals", params=params, headers=headers).json()
        return page["total"], [g["name"] for g in page["items"]]

    # By due date: idle (Apr 1), on track and achieved (Apr 11), slow (Apr 20), far (Jun 1).
    assert names() == (5, ["idle", "on track", "achieved", "slow", "far"])
    assert names(status="at_risk") == (3, ["idle", "slow", "far"])
    assert names(status="at_risk", per_page=2, page=2) == (3, ["far"])
    assert names(status="at_risk", per_page=2, page=3) == (3, [])
    assert names(status="achieved") == (1, ["achieved"])
    assert names(status="missed") == (0, [])
    assert (
        client.get("/api/v1/goals", params={"status": "late"}, headers=headers).status_code == 422
    )


def test_the_goal_list_filters_by_account_plan_owner_and_due_dates(
    client, session, five_goals, acme, erin, bob
):
    headers = bearer(session, bob)

    def names(**params: object) -> list[str]:
        page = client.get("/api/v1/goals", params=params, headers=headers).json()
        return [g["name"] for g in page["items"]]

    assert names(account_id=acme.id, status="at_risk") == ["idle", "slow"]
    assert names(plan_id=five_goals["far"].plan_id) == ["far"]
    assert names(owner_id=erin.id) == ["far"]
    assert names(due_from="2026-04-11", due_to="2026-04-20") == ["on track", "achieved", "slow"]
    assert (
        client.get("/api/v1/goals", params={"due_from": "20260411"}, headers=headers).status_code
        == 422
    )


# --- evidence ------------------------------------------------------------------------------


def test_the_same_measurement_sent_again_is_not_duplicated(client, session, acme, bob_writes):
    goal = make_goal(session, make_plan(session, acme))
    url = f"/api/v1/goals/{goal.id}/evidence"
    body = {"value": 130, "measured_on": "2026-02-01"}
    first = client.post(url, json=body, headers=bob_writes)
    again = client.post(url, json=body, headers=bob_writes)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()

    corrected = client.post(url, json=body | {"value": 135}, headers=bob_writes)
    assert corrected.status_code == 200 and corrected.json()["id"] == first.json()["id"]
    evidence = client.get(url, headers=bob_writes).json()
    assert [(e["value"], e["measured_on"], e["source"]) for e in evidence] == [
        (135.0, "2026-02-01", "api")
    ]


def test_evidence_lists_oldest_first_beside_manual_measurements(client, session, acme, bob_writes):
    goal = make_goal(session, make_plan(session, acme))
    measure(session, goal, 120, date(2026, 1, 20))
    url = f"/api/v1/goals/{goal.id}/evidence"
    client.post(url, json={"value": 140, "measured_on": "2026-02-10"}, headers=bob_writes)
    client.post(url, json={"value": 110, "measured_on": "2026-01-10"}, headers=bob_writes)
    assert [
        (e["measured_on"], e["source"]) for e in client.get(url, headers=bob_writes).json()
    ] == [
        ("2026-01-10", "api"),
        ("2026-01-20", "manual"),
        ("2026-02-10", "api"),
    ]


def test_the_measurement_that_proved_a_goal_achieved_cannot_be_changed(
    client, session, acme, bob_writes
):
    goal = make_goal(session, make_plan(session, acme))
    url = f"/api/v1/goals/{goal.id}/evidence"
    client.post(url, json={"value": 205, "measured_on": "2026-02-15"}, headers=bob_writes)
    standing = client.get(f"/api/v1/goals/{goal.id}", headers=bob_writes).json()
    assert (standing["status"], standing["achieved_on"], standing["progress"]) == (
        "achieved",
        "2026-02-15",
        1.0,
    )
    assert standing["needed_per_week"] is None
    changed = client.post(url, json={"value": 190, "measured_on": "2026-02-15"}, headers=bob_writes)
    assert changed.status_code == 409
    assert "proved the goal achieved" in changed.json()["detail"]


def test_evidence_values_must_be_finite_numbers_and_days_iso_dates(
    client, session, acme, bob_writes
):
    goal = make_goal(session, make_plan(session, acme))
    url = f"/api/v1/goals/{goal.id}/evidence"
    for body in (
        {"value": "130", "measured_on": "2026-02-01"},
        {"value": True, "measured_on": "2026-02-01"},
        {"value": 1e16, "measured_on": "2026-02-01"},
        {"value": 130, "measured_on": "1 Feb 2026"},
        {"value": 130, "measured_on": 1769904000},
    ):
        assert client.post(url, json=body, headers=bob_writes).status_code == 422, body
    assert client.get(url, headers=bob_writes).json() == []


# --- who may do what -----------------------------------------------------------------------


def test_bob_reads_erins_outcomes_but_cannot_change_them(client, session, globex, bob_writes):
    plan = make_plan(session, globex)
    goal = make_goal(session, plan)
    for path in (
        f"/api/v1/accounts/{globex.id}/desired-outcome",
        f"/api/v1/success-plans/{plan.id}",
        f"/api/v1/goals/{goal.id}",
        f"/api/v1/goals/{goal.id}/evidence",
    ):
        assert client.get(path, headers=bob_writes).status_code == 200, path
    refused = [
        client.patch(
            f"/api/v1/accounts/{globex.id}/desired-outcome",
            json={"stakeholders": "x"},
            headers=bob_writes,
        ),
        client.post(
            f"/api/v1/accounts/{globex.id}/outcomes",
            json={"kind": "desired", "statement": "x"},
            headers=bob_writes,
        ),
        client.post(
            f"/api/v1/accounts/{globex.id}/handoff",
            json={"promised": "x", "promised_by": "y"},
            headers=bob_writes,
        ),
        client.post("/api/v1/success-plans", json={"account_id": globex.id}, headers=bob_writes),
        client.patch(f"/api/v1/success-plans/{plan.id}", json={"name": "x"}, headers=bob_writes),
        client.post(
            f"/api/v1/success-plans/{plan.id}/milestones", json={"name": "x"}, headers=bob_writes
        ),
        client.post("/api/v1/goals", json=goal_body(plan.id), headers=bob_writes),
        client.patch(f"/api/v1/goals/{goal.id}", json={"target": 300}, headers=bob_writes),
        client.post(
            f"/api/v1/goals/{goal.id}/evidence",
            json={"value": 150, "measured_on": "2026-02-20"},
            headers=bob_writes,
        ),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert refused[0].json() == {"detail": "you may edit only the outcomes of accounts you own"}
    assert client.get(f"/api/v1/goals/{goal.id}/evidence", headers=bob_writes).json() == []


def test_a_csm_cannot_change_a_milestone_or_remove_an_outcome_of_anothers_account(
    client, session, globex, erin, bob_writes
):
    plan = make_plan(session, globex, template="high-touch-onboarding")
    erin_writes = bearer(session, erin, Scope.WRITE)
    statement = client.post(
        f"/api/v1/accounts/{globex.id}/outcomes",
        json={"kind": "expected", "statement": "Support cost down 20 %"},
        headers=erin_writes,
    ).json()
    milestone_id = client.get(f"/api/v1/success-plans/{plan.id}", headers=bob_writes).json()[
        "milestones"
    ][0]["id"]
    assert (
        client.patch(
            f"/api/v1/milestones/{milestone_id}", json={"done_on": "2026-02-20"}, headers=bob_writes
        ).status_code
        == 403
    )
    assert (
        client.delete(
            f"/api/v1/outcome-statements/{statement['id']}", headers=bob_writes
        ).status_code
        == 403
    )


def test_carol_the_viewer_reads_but_cannot_write_even_with_a_write_key(
    client, session, acme, carol
):
    headers = bearer(session, carol, Scope.READ, Scope.WRITE)
    plan = make_plan(session, acme)
    goal = make_goal(session, plan)
    assert client.get("/api/v1/goals", headers=headers).json()["total"] == 1
    assert (
        client.get(f"/api/v1/accounts/{acme.id}/desired-outcome", headers=headers).status_code
        == 200
    )
    assert client.post("/api/v1/goals", json=goal_body(plan.id), headers=headers).status_code == 403
    assert (
        client.post(
            f"/api/v1/goals/{goal.id}/evidence",
            json={"value": 150, "measured_on": "2026-02-20"},
            headers=headers,
        ).status_code
        == 403
    )


def test_a_read_only_key_cannot_write_and_no_key_cannot_read(client, session, acme, alice):
    plan = make_plan(session, acme)
    read_only = bearer(session, alice, Scope.READ)
    response = client.post("/api/v1/goals", json=goal_body(plan.id), headers=read_only)
    assert response.status_code == 403
    assert response.json() == {"detail": "this API key lacks the 'write' scope"}
    assert client.get("/api/v1/goals").status_code == 401
    assert client.get("/api/v1/goal-templates").status_code == 401


def test_what_does_not_exist_is_not_found(client, session, alice):
    headers = bearer(session, alice, Scope.READ, Scope.WRITE)
    for method, path, body in (
        ("GET", "/api/v1/accounts/999999/desired-outcome", None),
        ("PATCH", "/api/v1/accounts/999999/desired-outcome", {"stakeholders": "x"}),
        ("POST", "/api/v1/accounts/999999/outcomes", {"kind": "desired", "statement": "x"}),
        ("GET", "/api/v1/success-plans/999999", None),
        ("PATCH", "/api/v1/success-plans/999999", {"name": "x"}),
        ("POST", "/api/v1/success-plans", {"account_id": 999999}),
        ("POST", "/api/v1/success-plans/999999/milestones", {"name": "x"}),
        ("PATCH", "/api/v1/milestones/999999", {"name": "x"}),
        ("GET", "/api/v1/goals/999999", None),
        ("PATCH", "/api/v1/goals/999999", {"name": "x"}),
        ("POST", "/api/v1/goals", goal_body(999999)),
        ("GET", "/api/v1/goals/999999/evidence", None),
        ("POST", "/api/v1/goals/999999/evidence", {"value": 1, "measured_on": "2026-01-01"}),
    ):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 404, (method, path, response.text)


# --- templates -----------------------------------------------------------------------------


def test_goal_and_plan_templates_are_listed_as_configured(client, session, carol):
    headers = bearer(session, carol)
    goals = {t["key"]: t for t in client.get("/api/v1/goal-templates", headers=headers).json()}
    assert goals["support-cost"] == {
        "key": "support-cost",
        "name": "Support cost down 20 %",
        "kpi": "Support cost per month",
        "unit": "USD",
        "direction": "decrease",
        "source": "manual",
        "target_change": -0.2,
        "due_days": 180,
    }
    assert goals["rollout"]["source"] == "seats"
    plans = client.get("/api/v1/plan-templates", headers=headers).json()
    assert [p["key"] for p in plans][:2] == ["high-touch-onboarding", "high-touch-adoption"]
    mid = next(p for p in plans if p["key"] == "mid-touch-onboarding")
    assert mid == {
        "key": "mid-touch-onboarding",
        "name": "Mid-touch onboarding",
        "segment": "mid-touch",
        "stage": "onboarding",
        "goal_keys": ["registrations"],
        "milestones": [
            {"name": "Kick-off", "due_days": 7, "first_value": False},
            {"name": "First event live", "due_days": 30, "first_value": True},
        ],
    }
