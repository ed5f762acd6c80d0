"""JSON API of survey metrics (NPS, CSAT, CES, response rate) and of the verbatim comments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from headway.core.errors import InvalidInput
from headway.core.pagination import Page
from headway.support.reports import parse_day
from headway.surveys.reports import list_comments, survey_metrics
from headway.web.auth import ApiPrincipal, SessionDep
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PageNumber, PerPage, QueryId

router = APIRouter(responses=API_ERROR_RESPONSES)

DAY_PATTERN = r"^\d{4}-\d{2}(-\d{2})?$"
FirstDay = Annotated[
    str | None,
    Query(
        alias="from",
        pattern=DAY_PATTERN,
        description="First day (default: 29 days before `to`); a month means its first day.",
    ),
]
LastDay = Annotated[
    str | None,
    Query(
        pattern=DAY_PATTERN, description="Last day (default: today); a month means its last day."
    ),
]
SegmentKey = Annotated[
    str | None, Query(min_length=1, max_length=64, description="Accounts' segment key.")
]


class SurveyCommentRead(BaseModel):
    """An answer with a comment: who, which survey, the score and what it means."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    account_id: int
    account_name: str
    contact_email: str | None
    survey_key: str
    survey_type: str
    score: int
    scale_min: int
    scale_max: int
    polarity: Literal["positive", "neutral", "negative"]
    comment: str
    responded_at: datetime


SurveyCommentPage = Page[SurveyCommentRead]


def _period(first_day: str | None, to: str | None) -> tuple[date | None, date | None]:
    try:
        return parse_day(first_day, end=False), parse_day(to, end=True)
    except ValueError as error:
        raise InvalidInput(str(error)) from None


@router.get("/metrics/surveys", response_model=dict[str, Any], tags=["metrics"])
def get_survey_metrics(
    session: SessionDep,
    principal: ApiPrincipal,
    first_day: FirstDay = None,
    to: LastDay = None,
    segment: SegmentKey = None,
    account_id: QueryId = None,
) -> dict[str, Any]:
    """NPS (promoters, passives, detractors), CSAT, CES mean and share agreeing, and the
    response rate of the answers given in a period (null when there is no data), with
    breakdowns by survey, segment and month."""
    first, last = _period(first_day, to)
    return survey_metrics(
        session=session, first=first, last=last, account_id=account_id, segment=segment
    )


@router.get("/surveys/comments", response_model=SurveyCommentPage, tags=["surveys"])
def get_survey_comments(
    session: SessionDep,
    principal: ApiPrincipal,
    first_day: FirstDay = None,
    to: LastDay = None,
    survey_type: Annotated[
        Literal["nps", "csat", "ces"] | None, Query(alias="type", description="Survey type.")
    ] = None,
    polarity: Annotated[
        Literal["positive", "neutral", "negative"] | None,
        Query(description="Positive, neutral or negative on its survey's scale."),
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=r"^[^\x00]*$", description="Words the comment contains."),
    ] = None,
    segment: SegmentKey = None,
    account_id: QueryId = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> SurveyCommentPage:
    """List the answers with a comment given in a period, newest first."""
    first, last = _period(first_day, to)
    comments, total = list_comments(
        session=session,
        first=first,
        last=last,
        survey_type=survey_type,
        account_id=account_id,
        segment=segment,
        polarity=polarity,
        search=q,
        page=page,
        per_page=per_page,
    )
    return SurveyCommentPage(
        items=[SurveyCommentRead.model_validate(c) for c in comments],
        total=total,
        page=page,
        per_page=per_page,
    )
