"""/lifecycle: TTFV by segment and cohort, accounts waiting, rules edited by admins and managers."""

from __future__ import annotations

import json
import re

from headway.lifecycle.configuration import list_stage_rules, list_ttfv_rules
from tests.helpers import csrf_token, login


def charts(html: str) -> list[dict]:
    return [json.loads(s.replace("&#39;", "'")) for s in re.findall(r"data-chart='([^']+)'", html)]


def test_the_page_shows_ttfv_by_segment_and_cohort_and_who_is_waiting(client, book, carol):
    login(client, carol)
    response = client.get("/lifecycle")
    assert response.status_code == 200
    html = response.text
    assert 'href="/lifecycle" aria-current="page"' in html
    assert "7 days" in html  # the median of all: 2, 4, 6, 8, 20, 30
    by_segment, by_cohort = charts(html)
    assert (by_segment["type"], by_segment["labels"]) == ("bar", ["High-touch", "Mid-touch"])
    assert by_segment["datasets"][2] == {"label": "90th percentile", "data": [30, 15.2]}
    assert (by_cohort["type"], by_cohort["labels"]) == ("line", ["2026-01", "2026-02"])
    waiting = html[html.index('id="waiting"') :]
    assert waiting.index(">H2<") < waiting.index(">M6<")
    assert "Admins and managers change these rules." in html
    assert 'action="/lifecycle/stage-rules"' not in html


def test_quarterly_cohorts_and_a_bad_day_are_said_on_the_page(client, book, carol):
    login(client, carol)
    quarterly = client.get("/lifecycle", params={"grain": "quarter"})
    assert charts(quarterly.text)[1]["labels"] == ["2026-Q1"]
    refused = client.get("/lifecycle", params={"as_of": "March"})
    assert refused.status_code == 422
    assert "as of: expected a date YYYY-MM-DD" in refused.text


def test_a_manager_adds_a_stage_rule_and_gives_a_segment_its_own_ttfv_rule(client, session, dave):
    login(client, dave)
    token = csrf_token(client, "/lifecycle")
    added = client.post(
        "/lifecycle/stage-rules",
        data={
            "csrf_token": token,
            "from_stage": "loyal",
            "to_stage": "adoption",
            "condition": "unhealthy_for_days",
            "days": "30",
        },
        follow_redirects=False,
    )
    assert (added.status_code, added.headers["location"]) == (
        303,
        "/lifecycle?saved=stage#stage-rules",
    )
    assert [r.days for r in list_stage_rules(session=session)] == [None, 90, 30]
    own = client.post(
        "/lifecycle/ttfv-rules",
        data={
            "csrf_token": token,
            "segment": "tech-touch",
            "start": "account_created",
            "value_event": "usage:Invite Sent",
        },
    )
    assert "Time to first value rule saved" in own.text
    assert [r.segment_key for r in list_ttfv_rules(session=session)][-1] == "tech-touch"


def test_a_rule_that_makes_no_sense_is_refused_on_the_page_with_the_reason(client, dave):
    login(client, dave)
    response = client.post(
        "/lifecycle/stage-rules",
        data={
            "csrf_token": csrf_token(client, "/lifecycle"),
            "from_stage": "adoption",
            "to_stage": "loyal",
            "condition": "healthy_for_days",
            "days": "",
        },
    )
    assert response.status_code == 422
    assert "healthy_for_days needs days between 1 and 3650" in response.text


def test_a_manager_turns_a_stage_rule_off_and_deletes_it(client, session, dave):
    login(client, dave)
    token = csrf_token(client, "/lifecycle")
    loyal = list_stage_rules(session=session)[1]
    client.post(
        f"/lifecycle/stage-rules/{loyal.id}",
        data={
            "csrf_token": token,
            "from_stage": "adoption",
            "to_stage": "loyal",
            "condition": "healthy_for_days",
            "days": "60",
            "position": "2",
        },
    )
    session.expire_all()
    changed = list_stage_rules(session=session)[1]
    assert (changed.days, changed.active) == (60, False)
    client.post(f"/lifecycle/stage-rules/{loyal.id}/delete", data={"csrf_token": token})
    assert len(list_stage_rules(session=session)) == 1


def test_a_csm_cannot_change_rules_from_the_page(client, bob):
    login(client, bob)
    response = client.post(
        "/lifecycle/ttfv-rules",
        data={
            "csrf_token": csrf_token(client, "/lifecycle"),
            "start": "first_subscription",
            "value_event": "milestone",
        },
    )
    assert response.status_code == 403
