"""The surveys API: the surveys, answers sent once by a survey tool, lists, opt-outs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from headway.core.audit import AuditEntry
from headway.surveys.models import SurveyOptOut, SurveyResponse
from headway.users.models import Scope
from tests.helpers import bearer, make_account, make_contact

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def acme(session, bob):
    account = make_account(session, "acme", "Acme", owner=bob)
    make_contact(session, account, "jane@acme.com", "Jane Roe")
    return account


@pytest.fixture
def globex(session, erin):
    return make_account(session, "globex", "Globex", owner=erin)


@pytest.fixture
def bob_writes(session, bob):
    return bearer(session, bob, Scope.READ, Scope.WRITE)


def answer(**changes):
    return {
        "survey_type": "nps",
        "account_id": "acme",
        "contact_email": "Jane@Acme.com",
        "score": 9,
        "comment": "Saves us hours",
        "responded_at": "2026-03-01T10:00:00Z",
        **changes,
    }


def post(client, headers, body):
    return client.post("/api/v1/survey-responses", json=body, headers=headers)


def test_the_surveys_are_listed_with_their_scales(client, session, carol):
    response = client.get("/api/v1/surveys", headers=bearer(session, carol))

    assert response.status_code == 200
    surveys = {s["key"]: s for s in response.json()}
    assert list(surveys) == ["nps", "csat", "csat_good_bad", "ces"]
    nps = surveys["nps"]
    assert (nps["type"], nps["scale_min"], nps["scale_max"], nps["aggregation"]) == (
        "nps",
        0,
        10,
        "nps",
    )
    assert (nps["positive_min"], nps["negative_max"], nps["direction"]) == (9, 6, "higher_better")
    assert surveys["csat_good_bad"]["labels"] == {"0": "Bad", "1": "Good"}
    assert (surveys["ces"]["scale_min"], surveys["ces"]["scale_max"]) == (1, 7)


def test_bob_records_an_answer_once_then_a_resend_answers_200(client, session, bob_writes, acme):
    created = post(client, bob_writes, answer())

    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["survey"], body["survey_type"], body["account_id"], body["score"]) == (
        "nps",
        "nps",
        acme.id,
        9,
    )
    assert (body["contact_email"], body["source"]) == ("jane@acme.com", "api")
    assert body["contact_id"] is not None
    again = post(client, bob_writes, answer())
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert len(session.scalars(select(SurveyResponse)).all()) == 1
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "survey_response")
    ).all()
    assert actions == ["survey_response.create"]


def test_a_corrected_answer_under_its_id_replaces_the_stored_one(client, session, bob_writes, acme):
    first = post(client, bob_writes, answer(external_id="typeform:81", score=6))
    corrected = post(client, bob_writes, answer(external_id="typeform:81", score=8))

    assert (first.status_code, corrected.status_code) == (201, 200)
    assert (corrected.json()["id"], corrected.json()["score"]) == (first.json()["id"], 8)
    update = session.scalar(select(AuditEntry).where(AuditEntry.action == "survey_response.update"))
    assert (update.before, update.after) == ({"score": 6}, {"score": 8})


@pytest.mark.parametrize(
    ("score", "survey", "stored"),
    [("good", "csat_good_bad", 1), ("Bad", "csat_good_bad", 0), (4, "csat", 4), ("5", "csat", 5)],
)
def test_a_csat_answer_goes_to_the_survey_its_score_belongs_to(
    client, session, bob_writes, acme, score, survey, stored
):
    response = post(client, bob_writes, answer(survey_type="csat", score=score))

    assert response.status_code == 201, response.text
    assert (response.json()["survey"], response.json()["score"]) == (survey, stored)


def test_an_answer_names_its_survey_by_key_too(client, session, bob_writes, acme):
    body = answer(survey="ces", score=6)
    del body["survey_type"]

    response = post(client, bob_writes, body)

    assert response.status_code == 201, response.text
    assert (response.json()["survey"], response.json()["score"]) == ("ces", 6)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"score": 11}, "nps: score 11 is outside the scale 0–10"),
        ({"score": "great"}, "expected a whole number 0–10"),
        ({"survey_type": "csat", "score": 6}, "csat: score 6 is outside the scale 1–5"),
        ({"account_id": "initech"}, "no account with the external id 'initech'"),
        ({"survey": "pulse", "survey_type": None}, "there is no survey 'pulse'"),
        ({"survey": "nps"}, "either survey"),
        ({"responded_at": "2026-03-02T09:00:01Z"}, "in the future"),
        ({"responded_at": "2026-03-01T10:00:00"}, "timezone"),
        ({"contact_email": "jane"}, "not an email address"),
        ({"score": True}, "score"),
        ({"external_id": "invitation:1"}, "kept for answers through emailed links"),
    ],
)
def test_a_bad_answer_is_refused_saying_what_was_expected(
    client, session, bob_writes, acme, changes, message
):
    response = post(client, bob_writes, answer(**changes))

    assert response.status_code == 422
    assert message in response.text
    assert session.scalars(select(SurveyResponse)).all() == []


def test_erin_cannot_record_answers_of_bobs_account(client, session, erin, acme):
    response = post(client, bearer(session, erin, Scope.READ, Scope.WRITE), answer())

    assert response.status_code == 403
    assert "survey answers of accounts you own" in response.text


def test_a_read_only_key_cannot_record_answers(client, session, bob, acme):
    assert post(client, bearer(session, bob, Scope.READ), answer()).status_code == 403


def test_answers_are_listed_newest_first_with_filters(
    client, session, bob_writes, carol, acme, globex
):
    post(client, bob_writes, answer(responded_at="2026-02-10T10:00:00Z", score=3))
    post(client, bob_writes, answer(responded_at="2026-03-01T10:00:00Z", score=10))
    post(
        client, bob_writes, answer(survey_type="ces", score=6, responded_at="2026-02-20T10:00:00Z")
    )
    reader = bearer(session, carol)

    every = client.get("/api/v1/survey-responses", headers=reader).json()
    assert [(a["survey"], a["score"]) for a in every["items"]] == [
        ("nps", 10),
        ("ces", 6),
        ("nps", 3),
    ]
    assert every["total"] == 3
    nps_in_february = client.get(
        "/api/v1/survey-responses",
        params={"survey": "nps", "from": "2026-02-01", "to": "2026-02-28"},
        headers=reader,
    ).json()
    assert [a["score"] for a in nps_in_february["items"]] == [3]
    by_type = client.get(
        "/api/v1/survey-responses", params={"survey_type": "ces"}, headers=reader
    ).json()
    assert [a["score"] for a in by_type["items"]] == [6]
    paged = client.get(
        "/api/v1/survey-responses", params={"per_page": 2, "page": 2}, headers=reader
    ).json()
    assert ([a["score"] for a in paged["items"]], paged["total"]) == ([3], 3)
    of_globex = client.get(f"/api/v1/accounts/{globex.id}/survey-responses", headers=reader)
    assert of_globex.json()["total"] == 0
    of_acme = client.get(
        f"/api/v1/survey-responses?account_id={acme.id}&to=2026-02-28", headers=reader
    )
    assert [a["score"] for a in of_acme.json()["items"]] == [6, 3]


def test_listing_an_unknown_survey_or_account_is_refused(client, session, carol):
    reader = bearer(session, carol)

    unknown_survey = client.get("/api/v1/survey-responses?survey=pulse", headers=reader)
    assert unknown_survey.status_code == 422
    assert client.get("/api/v1/accounts/999/survey-responses", headers=reader).status_code == 404


def test_an_opt_out_is_recorded_once(client, session, bob_writes):
    first = client.post(
        "/api/v1/survey-opt-outs", json={"email": " Jane@Acme.com"}, headers=bob_writes
    )
    again = client.post(
        "/api/v1/survey-opt-outs", json={"email": "jane@acme.com"}, headers=bob_writes
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert (first.json()["email"], first.json()["source"]) == ("jane@acme.com", "api")
    assert session.scalars(select(SurveyOptOut.email)).all() == ["jane@acme.com"]
    audited = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "survey_opt_out")
    ).all()
    assert audited == ["survey_opt_out.create"]


def test_carol_the_viewer_cannot_opt_anyone_out(client, session, carol):
    response = client.post(
        "/api/v1/survey-opt-outs",
        json={"email": "jane@acme.com"},
        headers=bearer(session, carol, Scope.READ, Scope.WRITE),
    )

    assert response.status_code == 403
    assert session.scalars(select(SurveyOptOut)).all() == []


def test_an_opt_out_needs_an_email_address(client, session, bob_writes):
    response = client.post("/api/v1/survey-opt-outs", json={"email": "jane"}, headers=bob_writes)

    assert response.status_code == 422
    assert "not an email address" in response.text
