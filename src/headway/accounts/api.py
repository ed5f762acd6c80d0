"""JSON API of accounts, segments and lifecycle stages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from headway.accounts.schemas import (
    AccountCreate,
    AccountFilter,
    AccountRead,
    AccountSort,
    AccountUpdate,
    SegmentRead,
    StageRead,
    TimelineEntryRead,
    account_read,
)
from headway.accounts.service import (
    create_account,
    get_account,
    list_segments,
    list_stages,
)
from headway.core import clock
from headway.core.pagination import Page
from headway.core.timeline import account_timeline
from headway.revenue.service import change_account, list_accounts_with_mrr, mrr_by_account
from headway.web.auth import ApiPrincipal, SessionDep, settings_of
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PageNumber, PathId, PerPage

router = APIRouter(tags=["accounts"], responses=API_ERROR_RESPONSES)


@router.get("/accounts", response_model=Page[AccountRead])
def get_accounts(
    request: Request,
    session: SessionDep,
    principal: ApiPrincipal,
    filters: Annotated[AccountFilter, Query()],
    sort: AccountSort = AccountSort.NAME,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> Page[AccountRead]:
    """List accounts with filters, sorting and pages; MRR is today's, in the reporting currency."""
    currency = settings_of(request).reporting_currency
    rows, total = list_accounts_with_mrr(
        session=session,
        filters=filters,
        sort=sort,
        page=page,
        per_page=per_page,
        on=clock.today(),
        currency=currency,
    )
    return Page[AccountRead](
        items=[account_read(r.account, r.mrr_minor, currency) for r in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.get("/accounts/{account_id}", response_model=AccountRead)
def get_one_account(
    request: Request, session: SessionDep, principal: ApiPrincipal, account_id: PathId
) -> AccountRead:
    """Return one account."""
    currency = settings_of(request).reporting_currency
    account = get_account(session=session, account_id=account_id)
    mrr = mrr_by_account(
        session=session, on=clock.today(), currency=currency, account_ids=[account_id]
    )
    return account_read(account, mrr.get(account_id, 0.0), currency)


@router.post("/accounts", response_model=AccountRead, status_code=201)
def post_account(
    request: Request, session: SessionDep, principal: ApiPrincipal, data: AccountCreate
) -> AccountRead:
    """Create an account (admins and managers)."""
    account = create_account(
        session=session, actor=principal.actor, permissions=principal.permissions, data=data
    )
    return account_read(account, 0.0, settings_of(request).reporting_currency)


@router.patch("/accounts/{account_id}", response_model=AccountRead)
def patch_account(
    request: Request,
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: PathId,
    changes: AccountUpdate,
) -> AccountRead:
    """Change an account: a CSM changes their own accounts; managers assign owners."""
    account = change_account(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        account_id=account_id,
        changes=changes,
        reporting_currency=settings_of(request).reporting_currency,
    )
    return get_one_account(request, session, principal, account.id)


@router.get("/accounts/{account_id}/timeline", response_model=list[TimelineEntryRead])
def get_timeline(
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: PathId,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[TimelineEntryRead]:
    """Return what happened to an account, newest first."""
    get_account(session=session, account_id=account_id)
    return [
        TimelineEntryRead(at=e.at, kind=e.kind, title=e.title, actor=e.actor, details=e.details)
        for e in account_timeline(session, account_id, limit=limit)
    ]


@router.get("/segments", response_model=list[SegmentRead])
def get_segments(session: SessionDep, principal: ApiPrincipal) -> list[SegmentRead]:
    """List segments with their ARR rule and Appropriate Experience."""
    return [SegmentRead.model_validate(s) for s in list_segments(session=session)]


@router.get("/lifecycle-stages", response_model=list[StageRead])
def get_stages(session: SessionDep, principal: ApiPrincipal) -> list[StageRead]:
    """List lifecycle stages and states in order."""
    return [StageRead.model_validate(s) for s in list_stages(session=session)]
