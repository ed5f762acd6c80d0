"""Survey metrics of a period and the verbatim comments: one implementation for API, pages, CLI.

Which answers each figure reads:
- NPS, CSAT, CES and their counts: responses with `responded_at` in the period, each read
  on its own survey's scale (`scoring.tally`); surveys of one type are pooled by adding
  their positive, neutral and negative counts, so CSAT counts the 1–5 and the good/bad
  surveys together;
- the CES mean: answers to CES surveys on the CES 2.0 scale (1–7, higher is easier); a CES
  survey on another scale keeps its own mean under `by_survey`;
- the response rate: invitations sent in the period that were answered (whenever the answer
  came) ÷ invitations sent in the period; null when none were sent. Answers by API or
  import have no invitation and count in `responses`, not in the rate.
Rates are fractions rounded to 4 decimals, NPS is −100 … 100 to 1 decimal, means 2 decimals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.service import get_segment, list_segments
from headway.contacts.models import Contact
from headway.core.errors import InvalidInput
from headway.core.pagination import contains_pattern, fetch_page
from headway.support.reports import midnight, resolve_period
from headway.surveys.models import SURVEY_TYPES, Survey, SurveyInvitation, SurveyResponse
from headway.surveys.scoring import CES_2_0, Scale, Tally, on_ces_2_0, pooled, scale_of, tally

POLARITIES = ("positive", "neutral", "negative")
NO_SEGMENT = "none"
Columns = TypeVarTuple("Columns")


def _months(first: date, last: date) -> list[str]:
    """Every calendar month the period touches, as YYYY-MM."""
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _rate(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


@dataclass
class _Bucket:
    """The answers (scores per survey) and invitations of one slice of the period."""

    scores: dict[int, list[int]]
    sent: int = 0
    answered: int = 0

    @classmethod
    def empty(cls) -> _Bucket:
        return cls(defaultdict(list))


def _figures(bucket: _Bucket, surveys: Mapping[int, Survey]) -> dict[str, Any]:
    """The headline figures of one slice: NPS, CSAT, CES, counts and the response rate."""
    tallies = {sid: tally(scores, scale_of(surveys[sid])) for sid, scores in bucket.scores.items()}

    def of_type(kind: str) -> Tally:
        return pooled(t for sid, t in tallies.items() if surveys[sid].type == kind)

    nps, csat, ces = of_type("nps"), of_type("csat"), of_type("ces")
    ces_scores = [
        score
        for sid, scores in bucket.scores.items()
        if surveys[sid].type == "ces" and on_ces_2_0(surveys[sid])
        for score in scores
    ]
    ces_mean = tally(ces_scores, CES_2_0).mean
    return {
        "nps": _rate(nps.net_score, 1),
        "promoters": nps.positive,
        "passives": nps.neutral,
        "detractors": nps.negative,
        "responses": sum(t.responses for t in tallies.values()),
        "response_rate": _rate(bucket.answered / bucket.sent if bucket.sent else None),
        "csat": _rate(csat.positive_rate),
        "ces_mean": _rate(ces_mean, 2),
        "ces_agree_rate": _rate(ces.positive_rate),
        "nps_responses": nps.responses,
        "csat_responses": csat.responses,
        "ces_responses": ces.responses,
        "invitations_sent": bucket.sent,
        "answered": bucket.answered,
    }


def _survey_figure(survey: Survey, result: Tally) -> float | None:
    if survey.aggregation == "nps":
        return _rate(result.net_score, 1)
    if survey.aggregation == "mean":
        return _rate(result.mean, 2)
    return _rate(result.positive_rate)


def _by_survey(bucket: _Bucket, surveys: Mapping[int, Survey]) -> dict[str, Any]:
    lines = {}
    for sid, survey in surveys.items():
        result = tally(bucket.scores.get(sid, []), scale_of(survey))
        lines[survey.key] = {
            "type": survey.type,
            "name": survey.name,
            "aggregation": survey.aggregation,
            "responses": result.responses,
            "positive": result.positive,
            "neutral": result.neutral,
            "negative": result.negative,
            "figure": _survey_figure(survey, result),
        }
    return lines


def _scoped(
    query: Select[*Columns], account_id: int | None, segment_id: int | None
) -> Select[*Columns]:
    if account_id is not None:
        query = query.where(Account.id == account_id)
    if segment_id is not None:
        query = query.where(Account.segment_id == segment_id)
    return query


def _segment_id(session: Session, segment: str | None) -> int | None:
    return None if segment is None else get_segment(session=session, key=segment).id


def survey_metrics(
    *,
    session: Session,
    first: date | None = None,
    last: date | None = None,
    account_id: int | None = None,
    segment: str | None = None,
) -> dict[str, Any]:
    """Compute NPS, CSAT, CES and the response rate of answers from `first` to `last`."""
    first, last = resolve_period(first, last)
    start, end = midnight(first), midnight(last + timedelta(days=1))
    segment_id = _segment_id(session, segment)
    surveys = {s.id: s for s in session.scalars(select(Survey).order_by(Survey.id))}
    segments = {s.id: s.key for s in list_segments(session=session)}
    months = _months(first, last)

    total = _Bucket.empty()
    by_month = {month: _Bucket.empty() for month in months}
    by_segment: dict[str, _Bucket] = defaultdict(_Bucket.empty)

    def buckets(segment_of: int | None, at: datetime) -> tuple[_Bucket, ...]:
        key = segments.get(segment_of or 0, NO_SEGMENT)
        return total, by_month[at.strftime("%Y-%m")], by_segment[key]

    answers = _scoped(
        select(
            SurveyResponse.survey_id,
            SurveyResponse.score,
            SurveyResponse.responded_at,
            Account.segment_id,
        )
        .join(Account, Account.id == SurveyResponse.account_id)
        .where(SurveyResponse.responded_at >= start, SurveyResponse.responded_at < end),
        account_id,
        segment_id,
    )
    for row in session.execute(answers):
        for bucket in buckets(row.segment_id, row.responded_at):
            bucket.scores[row.survey_id].append(row.score)

    sent = _scoped(
        select(SurveyInvitation.sent_at, SurveyInvitation.answered_at, Account.segment_id)
        .join(Account, Account.id == SurveyInvitation.account_id)
        .where(SurveyInvitation.sent_at >= start, SurveyInvitation.sent_at < end),
        account_id,
        segment_id,
    )
    for sent_at, answered_at, segment_of in session.execute(sent):
        if sent_at is None:  # the query reads sent invitations only
            continue
        for bucket in buckets(segment_of, sent_at):
            bucket.sent += 1
            bucket.answered += answered_at is not None

    order = {key: n for n, key in enumerate(segments.values())}  # the configured order
    return {
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "filters": {"account_id": account_id, "segment": segment},
        **_figures(total, surveys),
        "by_survey": _by_survey(total, surveys),
        "by_segment": {
            key: _figures(by_segment[key], surveys)
            for key in sorted(by_segment, key=lambda k: order.get(k, len(order)))
        },
        "trend": [{"month": month, **_figures(by_month[month], surveys)} for month in months],
    }


# --- verbatim comments ----------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyComment:
    """One answer with a comment, with who gave it and what it means on its survey's scale."""

    id: int
    account_id: int
    account_name: str
    contact_email: str | None
    survey_key: str
    survey_type: str
    score: int
    scale_min: int
    scale_max: int
    polarity: str
    comment: str
    responded_at: datetime


def polarity_of(score: int, scale: Scale) -> str:
    """Say whether a score is positive, neutral or negative on its scale."""
    if scale.is_positive(score):
        return "positive"
    return "negative" if scale.is_negative(score) else "neutral"


def _polarity_condition(polarity: str) -> ColumnElement[bool]:
    """The SQL twin of `polarity_of`, reading each answer's survey thresholds."""
    score, lower = SurveyResponse.score, Survey.direction == "lower_better"
    positive = or_(
        and_(not_(lower), score >= Survey.positive_min), and_(lower, score <= Survey.positive_min)
    )
    negative = and_(
        Survey.negative_max.is_not(None),
        or_(
            and_(not_(lower), score <= Survey.negative_max),
            and_(lower, score >= Survey.negative_max),
        ),
    )
    if polarity == "positive":
        return positive
    if polarity == "negative":
        return and_(not_(positive), negative)
    return and_(not_(positive), not_(negative))


def list_comments(
    *,
    session: Session,
    first: date | None = None,
    last: date | None = None,
    survey_type: str | None = None,
    account_id: int | None = None,
    segment: str | None = None,
    polarity: str | None = None,
    search: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[SurveyComment], int]:
    """List the answers with a comment from `first` to `last`, newest first, and their total."""
    first, last = resolve_period(first, last)
    if survey_type is not None and survey_type not in SURVEY_TYPES:
        raise InvalidInput(
            f"unknown survey type {survey_type!r}; expected {', '.join(SURVEY_TYPES)}"
        )
    if polarity is not None and polarity not in POLARITIES:
        raise InvalidInput(f"unknown polarity {polarity!r}; expected {', '.join(POLARITIES)}")
    query = _scoped(
        select(SurveyResponse)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .join(Account, Account.id == SurveyResponse.account_id)
        .where(
            SurveyResponse.responded_at >= midnight(first),
            SurveyResponse.responded_at < midnight(last + timedelta(days=1)),
            func.trim(SurveyResponse.comment) != "",
        ),
        account_id,
        _segment_id(session, segment),
    )
    if survey_type is not None:
        query = query.where(Survey.type == survey_type)
    if polarity is not None:
        query = query.where(_polarity_condition(polarity))
    if search and search.strip():
        query = query.where(
            func.lower(SurveyResponse.comment).like(contains_pattern(search), escape="\\")
        )
    rows, total = fetch_page(
        session,
        query.order_by(SurveyResponse.responded_at.desc(), SurveyResponse.id.desc()),
        page=page,
        per_page=per_page,
    )
    responses: list[SurveyResponse] = [row[0] for row in rows]
    accounts = {r.account_id for r in responses}
    contacts = {r.contact_id for r in responses if r.contact_id}
    names = {
        row.id: row.name
        for row in session.execute(select(Account.id, Account.name).where(Account.id.in_(accounts)))
    }
    emails = {
        row.id: row.email
        for row in session.execute(
            select(Contact.id, Contact.email).where(Contact.id.in_(contacts))
        )
    }
    return [
        _comment(r, names[r.account_id], r.contact_email or emails.get(r.contact_id or 0))
        for r in responses
    ], total


def _comment(response: SurveyResponse, account_name: str, email: str | None) -> SurveyComment:
    survey = response.survey
    return SurveyComment(
        id=response.id,
        account_id=response.account_id,
        account_name=account_name,
        contact_email=email,
        survey_key=survey.key,
        survey_type=survey.type,
        score=response.score,
        scale_min=survey.scale_min,
        scale_max=survey.scale_max,
        polarity=polarity_of(response.score, scale_of(survey)),
        comment=response.comment.strip(),
        responded_at=response.responded_at,
    )
