"""Verbatim comments: only answers with a comment, newest first, filtered and paged."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.core.errors import InvalidInput
from headway.surveys.models import Survey
from headway.surveys.reports import list_comments, polarity_of
from headway.surveys.scoring import scale_of
from tests.helpers import make_account, make_contact
from tests.surveys.test_metrics import NOVEMBER, NOW, answer, utc


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def build_comments(session: Session) -> tuple[Account, Account]:
    """Six November answers, five with a comment; Acme high-touch, Globex tech-touch."""
    acme = make_account(session, "acme", "Acme Corp", segment="high-touch")
    globex = make_account(session, "globex", "Globex", segment="tech-touch")
    contact = make_contact(session, globex, "gina@globex.example", "Gina")
    answer(session, acme, "nps", 10, utc(2026, 11, 1, 10), comment="Reports save us a day a week")
    answer(session, acme, "nps", 3, utc(2026, 11, 5), comment="Too slow to load", email="al@acme")
    answer(session, acme, "csat", 3, utc(2026, 11, 8), comment="  The agent was polite  ")
    answer(session, acme, "ces", 6, utc(2026, 11, 9), comment="   ")  # blank: no comment
    globex_answer = answer(session, globex, "ces", 2, utc(2026, 11, 12), comment="Slow replies")
    globex_answer.contact_id = contact.id
    answer(session, globex, "csat_good_bad", 1, utc(2026, 11, 20), comment="Quick and kind")
    answer(session, globex, "nps", 9, utc(2026, 10, 20), comment="October: outside the period")
    session.commit()
    return acme, globex


@pytest.fixture
def comments(session):
    return build_comments(session)


def shown(rows) -> list[tuple[str, str, int, str]]:
    return [(c.account_name, c.survey_key, c.score, c.polarity) for c in rows]


def test_comments_are_listed_newest_first_with_who_said_what(session, comments):
    rows, total = list_comments(session=session, **NOVEMBER)

    assert total == 5
    assert shown(rows) == [
        ("Globex", "csat_good_bad", 1, "positive"),
        ("Globex", "ces", 2, "negative"),
        ("Acme Corp", "csat", 3, "neutral"),
        ("Acme Corp", "nps", 3, "negative"),
        ("Acme Corp", "nps", 10, "positive"),
    ]
    assert rows[2].comment == "The agent was polite"
    # The answer's own email, else its contact's.
    assert [r.contact_email for r in rows] == [None, "gina@globex.example", None, "al@acme", None]
    assert (rows[1].scale_min, rows[1].scale_max, rows[1].responded_at) == (1, 7, utc(2026, 11, 12))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"survey_type": "nps"}, [("Acme Corp", "nps", 3), ("Acme Corp", "nps", 10)]),
        ({"survey_type": "csat"}, [("Globex", "csat_good_bad", 1), ("Acme Corp", "csat", 3)]),
        ({"polarity": "negative"}, [("Globex", "ces", 2), ("Acme Corp", "nps", 3)]),
        ({"polarity": "neutral"}, [("Acme Corp", "csat", 3)]),
        ({"polarity": "positive", "survey_type": "nps"}, [("Acme Corp", "nps", 10)]),
        ({"search": "SLOW"}, [("Globex", "ces", 2), ("Acme Corp", "nps", 3)]),
        ({"search": "100%"}, []),
        ({"segment": "tech-touch"}, [("Globex", "csat_good_bad", 1), ("Globex", "ces", 2)]),
    ],
)
def test_filters_narrow_the_comments(session, comments, filters, expected):
    rows, total = list_comments(session=session, **NOVEMBER, **filters)

    assert [(a, k, s) for a, k, s, _ in shown(rows)] == expected
    assert total == len(expected)


def test_an_account_filter_and_pages_split_the_list(session, comments):
    acme, _ = comments
    first, total = list_comments(session=session, **NOVEMBER, account_id=acme.id, per_page=2)
    second, _ = list_comments(session=session, **NOVEMBER, account_id=acme.id, per_page=2, page=2)

    assert total == 3
    assert [c.score for c in first] == [3, 3]
    assert [c.score for c in second] == [10]


def test_the_default_period_is_the_30_days_ending_today(session, comments):
    rows, total = list_comments(session=session)

    assert total == 4  # November 1 falls before the 30 days ending December 1
    assert rows[-1].score == 3


def test_the_polarity_filter_agrees_with_the_scale_for_every_score(session):
    """Every score of every seeded survey, and of an effort survey where lower is better."""
    account = make_account(session, "acme")
    session.add(
        Survey(
            key="effort_low",
            type="ces",
            name="Effort",
            question="How much effort?",
            scale_min=1,
            scale_max=5,
            direction="lower_better",
            positive_min=2,
            negative_max=4,
            aggregation="mean",
            created_at=NOW,
        )
    )
    session.commit()
    surveys = list(session.scalars(select(Survey).order_by(Survey.id)))
    expected: dict[str, set[tuple[str, int]]] = {
        "positive": set(),
        "neutral": set(),
        "negative": set(),
    }
    for survey in surveys:
        for score in range(survey.scale_min, survey.scale_max + 1):
            answer(session, account, survey.key, score, utc(2026, 11, 10), comment="said")
            expected[polarity_of(score, scale_of(survey))].add((survey.key, score))

    for polarity, pairs in expected.items():
        rows, _ = list_comments(session=session, **NOVEMBER, polarity=polarity, per_page=500)
        assert {(c.survey_key, c.score) for c in rows} == pairs, polarity
    assert ("effort_low", 1) in expected["positive"] and ("effort_low", 5) in expected["negative"]
    assert ("nps", 8) in expected["neutral"] and ("nps", 6) in expected["negative"]


def test_an_unknown_type_or_polarity_is_refused_naming_the_known_ones(session):
    with pytest.raises(InvalidInput, match="unknown survey type 'csi'; expected nps, csat, ces"):
        list_comments(session=session, first=date(2026, 11, 1), survey_type="csi")
    with pytest.raises(InvalidInput, match="expected positive, neutral, negative"):
        list_comments(session=session, polarity="angry")
