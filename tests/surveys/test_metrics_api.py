"""GET /api/v1/metrics/surveys and /api/v1/surveys/comments: the same figures, over HTTP."""

from __future__ import annotations

import pytest
import time_machine

from headway.surveys.reports import survey_metrics
from tests.helpers import bearer
from tests.surveys.test_metrics import ISSUE_KEYS, NOVEMBER, NOW, build_voices
from tests.surveys.test_reports import build_comments


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def voices(session):
    return build_voices(session)


@pytest.fixture
def comments(session):
    return build_comments(session)


def test_the_metrics_endpoint_returns_the_reports_figures(client, session, carol, voices):
    response = client.get(
        "/api/v1/metrics/surveys",
        params={"from": "2026-11-01", "to": "2026-11"},
        headers=bearer(session, carol),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= ISSUE_KEYS
    assert (body["nps"], body["csat"], body["ces_mean"], body["response_rate"]) == (
        30.0,
        0.5714,
        5.25,
        0.75,
    )
    assert body == survey_metrics(session=session, **NOVEMBER)


def test_the_metrics_endpoint_filters_by_segment_and_account(client, session, carol, voices):
    _, globex = voices
    headers = bearer(session, carol)
    period = {"from": "2026-11-01", "to": "2026-11-30"}

    high = client.get(
        "/api/v1/metrics/surveys", params=period | {"segment": "high-touch"}, headers=headers
    )
    one = client.get(
        "/api/v1/metrics/surveys", params=period | {"account_id": globex.id}, headers=headers
    )

    assert (high.json()["nps"], high.json()["responses"]) == (40.0, 11)
    assert (one.json()["nps"], one.json()["responses"]) == (20.0, 10)


def test_the_metrics_endpoint_names_what_it_cannot_read(client, session, carol):
    headers = bearer(session, carol)

    assert client.get("/api/v1/metrics/surveys").status_code == 401
    bad_day = client.get("/api/v1/metrics/surveys", params={"from": "2026-13-01"}, headers=headers)
    reversed_ = client.get(
        "/api/v1/metrics/surveys",
        params={"from": "2026-11-30", "to": "2026-11-01"},
        headers=headers,
    )
    segment = client.get("/api/v1/metrics/surveys", params={"segment": "vip"}, headers=headers)

    assert bad_day.status_code == 422 and "2026-13-01" in bad_day.text
    assert reversed_.status_code == 422 and "after it ends" in reversed_.text
    assert segment.status_code == 422 and "unknown segment 'vip'" in segment.text


def test_with_no_answers_the_figures_are_null(client, session, carol):
    body = client.get("/api/v1/metrics/surveys", headers=bearer(session, carol)).json()

    assert {k: body[k] for k in ISSUE_KEYS} == {
        "nps": None,
        "promoters": 0,
        "passives": 0,
        "detractors": 0,
        "responses": 0,
        "response_rate": None,
        "csat": None,
        "ces_mean": None,
        "ces_agree_rate": None,
    }


def test_comments_are_paged_newest_first_with_filters(client, session, carol, comments):
    headers = bearer(session, carol)
    period = {"from": "2026-11-01", "to": "2026-11-30"}

    first = client.get("/api/v1/surveys/comments", params=period | {"per_page": 2}, headers=headers)
    negative = client.get(
        "/api/v1/surveys/comments",
        params=period | {"polarity": "negative", "type": "nps", "q": "slow"},
        headers=headers,
    )

    assert first.status_code == 200, first.text
    page = first.json()
    assert (page["total"], page["page"], page["per_page"]) == (5, 1, 2)
    assert [(c["account_name"], c["survey_key"], c["score"]) for c in page["items"]] == [
        ("Globex", "csat_good_bad", 1),
        ("Globex", "ces", 2),
    ]
    assert page["items"][1] == {
        "id": page["items"][1]["id"],
        "account_id": comments[1].id,
        "account_name": "Globex",
        "contact_email": "gina@globex.example",
        "survey_key": "ces",
        "survey_type": "ces",
        "score": 2,
        "scale_min": 1,
        "scale_max": 7,
        "polarity": "negative",
        "comment": "Slow replies",
        "responded_at": "2026-11-12T00:00:00Z",
    }
    assert [c["comment"] for c in negative.json()["items"]] == ["Too slow to load"]


def test_comments_refuse_an_unknown_type_or_polarity(client, session, carol):
    headers = bearer(session, carol)

    assert (
        client.get("/api/v1/surveys/comments", params={"type": "csi"}, headers=headers).status_code
        == 422
    )
    assert (
        client.get(
            "/api/v1/surveys/comments", params={"polarity": "angry"}, headers=headers
        ).status_code
        == 422
    )
