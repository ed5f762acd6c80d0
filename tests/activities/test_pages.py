"""The account 360's output cards: quick activity entry, activities per goal, required touches."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
import time_machine
from fastapi.testclient import TestClient

from headway.activities.service import links_of, list_activities
from headway.revenue.schemas import Interval
from tests.helpers import (
    csrf_token,
    log_touch,
    login,
    make_account,
    make_contact,
    make_goal,
    make_plan,
    subscribe,
)

FROZEN = datetime(2026, 2, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_known_day():
    """Every test here runs on 10 February 2026, logins and set-up included."""
    with time_machine.travel(FROZEN, tick=False):
        yield


def htmx_headers(client: TestClient, page: str) -> dict[str, str]:
    """What htmx sends on a write from a page: its marker and the session's CSRF token."""
    return {"HX-Request": "true", "X-CSRF-Token": csrf_token(client, page)}


def card(html: str, card_id: str) -> str:
    """The HTML of one card of the account page."""
    match = re.search(rf'<section class="card" id="{card_id}">(.*?)</section>', html, re.S)
    assert match, f"no card {card_id}"
    return match.group(1)


def text_of(html: str) -> str:
    """The visible text of some HTML, on one line."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def book(session, bob, erin):
    """Acme Analytics: Bob's high-touch customer since 1 Nov 2025, in adoption, with a goal."""
    acme = make_account(
        session, "crm-acme", "Acme Analytics", owner=bob, segment="high-touch", stage="adoption"
    )
    subscribe(session, acme, "sub-acme", "12000", date(2025, 11, 1), interval=Interval.MONTH)
    globex = make_account(session, "crm-globex", "Globex Health", owner=erin, segment="mid-touch")
    ana = make_contact(session, acme, "ana@acme.example", "Ana Silva")
    goal = make_goal(session, make_plan(session, acme))
    return {"acme": acme, "globex": globex, "ana": ana, "goal": goal}


def test_one_pick_of_a_type_logs_it_now_with_its_usual_minutes(client, session, bob, book):
    acme = book["acme"]
    login(client, bob)
    path = f"/accounts/{acme.id}"
    outputs = card(client.get(path).text, "account-outputs")
    assert '<button type="submit" name="type" value="business_review"' in outputs
    assert "Nothing logged yet." in outputs

    response = client.post(
        f"{path}/activities", data={"type": "business_review"}, headers=htmx_headers(client, path)
    )
    assert response.status_code == 200
    assert "Logged: Business review, 120 min." in response.text
    outputs = text_of(card(response.text, "account-outputs"))
    assert "Business review 120 min · Bob Brown" in outputs
    assert "last 90 days: 1 activity, 2 h" in outputs
    activities, total = list_activities(session=session, account_id=acme.id)
    assert total == 1
    logged = activities[0]
    assert (logged.type.key, logged.minutes, logged.occurred_at) == ("business_review", 120, FROZEN)
    assert links_of(session=session, activity_ids=[logged.id])[logged.id].user_ids == [bob.id]


def test_the_details_form_logs_date_minutes_people_and_the_goal_served(
    client, session, bob, erin, book
):
    acme, ana, goal = book["acme"], book["ana"], book["goal"]
    login(client, bob)
    path = f"/accounts/{acme.id}"
    response = client.post(
        f"{path}/activities",
        data={
            "type": "training",
            "occurred_on": "2026-02-03",
            "minutes": "45",
            "subject": "Registration forms",
            "notes": "Ana's team builds their own now",
            "user_ids": [str(bob.id), str(erin.id)],
            "contact_ids": [str(ana.id)],
            "goal_ids": [str(goal.id)],
        },
        headers=htmx_headers(client, path),
    )
    assert response.status_code == 200
    assert "Logged: Training, 45 min." in response.text
    logged = list_activities(session=session, account_id=acme.id)[0][0]
    assert logged.occurred_at == datetime(2026, 2, 3, 12, tzinfo=UTC)  # midday of an earlier day
    assert (logged.minutes, logged.subject, logged.notes) == (
        45,
        "Registration forms",
        "Ana's team builds their own now",
    )
    links = links_of(session=session, activity_ids=[logged.id])[logged.id]
    assert (links.user_ids, links.contact_ids, links.goal_ids) == (
        sorted([bob.id, erin.id]),
        [ana.id],
        [goal.id],
    )
    recent = text_of(card(response.text, "account-outputs"))
    assert "Training: Registration forms 45 min" in recent
    assert "for More event registrations" in recent
    # Under the goal it served, in the success plan.
    goal_part = response.text.split(f'id="goal-{goal.id}"')[1].split("</li>")[0]
    assert "Served by 1 activity" in text_of(goal_part)
    assert "3 Feb 2026 · Training: Registration forms · 45 min" in text_of(goal_part)


def test_an_activity_cannot_be_logged_ahead_or_for_another_accounts_goal(
    client, session, bob, book
):
    acme = book["acme"]
    other_goal = make_goal(session, make_plan(session, book["globex"]))
    login(client, bob)
    path = f"/accounts/{acme.id}"
    headers = htmx_headers(client, path)
    response = client.post(
        f"{path}/activities", data={"type": "call", "occurred_on": "2026-02-11"}, headers=headers
    )
    assert response.status_code == 422
    assert "not ahead" in response.text
    response = client.post(
        f"{path}/activities",
        data={"type": "call", "goal_ids": [str(other_goal.id)]},
        headers=headers,
    )
    assert response.status_code == 422
    assert f"not goals of account {acme.id}" in response.text
    response = client.post(f"{path}/activities", data={"type": "carrier_pigeon"}, headers=headers)
    assert response.status_code == 422
    assert list_activities(session=session, account_id=acme.id)[1] == 0


def test_required_touches_show_the_last_touch_the_due_date_and_days_overdue(
    client, session, bob, book
):
    acme = book["acme"]
    # High-touch asks for a business review every 90 days and a check-in every 30. Acme has
    # paid since 1 Nov 2025: a check-in on 2 Jan makes the next due 1 Feb (9 days overdue on
    # 10 Feb); no review yet, so it is due 90 days after 1 Nov 2025: 30 Jan (11 days overdue).
    log_touch(session, acme, "check_in", datetime(2026, 1, 2, 15, tzinfo=UTC))
    login(client, bob)
    touches = card(client.get(f"/accounts/{acme.id}").text, "account-touches")
    lines = [text_of(li) for li in re.findall(r"<li[^>]*>(.*?)</li>", touches, re.S)]
    assert lines == [
        "Business review 11 days overdue every 90 days · last never · due 30 Jan 2026",
        "Check-in 9 days overdue every 30 days · last 2 Jan 2026 · due 1 Feb 2026",
    ]
    assert touches.count('class="late"') == 2
    assert "2 overdue" in touches

    # One pick of Check-in meets it again: due 30 days on.
    path = f"/accounts/{acme.id}"
    response = client.post(
        f"{path}/activities", data={"type": "check_in"}, headers=htmx_headers(client, path)
    )
    touches = card(response.text, "account-touches")
    lines = [text_of(li) for li in re.findall(r"<li[^>]*>(.*?)</li>", touches, re.S)]
    assert lines[1] == "Check-in due in 30 days every 30 days · last 10 Feb 2026 · due 12 Mar 2026"
    assert "1 overdue" in touches


def test_bob_removes_an_activity_logged_by_mistake(client, session, bob, book):
    acme = book["acme"]
    mistake = log_touch(session, acme, "escalation", FROZEN - timedelta(hours=1))
    login(client, bob)
    path = f"/accounts/{acme.id}"
    response = client.post(
        f"{path}/activities/{mistake.id}/delete", headers=htmx_headers(client, path)
    )
    assert response.status_code == 200
    assert "Escalation removed." in response.text
    assert list_activities(session=session, account_id=acme.id)[1] == 0


def test_bob_cannot_log_or_remove_activities_of_erins_account(client, session, bob, book):
    globex = book["globex"]
    theirs = log_touch(session, globex, "call", FROZEN - timedelta(days=1))
    login(client, bob)
    path = f"/accounts/{globex.id}"
    page = client.get(path).text
    assert "Log now" not in page and "Log with details" not in page
    assert "Remove" not in card(page, "account-outputs")
    headers = htmx_headers(client, path)
    response = client.post(f"{path}/activities", data={"type": "call"}, headers=headers)
    assert response.status_code == 403
    assert "you may edit only the activities of accounts you own" in response.text
    response = client.post(f"{path}/activities/{theirs.id}/delete", headers=headers)
    assert response.status_code == 403
    assert list_activities(session=session, account_id=globex.id)[1] == 1


def test_carol_the_viewer_reads_outputs_and_touches_but_logs_nothing(client, session, carol, book):
    acme = book["acme"]
    log_touch(session, acme, "meeting", FROZEN - timedelta(days=3), subject="Kick-off")
    login(client, carol)
    path = f"/accounts/{acme.id}"
    page = client.get(path).text
    assert "Meeting: Kick-off" in card(page, "account-outputs")
    assert "Check-in" in card(page, "account-touches")
    assert "Log now" not in page and "<form" not in card(page, "account-outputs")
    response = client.post(
        f"{path}/activities", data={"type": "call"}, headers=htmx_headers(client, path)
    )
    assert response.status_code == 403
    assert list_activities(session=session, account_id=acme.id)[1] == 1


def test_an_activity_of_another_account_is_not_found_through_this_one(client, session, dave, book):
    theirs = log_touch(session, book["globex"], "call", FROZEN - timedelta(days=1))
    login(client, dave)
    path = f"/accounts/{book['acme'].id}"
    response = client.post(
        f"{path}/activities/{theirs.id}/delete", headers=htmx_headers(client, path)
    )
    assert response.status_code == 404
    assert list_activities(session=session, account_id=book["globex"].id)[1] == 1
