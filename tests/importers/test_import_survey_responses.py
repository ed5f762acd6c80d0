"""Importing survey answers: types and scales, all or nothing, each answer once however imported."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select
from typer.testing import CliRunner

from headway.cli import app
from headway.core.audit import AuditEntry
from headway.surveys.models import SurveyResponse
from headway.surveys.service import contact_by_email
from headway.users.models import Scope
from tests.helpers import bearer, login, make_account, make_contact
from tests.importers.support import counts, run_import, where, write_file

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HEADER = "survey_type,account_id,contact_email,score,comment,responded_at\n"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def acme(session):
    account = make_account(session, "acme", "Acme")
    make_contact(session, account, "jane@acme.com", "Jane Roe")
    return account


def stored(session) -> list[tuple[str, str, int, str]]:
    """Every answer as (survey, email, score, comment), in the order they were answered."""
    rows = session.scalars(select(SurveyResponse).order_by(SurveyResponse.responded_at))
    return [(r.survey.key, r.contact_email or "", r.score, r.comment) for r in rows]


def test_answers_of_each_type_go_to_their_surveys(session, tmp_path, acme):
    path = write_file(
        tmp_path,
        "answers.csv",
        HEADER
        + "nps,acme,Jane@Acme.com,9,Saves us hours,2026-02-01T10:00:00Z\n"
        + "NPS,acme,sam@acme.com,6,,2026-02-02\n"
        + "csat,acme,jane@acme.com,4,Quick answer,2026-02-03T10:00\n"
        + "csat,acme,jane@acme.com,Good,,2026-02-04T10:00\n"
        + "csat,acme,,bad,Slow,2026-02-05T10:00\n"
        + "ces,acme,jane@acme.com,7.0,,2026-02-06T10:00+01:00\n",
    )

    result = run_import(session, "survey-responses", path)

    assert (result.format, counts(result)) == ("canonical", (6, 0, 0, 0))
    assert stored(session) == [
        ("nps", "jane@acme.com", 9, "Saves us hours"),
        ("nps", "sam@acme.com", 6, ""),
        ("csat", "jane@acme.com", 4, "Quick answer"),
        ("csat_good_bad", "jane@acme.com", 1, ""),
        ("csat_good_bad", "", 0, "Slow"),
        ("ces", "jane@acme.com", 7, ""),
    ]
    jane = contact_by_email(session=session, account_id=acme.id, email="jane@acme.com")
    answers = session.scalars(select(SurveyResponse).order_by(SurveyResponse.responded_at)).all()
    assert [a.contact_id for a in answers] == [jane, None, jane, jane, None, jane]
    assert {a.source for a in answers} == {"import"}
    assert answers[1].responded_at == datetime(2026, 2, 2, tzinfo=UTC)
    assert answers[5].responded_at == datetime(2026, 2, 6, 9, tzinfo=UTC)
    audited = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "survey_response")
    ).all()
    assert audited == ["survey_response.create"] * 6


def test_a_rerun_writes_nothing_new_and_identical_rows_are_one_answer(session, tmp_path, acme):
    rows = "nps,acme,jane@acme.com,9,Great,2026-02-01T10:00\n"
    path = write_file(tmp_path, "answers.csv", HEADER + rows + rows)

    first = run_import(session, "survey-responses", path)
    again = run_import(session, "survey-responses", path)

    assert counts(first) == (1, 0, 0, 1)
    assert counts(again) == (0, 0, 1, 1)
    assert len(stored(session)) == 1


def test_a_corrected_file_updates_the_answers_it_changes(session, tmp_path, acme):
    header = HEADER.replace("\n", ",response_id\n")
    before = "nps,acme,jane@acme.com,6,Fine,2026-02-01T10:00,tf-1\nces,acme,,5,,2026-02-01,tf-2\n"
    after = (
        "nps,acme,jane@acme.com,8,Better now,2026-02-01T10:00,tf-1\nces,acme,,5,,2026-02-01,tf-2\n"
    )
    run_import(session, "survey-responses", write_file(tmp_path, "a.csv", header + before))

    result = run_import(session, "survey-responses", write_file(tmp_path, "b.csv", header + after))

    assert counts(result) == (0, 1, 1, 0)
    assert stored(session) == [("ces", "", 5, ""), ("nps", "jane@acme.com", 8, "Better now")]
    update = session.scalar(select(AuditEntry).where(AuditEntry.action == "survey_response.update"))
    assert (update.before, update.after) == (
        {"score": 6, "comment": "Fine"},
        {"score": 8, "comment": "Better now"},
    )


def test_an_answer_sent_by_api_is_not_imported_twice(client, session, tmp_path, acme, alice):
    headers = bearer(session, alice, Scope.READ, Scope.WRITE)
    sent = client.post(
        "/api/v1/survey-responses",
        json={
            "survey_type": "nps",
            "account_id": "acme",
            "contact_email": "jane@acme.com",
            "score": 9,
            "responded_at": "2026-02-01T10:00:00Z",
        },
        headers=headers,
    )
    assert sent.status_code == 201, sent.text
    path = write_file(
        tmp_path, "answers.csv", HEADER + "nps,acme,JANE@acme.com,9,,2026-02-01T10:00:00Z\n"
    )

    assert counts(run_import(session, "survey-responses", path)) == (0, 0, 1, 0)


def test_every_bad_value_is_named_by_row_and_column_and_nothing_is_imported(
    session, tmp_path, acme
):
    path = write_file(
        tmp_path,
        "answers.csv",
        HEADER
        + "nps,acme,jane@acme.com,9,,2026-02-01\n"  # row 2: good
        + "pulse,acme,jane@acme.com,9,,2026-02-01\n"
        + "nps,initech,jane@acme.com,9,,2026-02-01\n"
        + "nps,acme,jane,9,,2026-02-01\n"
        + "nps,acme,jane@acme.com,great,,2026-02-01\n"
        + "nps,acme,jane@acme.com,11,,2026-02-01\n"
        + "csat,acme,jane@acme.com,0,,2026-02-01\n"
        + "csat,acme,jane@acme.com,meh,,2026-02-01\n"
        + "ces,acme,jane@acme.com,8,,2026-02-01\n"
        + "nps,acme,jane@acme.com,9,,2026-03-03\n"
        + "nps,acme,jane@acme.com,9,,01/02/2026\n"
        + "nps,acme,jane@acme.com,,,\n",
    )

    result = run_import(session, "survey-responses", path)

    assert where(result) == [
        (3, "survey_type", "pulse"),
        (4, "account_id", "initech"),
        (5, "contact_email", "jane"),
        (6, "score", "great"),
        (7, "score", "11"),
        (8, "score", "0"),
        (9, "score", "meh"),
        (10, "score", "8"),
        (11, "responded_at", "2026-03-03"),
        (12, "responded_at", "01/02/2026"),
        (13, "score", ""),
        (13, "responded_at", ""),
    ]
    messages = [str(e) for e in result.errors]
    assert messages[4] == (
        "answers.csv, row 7, column score: '11': expected a score on the nps scale: "
        "11 is outside 0–10 for nps"
    )
    assert "expected a survey type: nps, csat, ces" in messages[0]
    assert "a whole number 0–10 for nps" in messages[3]
    assert "0 is outside 1–5 for csat, or good or bad" in messages[5]
    assert "a whole number 1–5 for csat, or good or bad" in messages[6]
    assert "8 is outside 1–7 for ces" in messages[7]
    assert "cannot come from the future" in messages[8]
    assert stored(session) == []


def test_rows_of_one_answer_that_disagree_are_refused(session, tmp_path, acme):
    path = write_file(
        tmp_path,
        "answers.csv",
        HEADER
        + "nps,acme,jane@acme.com,9,Great,2026-02-01T10:00\n"
        + "nps,acme,jane@acme.com,7,Good,2026-02-01T10:00\n",
    )

    result = run_import(session, "survey-responses", path)

    assert where(result) == [(3, "responded_at", "2026-02-01T10:00:00+00:00")]
    assert "the same values as row 2" in result.errors[0].expected
    assert "no response_id" in result.errors[0].expected


def test_a_response_id_cannot_move_an_answer_to_another_account(session, tmp_path, acme):
    make_account(session, "globex", "Globex")
    header = HEADER.replace("\n", ",response_id\n")
    run_import(
        session,
        "survey-responses",
        write_file(tmp_path, "a.csv", header + "nps,acme,,9,,2026-02-01,tf-1\n"),
    )

    result = run_import(
        session,
        "survey-responses",
        write_file(tmp_path, "b.csv", header + "nps,globex,,9,,2026-02-01,tf-1\n"),
    )

    assert where(result) == [(2, "response_id", "tf-1")]
    assert "answer of account acme to nps" in result.errors[0].expected
    assert [a.account_id for a in session.scalars(select(SurveyResponse))] == [acme.id]


def test_a_response_id_in_the_form_of_a_link_answer_is_refused(session, tmp_path, acme):
    header = HEADER.replace("\n", ",response_id\n")
    path = write_file(tmp_path, "a.csv", header + "nps,acme,,9,,2026-02-01,invitation:1\n")

    result = run_import(session, "survey-responses", path)

    assert where(result) == [(2, "response_id", "invitation:1")]
    assert "for answers through emailed links" in result.errors[0].expected
    assert session.scalars(select(SurveyResponse)).all() == []


def test_a_column_headway_does_not_read_is_refused(session, tmp_path, acme):
    path = write_file(
        tmp_path,
        "answers.csv",
        HEADER.replace("\n", ",channel\n") + "nps,acme,,9,,2026-02-01,email\n",
    )

    result = run_import(session, "survey-responses", path)

    assert where(result) == [(1, "channel", "channel")]
    assert "response_id" in result.errors[0].expected


def test_a_missing_required_column_is_named(session, tmp_path, acme):
    path = write_file(tmp_path, "answers.csv", "survey_type,account_id,score\nnps,acme,9\n")

    result = run_import(session, "survey-responses", path)

    assert [(e.row, e.column) for e in result.errors] == [(1, "responded_at")]


def test_a_file_without_comments_keeps_the_stored_comments(session, tmp_path, acme):
    run_import(
        session,
        "survey-responses",
        write_file(tmp_path, "a.csv", HEADER + "nps,acme,jane@acme.com,9,Great,2026-02-01\n"),
    )
    path = write_file(
        tmp_path,
        "b.csv",
        "survey_type,account_id,contact_email,score,responded_at\n"
        "nps,acme,jane@acme.com,9,2026-02-01\n",
    )

    assert counts(run_import(session, "survey-responses", path)) == (0, 0, 1, 0)
    assert stored(session) == [("nps", "jane@acme.com", 9, "Great")]


def test_the_command_imports_survey_responses_and_prints_json(session, tmp_path, acme):
    path = write_file(tmp_path, "answers.csv", HEADER + "nps,acme,,10,,2026-02-01\n")

    result = CliRunner().invoke(app, ["import", "survey-responses", str(path), "--json"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["kind"], summary["created"]) == ("survey-responses", 1)


def test_the_imports_page_offers_survey_responses(client, session, tmp_path, alice, acme):
    login(client, alice)

    page = client.get("/imports")

    assert '<option value="survey-responses"' in page.text
    assert "Survey responses" in page.text
