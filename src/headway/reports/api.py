"""JSON API of reports: outcome attainment and Appropriate Experience coverage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from headway.core.fields import IsoDate
from headway.reports.schemas import (
    CoveragePageRead,
    OutcomeReportRead,
    coverage_page_read,
    outcome_report_read,
)
from headway.reports.service import coverage_report, outcome_report
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
