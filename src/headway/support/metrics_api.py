"""JSON API of support metrics: reply and resolution times, FCR, SLA, backlog, volume, CSAT."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from headway.core.errors import InvalidInput
from headway.support.reports import parse_day, support_metrics
from headway.web.auth import ApiPrincipal, SessionDep
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import QueryId

router = APIRouter(tags=["metrics"], responses=API_ERROR_RESPONSES)

DAY_PATTERN = r"^\d{4}-\d{2}(-\d{2})?$"


@router.get("/metrics/support", response_model=dict[str, Any])
def get_support_metrics(
    session: SessionDep,
    principal: ApiPrincipal,
    first_day: Annotated[
        str | None,
        Query(
            alias="from",
            pattern=DAY_PATTERN,
            description="First day (default: 29 days before `to`); a month means its first day.",
        ),
    ] = None,
    to: Annotated[
        str | None,
        Query(
            pattern=DAY_PATTERN,
            description="Last day (default: today); a month means its last day.",
        ),
    ] = None,
    segment: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Accounts' segment key.")
    ] = None,
    priority: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
    account_id: QueryId = None,
) -> dict[str, Any]:
    """Support metrics of the tickets created in a period (times in hours, rates as
    fractions, null when there is no data), with breakdowns by priority and segment."""
    try:
        first, last = parse_day(first_day, end=False), parse_day(to, end=True)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    return support_metrics(
        session=session,
        first=first,
        last=last,
        account_id=account_id,
        segment=segment,
        priority=priority,
    )
