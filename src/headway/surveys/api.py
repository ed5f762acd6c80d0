"""JSON API of surveys, their answers and opt-outs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response

from headway.accounts.service import get_account
from headway.core.fields import IsoDate
from headway.support.reports import midnight
from headway.surveys.responses import list_responses, submit_opt_out, submit_response
from headway.surveys.schemas import (
    OptOutCreate,
    OptOutRead,
    SurveyRead,
    SurveyResponseCreate,
    SurveyResponsePage,
    SurveyResponseRead,
    SurveyType,
)
from headway.surveys.service import list_surveys
from headway.web.auth import ApiPrincipal, SessionDep
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PageNumber, PathId, PerPage, QueryId

router = APIRouter(tags=["surveys"], responses=API_ERROR_RESPONSES)

FirstDay = Annotated[
    IsoDate | None, Query(alias="from", description="Answered on or after this day (UTC).")
]
LastDay = Annotated[
    IsoDate | None, Query(alias="to", description="Answered on or before this day (UTC).")
]
SurveyFilter = Annotated[
    str | None, Query(min_length=1, max_length=64, description="A survey's key (nps, csat …).")
]


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else midnight(day)


def _end_of(day: date | None) -> datetime | None:
    # Days are inclusive: up to the start of the next day (none after the last day there is).
    return None if day is None or day == date.max else midnight(day + timedelta(days=1))


def _page(
    session: SessionDep,
    survey: str | None,
    survey_type: str | None,
    account_id: int | None,
    first_day: date | None,
    last_day: date | None,
    page: int,
    per_page: int,
) -> SurveyResponsePage:
    responses, total = list_responses(
        session=session,
        survey=survey,
        survey_type=survey_type,
        account_id=account_id,
        first=_start_of(first_day),
        last=_end_of(last_day),
        page=page,
        per_page=per_page,
    )
    return SurveyResponsePage(
        items=[SurveyResponseRead.model_validate(r) for r in responses],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.get("/surveys", response_model=list[SurveyRead])
def get_surveys(session: SessionDep, principal: ApiPrincipal) -> list[SurveyRead]:
    """List the surveys with their scale, labels, direction and aggregation."""
    return [SurveyRead.model_validate(s) for s in list_surveys(session=session)]


@router.get("/survey-responses", response_model=SurveyResponsePage)
def get_survey_responses(
    session: SessionDep,
    principal: ApiPrincipal,
    survey: SurveyFilter = None,
    survey_type: SurveyType | None = None,
    account_id: QueryId = None,
    first_day: FirstDay = None,
    last_day: LastDay = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> SurveyResponsePage:
    """List survey answers, newest first: of a survey or type, an account, a period."""
    return _page(session, survey, survey_type, account_id, first_day, last_day, page, per_page)


@router.post(
    "/survey-responses",
    response_model=SurveyResponseRead,
    status_code=201,
    responses={200: {"model": SurveyResponseRead, "description": "The answer was stored before"}},
)
def post_survey_response(
    response: Response,
    session: SessionDep,
    principal: ApiPrincipal,
    data: SurveyResponseCreate,
) -> SurveyResponseRead:
    """Record one answer: 201 when new, 200 when it was there already (changes replace it)."""
    answer, created = submit_response(
        session=session, actor=principal.actor, permissions=principal.permissions, data=data
    )
    if not created:
        response.status_code = 200
    return SurveyResponseRead.model_validate(answer)


@router.get("/accounts/{account_id}/survey-responses", response_model=SurveyResponsePage)
def get_account_survey_responses(
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: PathId,
    survey: SurveyFilter = None,
    survey_type: SurveyType | None = None,
    first_day: FirstDay = None,
    last_day: LastDay = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> SurveyResponsePage:
    """List the survey answers of one account, newest first."""
    get_account(session=session, account_id=account_id)  # 404 for an unknown account
    return _page(session, survey, survey_type, account_id, first_day, last_day, page, per_page)


@router.post(
    "/survey-opt-outs",
    response_model=OptOutRead,
    status_code=201,
    responses={200: {"model": OptOutRead, "description": "The address had opted out already"}},
)
def post_survey_opt_out(
    response: Response, session: SessionDep, principal: ApiPrincipal, data: OptOutCreate
) -> OptOutRead:
    """Stop surveying an email address: 201 when new, 200 when it had opted out already."""
    row, created = submit_opt_out(
        session=session, actor=principal.actor, permissions=principal.permissions, email=data.email
    )
    if not created:
        response.status_code = 200
    return OptOutRead.model_validate(row)
