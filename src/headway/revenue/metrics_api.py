"""JSON API of revenue metrics: MRR movements, retention, LTV and CAC, cohorts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from headway.revenue.metrics import CohortMeasure, CohortPeriod
from headway.revenue.schemas import (
    YEAR_MONTH_PATTERN,
    AccountMovementRead,
    CohortMatrixRead,
    RevenueBy,
    RevenueMetricsRead,
    account_movements_read,
    cohort_matrix_read,
    parse_year_month,
    revenue_report_read,
)
from headway.revenue.service import (
    RevenueOptions,
    account_revenue_movements,
    cohort_retention_matrix,
    revenue_metrics,
)
from headway.web.auth import ApiPrincipal, SessionDep, settings_of
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PathId, QueryId

router = APIRouter(tags=["metrics"], responses=API_ERROR_RESPONSES)

FirstMonth = Annotated[
    str | None,
    Query(
        alias="from",
        pattern=YEAR_MONTH_PATTERN,
        description="First month, YYYY-MM (default: 11 months before `to`).",
    ),
]
LastMonth = Annotated[
    str | None,
    Query(
        pattern=YEAR_MONTH_PATTERN,
        description="Last month, YYYY-MM (default: the last complete month).",
    ),
]
SegmentKey = Annotated[
    str | None, Query(min_length=1, max_length=64, description="Accounts' current segment key.")
]
ReactivationWindow = Annotated[
    int | None,
    Query(
        ge=0,
        le=3650,
        description="Days after churning within which a return is reactivation (else new); "
        "default: the HEADWAY_REACTIVATION_WINDOW_DAYS setting.",
    ),
]


def _options(request: Request, reactivation_window_days: int | None) -> RevenueOptions:
    return RevenueOptions.from_settings(
        settings_of(request), reactivation_window_days=reactivation_window_days
    )


@router.get("/metrics/revenue", response_model=RevenueMetricsRead | list[RevenueMetricsRead])
def get_revenue_metrics(
    request: Request,
    session: SessionDep,
    principal: ApiPrincipal,
    first_month: FirstMonth = None,
    to: LastMonth = None,
    by: RevenueBy = RevenueBy.PERIOD,
    segment: SegmentKey = None,
    owner_id: QueryId = None,
    reactivation_window_days: ReactivationWindow = None,
) -> RevenueMetricsRead | list[RevenueMetricsRead]:
    """MRR movements and retention of a period of whole months; `by=month`: a list, one per
    month. Money in major units of the reporting currency, rates as fractions, null when
    undefined; `definitions` names the variant behind each figure."""
    report = revenue_metrics(
        session=session,
        options=_options(request, reactivation_window_days),
        first_month=parse_year_month(first_month) if first_month else None,
        last_month=parse_year_month(to) if to else None,
        segment=segment,
        owner_id=owner_id,
        by_month=by is RevenueBy.MONTH,
    )
    periods = revenue_report_read(report)
    return periods if by is RevenueBy.MONTH else periods[0]


@router.get("/metrics/cohorts", response_model=CohortMatrixRead)
def get_cohorts(
    request: Request,
    session: SessionDep,
    principal: ApiPrincipal,
    first_month: FirstMonth = None,
    to: LastMonth = None,
    by: CohortPeriod = CohortPeriod.MONTH,
    measure: CohortMeasure = CohortMeasure.LOGOS,
    segment: SegmentKey = None,
    owner_id: QueryId = None,
) -> CohortMatrixRead:
    """Cohort retention: accounts grouped by the month (or quarter) they first paid, and the
    share of their logos (or MRR) retained at the end of each later month (or quarter)."""
    report = cohort_retention_matrix(
        session=session,
        options=_options(request, None),
        by=by,
        measure=measure,
        first_month=parse_year_month(first_month) if first_month else None,
        last_month=parse_year_month(to) if to else None,
        segment=segment,
        owner_id=owner_id,
    )
    return cohort_matrix_read(report)


@router.get("/accounts/{account_id}/revenue-movements", response_model=list[AccountMovementRead])
def get_account_movements(
    request: Request,
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: PathId,
    reactivation_window_days: ReactivationWindow = None,
) -> list[AccountMovementRead]:
    """An account's MRR at each month end and its movement in each month, up to this month."""
    revenue = account_revenue_movements(
        session=session,
        account_id=account_id,
        options=_options(request, reactivation_window_days),
    )
    return account_movements_read(revenue)
