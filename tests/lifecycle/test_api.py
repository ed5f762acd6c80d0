"""/api/v1/lifecycle/… and /api/v1/accounts/{id}/ttfv: the contract scripts rely on."""

from __future__ import annotations

import pytest

from headway.users.models import Scope
from tests.helpers import bearer

MID_TOUCH = {
    "key": "mid-touch",
    "name": "Mid-touch",
    "count": 7,
    "reached": 5,
    "waiting": 1,
    "churned_before_value": 1,
    "median": 6.0,
    "p75": 8.0,
    "p90": 15.2,
    "longest_wait": 20,
}


@pytest.fixture
def reader(session, carol):
    return bearer(session, carol, Scope.READ)


@pytest.fixture
def manager(session, dave):
    return bearer(session, dave, Scope.READ, Scope.WRITE)


def test_ttfv_by_segment_answers_hand_computed_figures_with_their_definitions(client, book, reader):
    response = client.get("/api/v1/lifecycle/ttfv", headers=reader)
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["by"], data["as_of"], data["unit"]) == ("segment", "2026-03-02", "days")
    assert [g["key"] for g in data["groups"]] == ["high-touch", "mid-touch", "tech-touch"]
    assert data["groups"][1] == MID_TOUCH
    assert (data["total"]["count"], data["total"]["median"]) == (9, 7.0)
    assert set(data["definitions"]) >= {"median", "p75", "p90", "waiting"}


def test_ttfv_by_quarterly_cohort_and_as_of_an_earlier_day(client, book, reader):
    quarterly = client.get(
        "/api/v1/lifecycle/ttfv", params={"by": "cohort", "grain": "quarter"}, headers=reader
    ).json()
    assert [(g["key"], g["count"], g["p90"]) for g in quarterly["groups"]] == [("2026-Q1", 9, 25.0)]
    january = client.get(
        "/api/v1/lifecycle/ttfv", params={"by": "cohort", "as_of": "2026-01-31"}, headers=reader
    ).json()
    assert [(g["key"], g["reached"], g["median"]) for g in january["groups"]] == [
        ("2026-01", 4, 5.0)
    ]


def test_an_unknown_grouping_is_refused(client, reader):
    response = client.get("/api/v1/lifecycle/ttfv", params={"by": "csm"}, headers=reader)
    assert response.status_code == 422


def test_an_accounts_ttfv_tells_its_rule_and_days(client, book, reader):
    response = client.get(f"/api/v1/accounts/{book['h2'].id}/ttfv", headers=reader)
    assert response.json() == {
        "account_id": book["h2"].id,
        "start_kind": "first_subscription",
        "value_event": "milestone",
        "start": "2026-01-15",
        "value": None,
        "days": 46,
        "reached": False,
        "waiting": True,
    }
    reached = client.get(f"/api/v1/accounts/{book['m3'].id}/ttfv", headers=reader).json()
    assert (reached["value_event"], reached["value"], reached["days"]) == (
        "usage:Report Created",
        "2026-01-16",
        6,
    )
    assert client.get("/api/v1/accounts/999999/ttfv", headers=reader).status_code == 404


def test_the_accounts_waiting_longest_come_first(client, book, reader):
    data = client.get("/api/v1/lifecycle/ttfv/waiting", headers=reader).json()
    assert data["total"] == 2
    assert [(w["name"], w["days"], w["owner"]) for w in data["items"]] == [
        ("H2", 46, "Bob Brown"),
        ("M6", 20, "Bob Brown"),
    ]


def test_a_manager_sets_a_segments_ttfv_rule_and_removes_it(client, manager):
    rule = {"segment_key": "tech-touch", "start": "account_created", "value_event": "usage:Invite"}
    response = client.put("/api/v1/lifecycle/ttfv-rules", json=rule, headers=manager)
    assert response.status_code == 200, response.text
    assert response.json()["segment_name"] == "Tech-touch"
    rules = client.get("/api/v1/lifecycle/ttfv-rules", headers=manager).json()
    assert [(r["segment_key"], r["value_event"]) for r in rules] == [
        (None, "usage:Report Created"),
        ("high-touch", "milestone"),
        ("tech-touch", "usage:Invite"),
    ]
    removed = client.delete("/api/v1/lifecycle/ttfv-rules/tech-touch", headers=manager)
    assert removed.status_code == 204
    again = client.delete("/api/v1/lifecycle/ttfv-rules/tech-touch", headers=manager)
    assert again.status_code == 404


def test_the_default_ttfv_rule_is_set_without_a_segment(client, manager):
    rule = {"start": "handoff", "value_event": "milestone"}
    response = client.put("/api/v1/lifecycle/ttfv-rules", json=rule, headers=manager)
    assert (response.json()["segment_key"], response.json()["start"]) == (None, "handoff")


def test_a_ttfv_rule_that_cannot_be_measured_is_refused_naming_the_forms(client, manager):
    rule = {"start": "first_subscription", "value_event": "Report Created"}
    response = client.put("/api/v1/lifecycle/ttfv-rules", json=rule, headers=manager)
    assert response.status_code == 422
    assert 'expected "usage:<event name>" or "milestone"' in response.json()["detail"][0]["msg"]


def test_csms_and_read_only_keys_cannot_change_rules(client, session, bob, reader):
    rule = {"start": "first_subscription", "value_event": "milestone"}
    csm = bearer(session, bob, Scope.READ, Scope.WRITE)
    refused = client.put("/api/v1/lifecycle/ttfv-rules", json=rule, headers=csm)
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "only admins and managers change the lifecycle rules"},
    )
    assert client.put("/api/v1/lifecycle/ttfv-rules", json=rule, headers=reader).status_code == 403
    stage_rule = {"from_stage": "loyal", "to_stage": "adoption", "condition": "unhealthy_for_days"}
    assert (
        client.post("/api/v1/lifecycle/stage-rules", json=stage_rule | {"days": 30}, headers=csm)
    ).status_code == 403


def test_stage_rules_are_listed_added_changed_and_removed(client, manager):
    listed = client.get("/api/v1/lifecycle/stage-rules", headers=manager).json()
    assert [(r["position"], r["condition"], r["days"]) for r in listed] == [
        (1, "first_value_reached", None),
        (2, "healthy_for_days", 90),
    ]
    new = {
        "from_stage": "loyal",
        "to_stage": "adoption",
        "condition": "unhealthy_for_days",
        "days": 30,
    }
    created = client.post("/api/v1/lifecycle/stage-rules", json=new, headers=manager)
    assert created.status_code == 201, created.text
    rule = created.json()
    assert (rule["position"], rule["description"]) == (3, "red every day of the last 30 days")
    changed = client.put(
        f"/api/v1/lifecycle/stage-rules/{rule['id']}",
        json=new | {"days": 45, "active": False},
        headers=manager,
    ).json()
    assert (changed["days"], changed["active"], changed["position"]) == (45, False, 3)
    fetched = client.get(f"/api/v1/lifecycle/stage-rules/{rule['id']}", headers=manager).json()
    assert fetched == changed
    gone = client.delete(f"/api/v1/lifecycle/stage-rules/{rule['id']}", headers=manager)
    assert gone.status_code == 204
    assert (
        client.get(f"/api/v1/lifecycle/stage-rules/{rule['id']}", headers=manager).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"from_stage": "adoption", "to_stage": "vip", "condition": "healthy_for_days",
          "days": 30}, "unknown lifecycle stage 'vip'"),
        ({"from_stage": "adoption", "to_stage": "loyal", "condition": "healthy_for_days"},
         "healthy_for_days needs days between 1 and 3650"),
        ({"from_stage": "adoption", "to_stage": "churned", "condition": "unhealthy_for_days",
          "days": 30}, "churned cannot be in a rule"),
    ],
)  # fmt: skip
def test_stage_rules_that_make_no_sense_are_refused_naming_why(client, manager, rule, message):
    response = client.post("/api/v1/lifecycle/stage-rules", json=rule, headers=manager)
    assert response.status_code == 422
    assert message in response.json()["detail"][0]["msg"]
