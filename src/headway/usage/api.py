"""JSON API of product usage: adoption measures and daily rollups per account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from headway.core import clock
from headway.core.fields import IsoDate
from headway.usage.adoption import account_usage
from headway.usage.schemas import AccountUsageRead, account_usage_read
from headway.web.auth import ApiPrincipal, SessionDep
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PathId

router = APIRouter(tags=["usage"], responses=API_ERROR_RESPONSES)

SERIES_DAYS = 90

AsOf = Annotated[
    IsoDate | None, Query(description="Judge usage as of this day, YYYY-MM-DD (default: today).")
]
KeyEvent = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        description="An event name whose weekly frequency (over 28 days) to report.",
    ),
]


@router.get("/accounts/{account_id}/usage", response_model=AccountUsageRead)
def get_account_usage(
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: PathId,
    as_of: AsOf = None,
    key_event: KeyEvent = None,
) -> AccountUsageRead:
    """An account's adoption measures (DAU/WAU/MAU, seats, breadth, last seen) as of a day,
    its events and active users on each of the 90 days up to it, and its top events."""
    usage = account_usage(
        session=session,
        account_id=account_id,
        as_of=as_of or clock.today(),
        days=SERIES_DAYS,
        key_event=key_event,
    )
    return account_usage_read(usage)
