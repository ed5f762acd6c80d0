"""Survey metrics of a period against hand-computed figures: NPS, CSAT, CES, response rate."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.core.errors import InvalidInput
from headway.support.reports import support_metrics
from headway.surveys.models import Survey, SurveyCampaign, SurveyInvitation, SurveyResponse
from headway.surveys.reports import survey_metrics
from tests.helpers import make_account

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
NOVEMBER = {"first": date(2026, 11, 1), "last": date(2026, 11, 30)}
ISSUE_KEYS = {
    "nps",
    "promoters",
    "passives",
    "detractors",
    "responses",
    "response_rate",
    "csat",
    "ces_mean",
    "ces_agree_rate",
}
_ids = count(1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def survey(session: Session, key: str) -> Survey:
    found = session.scalar(select(Survey).where(Survey.key == key))
    assert found is not None, f"no seeded survey {key}"
    return found


def answer(
    session: Session,
    account: Account,
    key: str,
    score: int,
    at: datetime,
    *,
    comment: str = "",
    email: str | None = None,
    invitation: SurveyInvitation | None = None,
) -> SurveyResponse:
    """Store one answer as it would arrive (the response service is not needed to read it)."""
    response = SurveyResponse(
        external_id=f"test-{next(_ids)}",
        survey_id=survey(session, key).id,
        invitation_id=invitation.id if invitation else None,
        campaign_id=invitation.campaign_id if invitation else None,
        account_id=account.id,
        contact_email=email,
        score=score,
        comment=comment,
        responded_at=at,
        source="link" if invitation else "api",
        created_at=at,
        updated_at=at,
    )
    session.add(response)
    session.commit()
    return response


def campaign(session: Session, key: str = "nps") -> SurveyCampaign:
    found = SurveyCampaign(
        survey_id=survey(session, key).id, name=f"{key} campaign", created_at=utc(2026, 9, 1)
    )
    session.add(found)
    session.commit()
    return found


def invite(
    session: Session,
    account: Account,
    sent_at: datetime | None,
    *,
    answered_at: datetime | None = None,
    of: SurveyCampaign,
) -> SurveyInvitation:
    """Store one invitation, sent (or skipped when `sent_at` is None) and perhaps answered."""
    n = next(_ids)
    invitation = SurveyInvitation(
        key=f"{of.id}:{n}",
        campaign_id=of.id,
        account_id=account.id,
        email=f"person{n}@example.com",
        created_at=sent_at or utc(2026, 11, 1),
        sent_at=sent_at,
        answered_at=answered_at,
        skipped_reason=None if sent_at else "unsubscribed",
    )
    session.add(invitation)
    session.commit()
    return invitation


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def build_voices(session: Session) -> tuple[Account, Account]:
    """November 2026: Acme (high-touch) and Globex (tech-touch) answered every survey.

    NPS: Acme 9 10 9 7 0 (3 promoters, 1 passive, 1 detractor: +40), Globex 10 9 8 7 6
    (2, 2, 1: +20); together 5, 3, 2 of 10: +30. CSAT: 5 4 3 2 on 1–5 (2 of 4 satisfied)
    and good good bad (2 of 3): 4 of 7. CES: 7 6 5 3, mean 5.25, 3 of 4 agreeing.
    Invitations: 4 sent in November, 3 answered; one sent in October and one never sent.
    """
    acme = make_account(session, "acme", segment="high-touch")
    globex = make_account(session, "globex", segment="tech-touch")
    for n, score in enumerate([9, 10, 9, 7, 0]):
        answer(session, acme, "nps", score, utc(2026, 11, 2 + n, 10))
    for n, score in enumerate([10, 9, 8, 7]):
        answer(session, globex, "nps", score, utc(2026, 11, 10 + n, 10))
    answer(session, globex, "nps", 6, utc(2026, 11, 30, 23, 59, 59))  # the last second
    for n, score in enumerate([5, 4, 3, 2]):
        answer(session, acme, "csat", score, utc(2026, 11, 15 + n, 9))
    for n, score in enumerate([1, 1, 0]):
        answer(session, globex, "csat_good_bad", score, utc(2026, 11, 20 + n, 9))
    for n, score in enumerate([7, 6, 5, 3]):
        answer(session, acme if n < 2 else globex, "ces", score, utc(2026, 11, 24 + n, 9))
    # Just outside November on either side.
    answer(session, acme, "nps", 0, utc(2026, 10, 31, 23, 59, 59))
    answer(session, acme, "nps", 0, utc(2026, 12, 1, 0, 0))
    nps = campaign(session)
    for n, answered in enumerate([True, True, True, False]):
        at = utc(2026, 11, 3 + n, 8)
        invite(session, acme, at, answered_at=at + timedelta(days=1) if answered else None, of=nps)
    invite(session, globex, utc(2026, 10, 30, 8), answered_at=utc(2026, 11, 2), of=nps)
    invite(session, globex, None, of=nps)
    return acme, globex


@pytest.fixture
def voices(session):
    return build_voices(session)


def test_a_month_of_answers_gives_the_hand_computed_figures(session, voices):
    report = survey_metrics(session=session, **NOVEMBER)

    assert set(report) >= ISSUE_KEYS
    assert {k: report[k] for k in ISSUE_KEYS} == {
        "nps": 30.0,
        "promoters": 5,
        "passives": 3,
        "detractors": 2,
        "responses": 21,
        "response_rate": 0.75,
        "csat": 0.5714,
        "ces_mean": 5.25,
        "ces_agree_rate": 0.75,
    }
    assert (report["invitations_sent"], report["answered"]) == (4, 3)
    assert (report["nps_responses"], report["csat_responses"], report["ces_responses"]) == (
        10,
        7,
        4,
    )
    assert report["period"] == {"from": "2026-11-01", "to": "2026-11-30"}


def test_each_survey_is_read_on_its_own_scale(session, voices):
    by_survey = survey_metrics(session=session, **NOVEMBER)["by_survey"]

    counts = {
        k: (v["responses"], v["positive"], v["neutral"], v["negative"], v["figure"])
        for k, v in by_survey.items()
    }
    assert counts == {
        "nps": (10, 5, 3, 2, 30.0),
        # 1–5: 4–5 satisfied, 3 neutral, 1–2 unsatisfied.
        "csat": (4, 2, 1, 1, 0.5),
        "csat_good_bad": (3, 2, 0, 1, 0.6667),
        # 1–7: 5–7 agreeing, 4 neutral, 1–3 disagreeing; the figure is the mean.
        "ces": (4, 3, 0, 1, 5.25),
    }


def test_segments_split_the_figures_by_the_accounts_segment(session, voices):
    by_segment = survey_metrics(session=session, **NOVEMBER)["by_segment"]

    assert list(by_segment) == ["high-touch", "tech-touch"]
    acme, globex = by_segment["high-touch"], by_segment["tech-touch"]
    assert (acme["nps"], acme["promoters"], acme["passives"], acme["detractors"]) == (40.0, 3, 1, 1)
    assert (globex["nps"], globex["promoters"], globex["passives"], globex["detractors"]) == (
        20.0,
        2,
        2,
        1,
    )
    assert (acme["csat"], globex["csat"]) == (0.5, 0.6667)
    assert (acme["ces_mean"], globex["ces_mean"]) == (6.5, 4.0)
    assert (acme["response_rate"], globex["response_rate"]) == (0.75, None)


def test_a_segment_or_an_account_filter_narrows_every_figure(session, voices):
    _, globex = voices
    high = survey_metrics(session=session, segment="high-touch", **NOVEMBER)
    one = survey_metrics(session=session, account_id=globex.id, **NOVEMBER)

    assert (high["nps"], high["responses"], high["response_rate"]) == (40.0, 11, 0.75)
    assert list(high["by_segment"]) == ["high-touch"]
    assert high["filters"] == {"account_id": None, "segment": "high-touch"}
    assert (one["nps"], one["responses"], one["csat"], one["invitations_sent"]) == (
        20.0,
        10,
        0.6667,
        0,
    )
    assert one["response_rate"] is None


def test_the_period_includes_its_first_and_last_second_only(session, voices):
    acme, _ = voices
    last_day = survey_metrics(session=session, first=date(2026, 11, 30), last=date(2026, 11, 30))
    october = survey_metrics(session=session, first=date(2026, 10, 31), last=date(2026, 10, 31))
    today = survey_metrics(session=session, account_id=acme.id)  # the 30 days ending today

    assert (last_day["responses"], last_day["detractors"], last_day["nps"]) == (1, 1, -100.0)
    assert (october["responses"], october["nps"]) == (1, -100.0)
    assert today["period"] == {"from": "2026-11-02", "to": "2026-12-01"}
    # Acme's 5 NPS + 4 CSAT + 2 CES in November, and its answer at midnight on December 1.
    assert (today["responses"], today["nps_responses"]) == (12, 6)


def test_the_trend_has_one_row_per_calendar_month_of_the_period(session, voices):
    report = survey_metrics(session=session, first=date(2026, 10, 15), last=date(2026, 12, 1))

    rows = [
        (r["month"], r["responses"], r["nps"], r["csat"], r["ces_mean"]) for r in report["trend"]
    ]
    assert rows == [
        ("2026-10", 1, -100.0, None, None),
        ("2026-11", 21, 30.0, 0.5714, 5.25),
        ("2026-12", 1, -100.0, None, None),
    ]
    october = report["trend"][0]
    assert (october["invitations_sent"], october["response_rate"]) == (1, 1.0)


def test_surveys_without_answers_give_null_figures_and_zero_counts(session):
    make_account(session, "quiet", segment="mid-touch")
    report = survey_metrics(session=session, **NOVEMBER)

    assert {k: report[k] for k in ISSUE_KEYS} == {
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
    assert report["by_segment"] == {}
    assert [line["figure"] for line in report["by_survey"].values()] == [None] * 4
    assert [r["responses"] for r in report["trend"]] == [0]


def test_invitations_sent_and_unanswered_give_a_zero_response_rate(session):
    acme = make_account(session, "acme", segment="high-touch")
    invite(session, acme, utc(2026, 11, 5), of=campaign(session))

    report = survey_metrics(session=session, **NOVEMBER)

    assert (report["invitations_sent"], report["answered"], report["response_rate"]) == (1, 0, 0.0)
    assert report["nps"] is None


def test_a_ces_survey_on_another_scale_counts_in_agreement_but_not_in_the_mean(session):
    acme = make_account(session, "acme")
    easy = Survey(
        key="ces_effort",
        type="ces",
        name="Effort (1 = very little)",
        question="How much effort did it take?",
        scale_min=1,
        scale_max=5,
        direction="lower_better",
        positive_min=2,
        negative_max=4,
        aggregation="mean",
        created_at=NOW,
    )
    session.add(easy)
    session.commit()
    answer(session, acme, "ces", 6, utc(2026, 11, 3))
    answer(session, acme, "ces_effort", 1, utc(2026, 11, 4))  # little effort: agreeing
    answer(session, acme, "ces_effort", 5, utc(2026, 11, 5))  # much effort

    report = survey_metrics(session=session, **NOVEMBER)

    assert (report["ces_mean"], report["ces_agree_rate"], report["ces_responses"]) == (
        6.0,
        0.6667,
        3,
    )
    assert report["by_survey"]["ces_effort"]["figure"] == 3.0


def test_a_reversed_period_and_an_unknown_segment_are_refused(session):
    with pytest.raises(InvalidInput, match="starts on 2026-11-30 after it ends on 2026-11-01"):
        survey_metrics(session=session, first=date(2026, 11, 30), last=date(2026, 11, 1))
    with pytest.raises(InvalidInput, match="unknown segment 'vip'"):
        survey_metrics(session=session, segment="vip")


@pytest.mark.parametrize("metrics", [survey_metrics, support_metrics])
def test_survey_and_support_metrics_refuse_a_period_of_more_than_fifty_years(session, metrics):
    with pytest.raises(InvalidInput, match="too long: at most 50 years"):
        metrics(session=session, first=date(1900, 1, 1), last=date(2026, 11, 30))
    with pytest.raises(InvalidInput, match="too long"):
        metrics(session=session, last=date.max)
