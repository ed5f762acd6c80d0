"""JSON API of reports: outcome attainment, Appropriate Experience coverage, support & success."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from headway.core.errors import InvalidInput
from headway.core.fields import IsoDate
from headway.reports.schemas import (
    CoveragePageRead,
    OutcomeReportRead,
    coverage_page_read,
    outcome_report_read,
)
from headway.reports.service import coverage_report, outcome_report
from headway.reports.support_success import account_support_success, portfolio_support_success
from headway.support.reports import parse_day
from headway.web.auth import ApiPrincipal, SessionDep
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PageNumber, PerPage, QueryId

router = APIRouter(tags=["reports"], responses=API_ERROR_RESPONSES)

FirstDay = Annotated[
    IsoDate | None,
    Query(alias="from", description="The period's first day (default: 89 days before `to`)."),
]
LastDay = Annotated[
    IsoDate | None, Query(description="The period's last day, included (default: `as_of`).")
]
AsOf = Annotated[
    IsoDate | None,
    Query(description="The day the figures are judged on, not after today (default: today)."),
]
SegmentKey = Annotated[
    str | None, Query(min_length=1, max_length=64, description="Accounts' current segment key.")
]


@router.get("/reports/outcomes", response_model=OutcomeReportRead)
def get_outcome_report(
    session: SessionDep,
    principal: ApiPrincipal,
    first_day: FirstDay = None,
    to: LastDay = None,
    as_of: AsOf = None,
) -> OutcomeReportRead:
    """Outcome attainment of a period: goals due in it (up to `as_of`), those that reached their
    target by their due date, the rate, open goals at risk; by segment, CSM and goal template;
    and per CSM the outcomes beside the outputs. `definitions` says what each figure means."""
    report = outcome_report(session=session, start=first_day, end=to, as_of=as_of)
    return outcome_report_read(report)


@router.get("/reports/coverage", response_model=CoveragePageRead)
def get_coverage_report(
    session: SessionDep,
    principal: ApiPrincipal,
    segment: SegmentKey = None,
    owner_id: QueryId = None,
    as_of: AsOf = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> CoveragePageRead:
    """Appropriate Experience compliance of current accounts as of a day, by segment and CSM,
    and one page of the gaps (a required touch overdue), the most overdue first."""
    report = coverage_report(session=session, as_of=as_of, segment=segment, owner_id=owner_id)
    return coverage_page_read(report, page=page, per_page=per_page)


DAY_OR_MONTH = r"^\d{4}-\d{2}(-\d{2})?$"


@router.get("/reports/support-success", response_model=dict[str, Any])
def get_support_success_report(
    session: SessionDep,
    principal: ApiPrincipal,
    first_day: Annotated[
        str | None,
        Query(
            alias="from",
            pattern=DAY_OR_MONTH,
            description="The period's first day (default: 89 days before `to`); a month "
            "means its first day.",
        ),
    ] = None,
    to: Annotated[
        str | None,
        Query(
            pattern=DAY_OR_MONTH,
            description="The period's last day (default: today); a month means its last day.",
        ),
    ] = None,
    segment: SegmentKey = None,
    owner_id: QueryId = None,
    account_id: QueryId = None,
) -> dict[str, Any]:
    """Support load (tickets and their trend, resolution, CSAT, effort) beside CS work
    (activities, proactive touches, goals progressed, coverage) for a period: for the current
    accounts with per-segment and per-CSM rows and the accounts needing a proactive touch, or
    for one account (`account_id`). Rates are fractions, null where there is no data."""
    try:
        first, last = parse_day(first_day, end=False), parse_day(to, end=True)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    if account_id is None:
        return portfolio_support_success(
            session=session, first=first, last=last, segment=segment, owner_id=owner_id
        )
    if segment is not None or owner_id is not None:
        raise InvalidInput("account_id reports one account: leave out segment and owner_id")
    return account_support_success(session=session, account_id=account_id, first=first, last=last)
