"""Pages of accounts: the portfolio home, the account list and the account 360."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from headway.accounts.presenters import (
    ListQuery,
    duration,
    major_units,
    owner_candidates,
    page_numbers,
    portfolio_table,
    sort_links,
)
from headway.accounts.schemas import AccountSort, AccountUpdate
from headway.accounts.sections import account_context, after_account_write, wants_fragment
from headway.accounts.service import (
    change_stage,
    count_by_segment_and_stage,
    get_account,
    list_segments,
    list_stages,
    update_account,
)
from headway.core import clock
from headway.core.errors import InvalidInput
from headway.revenue.service import (
    change_account,
    currencies_in_use,
    list_accounts_with_mrr,
    mrr_by_segment_and_stage,
)
from headway.users.service import list_users
from headway.web.auth import PageUser, SessionDep, settings_of, verify_csrf
from headway.web.params import PageNumber, PathId
from headway.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


# --- portfolio home ------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def portfolio_home(request: Request, session: SessionDep, principal: PageUser) -> Response:
    """Accounts and MRR by segment and lifecycle stage."""
    currency = settings_of(request).reporting_currency
    today = clock.today()
    segments = list_segments(session=session)
    stages = list_stages(session=session)
    columns, rows, column_totals, grand = portfolio_table(
        segments,
        stages,
        count_by_segment_and_stage(session=session),
        mrr_by_segment_and_stage(session=session, on=today, currency=currency),
    )
    chart = {
        "kind": "stacked-bar",
        "currency": currency,
        "labels": [row.name for row in rows],
        "datasets": [
            {
                "label": stage_name,
                "key": stage_key or "none",
                "data": [major_units(row.cells[index].mrr_minor, currency) for row in rows],
            }
            for index, (stage_key, stage_name) in enumerate(columns)
            if column_totals[index].mrr_minor > 0
        ],
    }
    other_currencies = [c for c in currencies_in_use(session=session) if c != currency]
    return render(
        request,
        "accounts/home.html",
        {
            "currency": currency,
            "today": today,
            "columns": columns,
            "rows": rows,
            "column_totals": column_totals,
            "grand": grand,
            "chart": chart if chart["datasets"] else None,
            "other_currencies": other_currencies,
        },
    )


# --- account list --------------------------------------------------------------------------
@router.get("/accounts", response_class=HTMLResponse)
def account_list(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    q: Annotated[str, Query(max_length=200)] = "",
    segment: Annotated[str, Query(max_length=64)] = "",
    stage: Annotated[str, Query(max_length=64)] = "",
    owner: Annotated[str, Query(max_length=20)] = "",
    sort: AccountSort = AccountSort.NAME,
    page: PageNumber = 1,
) -> Response:
    """Search, filter, sort and page through accounts; htmx gets only the results."""
    settings = settings_of(request)
    currency = settings.reporting_currency
    query = ListQuery(q=q, segment=segment, stage=stage, owner=owner, sort=sort, page=page)
    per_page = settings.page_size
    now = clock.now()
    rows, total = list_accounts_with_mrr(
        session=session,
        filters=query.account_filter(),
        sort=sort,
        page=page,
        per_page=per_page,
        on=now.date(),
        currency=currency,
    )
    # No MRR in the reporting currency shows as "—": it may be paid in another currency.
    mrr = {r.account.id: r.mrr_minor for r in rows if r.mrr_minor}
    pages = max(1, -(-total // per_page))
    context: dict[str, Any] = {
        "rows": rows,
        "mrr": mrr,
        "in_stage": {r.account.id: duration(r.account.stage_entered_at, now) for r in rows},
        "total": total,
        "page": page,
        "pages": pages,
        "first_shown": (page - 1) * per_page + 1 if rows else 0,
        "last_shown": (page - 1) * per_page + len(rows),
        "page_numbers": page_numbers(page, pages),
        "query": query,
        "sort_links": sort_links(query),
        "currency": currency,
    }
    if wants_fragment(request):
        context["fragment"] = True
        response: Response = render(request, "accounts/_results.html", context)
    else:
        context.update(
            segments=list_segments(session=session),
            stages=list_stages(session=session),
            owners=owner_candidates(list_users(session=session)),
        )
        response = render(request, "accounts/list.html", context)
    # The same URL answers a page or a fragment: caches must keep them apart.
    response.headers["Vary"] = "HX-Request"
    return response


# --- account 360 ---------------------------------------------------------------------------


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_360(
    request: Request, session: SessionDep, principal: PageUser, account_id: PathId
) -> Response:
    """One account: profile, owner, segment, stage, contacts, revenue and timeline."""
    account = get_account(session=session, account_id=account_id)
    response: Response = render(
        request, "accounts/detail.html", account_context(request, session, principal, account)
    )
    return response


@router.post("/accounts/{account_id}/stage")
def change_account_stage(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    stage: Annotated[str, Form(max_length=64)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Move an account to a lifecycle stage, with a reason."""
    account = get_account(session=session, account_id=account_id)
    before = account.stage_id
    account = change_stage(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        account_id=account_id,
        stage=stage,
        reason=reason.strip(),
    )
    name = account.stage.name if account.stage else stage
    notice = f"Moved to {name}." if account.stage_id != before else f"Already in {name}."
    return after_account_write(request, session, principal, account_id, notice)


@router.post("/accounts/{account_id}/owner")
def assign_account_owner(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    owner: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Assign the owner CSM of an account (admins and managers), or leave it unowned."""
    if owner and not owner.isdigit():
        raise InvalidInput(f"owner must be a user id, not {owner!r}")
    owner_id = int(owner) if owner else None
    update_account(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        account_id=account_id,
        changes=AccountUpdate(owner_id=owner_id),
    )
    notice = "Owner assigned." if owner_id else "The account has no owner now."
    return after_account_write(request, session, principal, account_id, notice)


@router.post("/accounts/{account_id}/segment")
def set_account_segment(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    segment: Annotated[str, Form(max_length=64)],
) -> Response:
    """Set an account's segment by hand, or hand it back to the ARR rule ("rule")."""
    changes = (
        AccountUpdate(segment_by_rule=True) if segment == "rule" else AccountUpdate(segment=segment)
    )
    account = change_account(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        account_id=account_id,
        changes=changes,
        reporting_currency=settings_of(request).reporting_currency,
    )
    name = account.segment.name if account.segment else "no segment"
    notice = (
        f"The ARR rule puts the account in {name}."
        if segment == "rule"
        else f"Segment set to {name} by hand."
    )
    return after_account_write(request, session, principal, account_id, notice)
