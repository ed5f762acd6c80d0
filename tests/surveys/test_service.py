"""The survey service: an answer is stored once, a corrected one replaces it, opt-outs are kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from headway.core.errors import InvalidInput, NotFound
from headway.surveys.models import SurveyOptOut, SurveyResponse
from headway.surveys.service import (
    contact_by_email,
    get_survey,
    list_surveys,
    opt_out,
    opted_out,
    record_response,
)
from tests.helpers import make_account, make_contact

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MONDAY = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def acme(session):
    account = make_account(session, "acme", "Acme")
    make_contact(session, account, "jane@acme.com", "Jane Roe")
    return account


def nps(session):
    return get_survey(session=session, key="nps")


def answers(session) -> int:
    return session.scalar(select(func.count()).select_from(SurveyResponse)) or 0


def answer(session, account, **changes):
    values = {
        "session": session,
        "survey": nps(session),
        "account_id": account.id,
        "score": 9,
        "responded_at": MONDAY,
        "source": "api",
        "contact_email": "jane@acme.com",
        **changes,
    }
    return record_response(**values)


def test_the_four_built_in_surveys_are_listed_nps_first(session):
    assert [s.key for s in list_surveys(session=session)] == [
        "nps",
        "csat",
        "csat_good_bad",
        "ces",
    ]


def test_an_unknown_survey_key_is_refused_with_the_keys_there_are(session):
    with pytest.raises(NotFound, match=r"'pulse'.*nps, csat, csat_good_bad, ces"):
        get_survey(session=session, key="pulse")


def test_a_new_answer_is_stored_with_its_contact(session, acme):
    response, created = answer(session, acme, comment="  Great onboarding  ")

    assert created
    assert (response.score, response.comment, response.source) == (9, "Great onboarding", "api")
    assert response.contact_id == contact_by_email(
        session=session, account_id=acme.id, email="jane@acme.com"
    )
    assert response.external_id == f"nps:{acme.id}:jane@acme.com:{MONDAY.isoformat()}"
    assert (response.created_at, response.updated_at) == (NOW, NOW)


def test_the_same_answer_sent_again_writes_nothing(session, acme):
    first, _ = answer(session, acme, comment="Great")
    session.commit()

    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False):
        again, created = answer(session, acme, comment="Great", contact_email="JANE@acme.com ")

    assert (created, again.id, answers(session)) == (False, first.id, 1)
    assert again.updated_at == NOW  # untouched


def test_a_changed_score_under_the_same_id_replaces_the_stored_one(session, acme):
    first, _ = answer(session, acme, external_id="typeform:1")
    session.commit()
    later = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

    with time_machine.travel(later, tick=False):
        corrected, created = answer(session, acme, external_id="typeform:1", score=6)

    assert (created, corrected.id, corrected.score, answers(session)) == (False, first.id, 6, 1)
    assert corrected.updated_at == later


def test_an_answer_from_a_very_long_address_is_known_by_a_key_that_fits(session, acme):
    email = f"{'j' * 180}@acme.com"
    first, _ = answer(session, acme, contact_email=email)
    session.commit()

    again, created = answer(session, acme, contact_email=email.upper())

    assert len(first.external_id) == 200
    assert first.external_id.startswith(f"nps:{acme.id}:jjj")
    assert (created, again.id, answers(session)) == (False, first.id, 1)


def test_an_answer_cannot_move_to_another_account(session, acme):
    globex = make_account(session, "globex", "Globex")
    answer(session, acme, external_id="typeform:1")

    with pytest.raises(InvalidInput, match="cannot move"):
        answer(session, globex, external_id="typeform:1")


@pytest.mark.parametrize(
    ("key", "score"), [("nps", 11), ("nps", -1), ("csat", 0), ("csat_good_bad", 2), ("ces", 8)]
)
def test_a_score_off_the_scale_is_refused(session, acme, key, score):
    survey = get_survey(session=session, key=key)

    with pytest.raises(InvalidInput, match=f"{key}: score {score} is outside the scale"):
        answer(session, acme, survey=survey, score=score)
    assert answers(session) == 0


def test_an_answer_dated_in_the_future_is_refused(session, acme):
    with pytest.raises(InvalidInput, match="in the future"):
        answer(session, acme, responded_at=datetime(2026, 3, 2, 9, 1, tzinfo=UTC))


def test_the_contact_is_found_by_email_in_any_case(session, acme):
    jane = contact_by_email(session=session, account_id=acme.id, email="jane@acme.com")

    assert jane is not None
    assert contact_by_email(session=session, account_id=acme.id, email="Jane@ACME.com") == jane
    response, _ = answer(session, acme, contact_email="  JANE@Acme.COM")
    assert (response.contact_id, response.contact_email) == (jane, "jane@acme.com")


def test_an_email_of_another_accounts_contact_is_kept_without_a_contact(session, acme):
    globex = make_account(session, "globex", "Globex")

    response, _ = answer(session, globex, contact_email="jane@acme.com")

    assert (response.contact_id, response.contact_email) == (None, "jane@acme.com")


def test_opting_out_twice_keeps_one_row_from_the_first_time(session):
    first = opt_out(session=session, email=" Jane@Acme.com ", source="api")
    session.commit()

    with time_machine.travel(datetime(2026, 3, 3, 9, 0, tzinfo=UTC), tick=False):
        again = opt_out(session=session, email="jane@acme.com", source="link")

    assert (again.id, again.email, again.opted_out_at, again.source) == (
        first.id,
        "jane@acme.com",
        NOW,
        "api",
    )
    assert session.scalar(select(func.count()).select_from(SurveyOptOut)) == 1


def test_opted_out_names_the_addresses_that_asked_in_lower_case(session):
    opt_out(session=session, email="jane@acme.com")
    opt_out(session=session, email="sam@globex.com")

    found = opted_out(session=session, emails=["JANE@acme.com", "kim@acme.com", "sam@globex.com"])

    assert found == {"jane@acme.com", "sam@globex.com"}
    assert opted_out(session=session, emails=[]) == set()
