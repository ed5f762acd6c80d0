"""Pages of accounts: the portfolio home, the account list and the account 360."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.presenters import (
    ListQuery,
    duration,
    major_units,
    movement_lines,
    mrr_chart,
    owner_candidates,
    page_numbers,
    portfolio_table,
    sort_links,
    stage_periods,
    subscription_lines,
    timeline_lines,
)
from headway.accounts.schemas import AccountSort, AccountUpdate
from headway.accounts.service import (
    change_stage,
    count_by_segment_and_stage,
    get_account,
    list_children,
    list_segments,
    list_stage_changes,
    list_stages,
    update_account,
)
from headway.contacts.service import list_contacts
from headway.core import clock
from headway.core.errors import InvalidInput
from headway.core.timeline import account_timeline
from headway.revenue.service import (
    RevenueOptions,
    account_mrr_series,
    account_revenue_movements,
    change_account,
    currencies_in_use,
    list_accounts_with_mrr,
    list_subscriptions,
    mrr_by_segment_and_stage,
)
from headway.users.service import list_users
from headway.web.auth import PageUser, Principal, SessionDep, settings_of, verify_csrf
from headway.web.params import PageNumber, PathId
from headway.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

# A 360 page shows this much of each list; the API pages through the rest.
SHOWN_CONTACTS = 100
SHOWN_SUBSCRIPTIONS = 100
SHOWN_TIMELINE = 100


# --- shared helpers ------------------------------------------------------------------------


def _wants_fragment(request: Request) -> bool:
    # htmx asks with HX-Request; a history restore after a cache miss needs the whole page.
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


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
    if _wants_fragment(request):
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


def _account_context(
    request: Request, session: Session, principal: Principal, account: Account
) -> dict[str, Any]:
    """Everything the account 360 page shows about one account."""
    now = clock.now()
    today = now.date()
    people = list_users(session=session)
    subscriptions, subscriptions_total = list_subscriptions(
        session=session, account_id=account.id, per_page=SHOWN_SUBSCRIPTIONS
    )
    contacts, contacts_total = list_contacts(
        session=session, account_id=account.id, per_page=SHOWN_CONTACTS
    )
    changes = list_stage_changes(session=session, account_id=account.id)
    series = account_mrr_series(session=session, account_id=account.id, until=today)
    lines = subscription_lines(subscriptions, today)
    mrr_now = {c: v for c, v in (series[-1][1] if series else {}).items() if v > 0}
    settings = settings_of(request)
    movements: list[dict[str, Any]] = []
    movements_problem: str | None = None
    try:
        revenue = account_revenue_movements(
            session=session,
            account_id=account.id,
            options=RevenueOptions.from_settings(settings),
            until=today,
        )
        movements = movement_lines(revenue)
    except InvalidInput as error:
        # A missing exchange rate must not hide the rest of the account: say what is missing.
        movements_problem = str(error)
    return {
        "account": account,
        "owner": next((p for p in people if p.id == account.owner_id), None),
        "owners": owner_candidates(people),
        "parent": account.parent,
        "children": list_children(session=session, account_id=account.id),
        "segments": list_segments(session=session),
        "stages": list_stages(session=session),
        "time_in_stage": duration(account.stage_entered_at, now),
        "stage_periods": stage_periods(changes, now),
        "contacts": contacts,
        "contacts_total": contacts_total,
        "subscriptions": lines,
        "subscriptions_total": subscriptions_total,
        "mrr_now": mrr_now,
        "chart": mrr_chart(series),
        "movements": movements,
        "movements_problem": movements_problem,
        "timeline": timeline_lines(account_timeline(session, account.id, limit=SHOWN_TIMELINE)),
        "timeline_limit": SHOWN_TIMELINE,
        "can_edit": principal.permissions.can_edit_account(account.owner_id),
        "can_assign": principal.permissions.can_assign_owner,
        "reporting_currency": settings.reporting_currency,
        "notice": None,
    }


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_360(
    request: Request, session: SessionDep, principal: PageUser, account_id: PathId
) -> Response:
    """One account: profile, owner, segment, stage, contacts, revenue and timeline."""
    account = get_account(session=session, account_id=account_id)
    response: Response = render(
        request, "accounts/detail.html", _account_context(request, session, principal, account)
    )
    return response


def _after_write(
    request: Request, session: Session, principal: Principal, account_id: int, notice: str
) -> Response:
    """htmx gets the refreshed 360 content with a notice; a plain form post is redirected."""
    if not _wants_fragment(request):
        return RedirectResponse(f"/accounts/{account_id}", status_code=303)
    session.expire_all()
    account = get_account(session=session, account_id=account_id)
    context = _account_context(request, session, principal, account)
    context["notice"] = notice
    response: Response = render(request, "accounts/_account.html", context)
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
    return _after_write(request, session, principal, account_id, notice)


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
    return _after_write(request, session, principal, account_id, notice)


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
    return _after_write(request, session, principal, account_id, notice)
