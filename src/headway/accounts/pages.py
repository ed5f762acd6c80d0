"""Pages of accounts: the portfolio home, the account list and the account 360."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from headway.accounts.models import Account, LifecycleStage, Segment
from headway.accounts.schemas import AccountFilter, AccountSort, AccountUpdate
from headway.accounts.service import (
    change_stage,
    count_by_segment_and_stage,
    get_account,
    list_accounts,
    list_children,
    list_segments,
    list_stage_changes,
    list_stages,
    update_account,
)
from headway.contacts.service import list_contacts
from headway.core import clock
from headway.core.errors import InvalidInput
from headway.core.fields import MAX_DB_INT
from headway.core.money import minor_exponent
from headway.core.timeline import TimelineEntry, account_timeline
from headway.revenue.mrr import monthly_minor
from headway.revenue.service import (
    account_mrr_series,
    currencies_in_use,
    list_subscriptions,
    mrr_by_account,
    mrr_by_account_query,
    mrr_by_segment_and_stage,
)
from headway.users.models import Role, User
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


def _duration(since: datetime | date | None, until: datetime | date) -> str:
    """Say how long from one moment to another in the largest unit that reads well."""
    if since is None:
        return "—"
    start = since.date() if isinstance(since, datetime) else since
    end = until.date() if isinstance(until, datetime) else until
    days = (end - start).days
    if days < 1:
        return "less than a day"
    if days < 60:
        return "1 day" if days == 1 else f"{days} days"
    if days < 730:
        return f"{round(days / 30.44)} months"
    return f"{days / 365.25:.1f} years"


def _major(minor: float, currency: str) -> float:
    return round(minor / 10 ** minor_exponent(currency), 2)


def _people_who_own_accounts(people: list[User]) -> list[User]:
    # Viewers only read, so they are never offered as owners.
    return [p for p in people if p.active and p.role != Role.VIEWER.value]


# --- portfolio home ------------------------------------------------------------------------


@dataclass
class Cell:
    """Accounts and MRR of one segment × stage."""

    accounts: int = 0
    paying: int = 0
    mrr_minor: float = 0.0

    def add(self, other: Cell) -> None:
        self.accounts += other.accounts
        self.paying += other.paying
        self.mrr_minor += other.mrr_minor


@dataclass
class PortfolioRow:
    key: str | None
    name: str
    cells: list[Cell]
    total: Cell = field(default_factory=Cell)


def _portfolio(
    segments: list[Segment],
    stages: list[LifecycleStage],
    counts: list[tuple[str | None, str | None, int]],
    revenue: list[tuple[str | None, str | None, int, float]],
) -> tuple[list[tuple[str | None, str]], list[PortfolioRow], list[Cell], Cell]:
    """Pivot the counts and MRR into segment rows × stage columns, with totals."""
    cells: dict[tuple[str | None, str | None], Cell] = {}
    for segment_key, stage_key, accounts in counts:
        cells.setdefault((segment_key, stage_key), Cell()).accounts += accounts
    for segment_key, stage_key, paying, mrr in revenue:
        cell = cells.setdefault((segment_key, stage_key), Cell())
        cell.paying += paying
        cell.mrr_minor += mrr
    row_keys: list[tuple[str | None, str]] = [(s.key, s.name) for s in segments]
    columns: list[tuple[str | None, str]] = [(s.key, s.name) for s in stages]
    # Accounts without a segment (or stage) get their own row (column), only when there are some.
    if any(seg is None for seg, _ in cells):
        row_keys.append((None, "No segment"))
    if any(stage is None for _, stage in cells):
        columns.append((None, "No stage"))
    rows: list[PortfolioRow] = []
    column_totals = [Cell() for _ in columns]
    grand = Cell()
    for segment_key, segment_name in row_keys:
        row = PortfolioRow(segment_key, segment_name, [])
        for index, (stage_key, _) in enumerate(columns):
            cell = cells.get((segment_key, stage_key), Cell())
            row.cells.append(cell)
            row.total.add(cell)
            column_totals[index].add(cell)
            grand.add(cell)
        rows.append(row)
    return columns, rows, column_totals, grand


@router.get("/", response_class=HTMLResponse)
def portfolio_home(request: Request, session: SessionDep, principal: PageUser) -> Response:
    """Accounts and MRR by segment and lifecycle stage."""
    currency = settings_of(request).reporting_currency
    today = clock.today()
    segments = list_segments(session=session)
    stages = list_stages(session=session)
    columns, rows, column_totals, grand = _portfolio(
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
                "data": [_major(row.cells[index].mrr_minor, currency) for row in rows],
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

# Which way a column sorts on its first click: names A→Z, the largest MRR and newest first,
# the longest time in stage first.
SORTABLE_COLUMNS: dict[str, tuple[AccountSort, AccountSort]] = {
    "name": (AccountSort.NAME, AccountSort.NAME_DESC),
    "mrr": (AccountSort.MRR_DESC, AccountSort.MRR),
    "created": (AccountSort.CREATED_DESC, AccountSort.CREATED),
    "in_stage": (AccountSort.STAGE_ENTERED, AccountSort.STAGE_ENTERED_DESC),
}


@dataclass(frozen=True)
class ListQuery:
    """What an account list URL asks for, so links can change one part and keep the rest."""

    q: str = ""
    segment: str = ""
    stage: str = ""
    owner: str = ""
    sort: AccountSort = AccountSort.NAME
    page: int = 1

    def url(self, **changes: Any) -> str:
        values = {**asdict(self), **changes}
        params = {
            name: str(value)
            for name, value in values.items()
            if value not in ("", None)
            and not (name == "sort" and value == AccountSort.NAME)
            and not (name == "page" and value == 1)
        }
        return "/accounts" + (f"?{urlencode(params)}" if params else "")

    def account_filter(self) -> AccountFilter:
        owner_id: int | None = None
        if self.owner and self.owner != "unowned":
            if not self.owner.isdigit() or not 1 <= int(self.owner) <= MAX_DB_INT:
                raise InvalidInput(f"owner must be a user id or 'unowned', not {self.owner!r}")
            owner_id = int(self.owner)
        return AccountFilter(
            q=self.q.strip() or None,
            segment=self.segment or None,
            stage=self.stage or None,
            owner_id=owner_id,
            unowned=self.owner == "unowned",
        )


def _sort_links(query: ListQuery) -> dict[str, dict[str, str | None]]:
    links: dict[str, dict[str, str | None]] = {}
    for column, (first, second) in SORTABLE_COLUMNS.items():
        direction = None
        if query.sort in (first, second):
            direction = "desc" if query.sort.value.startswith("-") else "asc"
        following = second if query.sort == first else first
        links[column] = {"url": query.url(sort=following, page=1), "direction": direction}
    return links


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """The first, the last and two either side of the current page; None marks a gap."""
    wanted = {1, pages, *range(page - 2, page + 3)}
    numbers: list[int | None] = []
    for number in sorted(n for n in wanted if 1 <= n <= pages):
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


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
    by_mrr = sort in (AccountSort.MRR, AccountSort.MRR_DESC)
    # Only a sort by MRR needs every account's MRR; otherwise the page's MRR is one small
    # indexed query (at 100 k accounts on PostgreSQL: 380 ms for all, a few ms for a page).
    rows, total = list_accounts(
        session=session,
        filters=query.account_filter(),
        sort=sort,
        page=page,
        per_page=per_page,
        mrr_query=mrr_by_account_query(on=now.date(), currency=currency) if by_mrr else None,
    )
    mrr = (
        {r.account.id: r.mrr_minor for r in rows}
        if by_mrr
        else mrr_by_account(
            session=session,
            on=now.date(),
            currency=currency,
            account_ids=[r.account.id for r in rows],
        )
    )
    pages = max(1, -(-total // per_page))
    context: dict[str, Any] = {
        "rows": rows,
        "mrr": mrr,
        "in_stage": {r.account.id: _duration(r.account.stage_entered_at, now) for r in rows},
        "total": total,
        "page": page,
        "pages": pages,
        "first_shown": (page - 1) * per_page + 1 if rows else 0,
        "last_shown": (page - 1) * per_page + len(rows),
        "page_numbers": _page_numbers(page, pages),
        "query": query,
        "sort_links": _sort_links(query),
        "currency": currency,
    }
    if _wants_fragment(request):
        context["fragment"] = True
        response: Response = render(request, "accounts/_results.html", context)
    else:
        context.update(
            segments=list_segments(session=session),
            stages=list_stages(session=session),
            owners=_people_who_own_accounts(list_users(session=session)),
        )
        response = render(request, "accounts/list.html", context)
    # The same URL answers a page or a fragment: caches must keep them apart.
    response.headers["Vary"] = "HX-Request"
    return response


# --- account 360 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StagePeriod:
    """One stay of an account in a lifecycle stage."""

    stage: LifecycleStage
    from_stage: LifecycleStage | None
    entered_at: datetime
    lasted: str
    current: bool
    changed_by: str
    reason: str


@dataclass(frozen=True)
class SubscriptionLine:
    """A subscription as the 360 page lists it."""

    plan: str
    external_id: str
    amount_minor: int
    currency: str
    interval: str
    quantity: int
    monthly_minor: float
    start_date: date
    end_date: date | None
    status: str  # "active", "ended" or "future"


_FIELD_NAMES = {"owner_id": "owner", "segment_id": "segment", "stage_id": "stage"}


def _timeline_lines(entries: list[TimelineEntry]) -> list[dict[str, Any]]:
    """Timeline entries as lines to show: business events plain, records of edits muted."""
    lines = []
    for entry in entries:
        before, after = entry.details.get("before"), entry.details.get("after")
        # Audit rows carry before/after: they record an edit made in Headway.
        is_record = "after" in entry.details
        note = str(entry.details.get("reason") or "")
        if is_record and isinstance(after, dict):
            if before and set(after) <= {"stage_id"}:
                continue  # the stage entry tells the same change, with its reason
            if before:
                fields = [_FIELD_NAMES.get(name, name.replace("_", " ")) for name in after]
                note = "changed " + ", ".join(fields)
            else:
                note = str(after.get("plan") or after.get("name") or after.get("email") or "")
        elif entry.details.get("subscription_id"):
            note = f"subscription {entry.details['subscription_id']}"
        lines.append(
            {
                "at": entry.at,
                "kind": entry.kind,
                "record": is_record,
                "title": entry.title,
                "note": note,
                "actor": entry.actor,
            }
        )
    return lines


def _stage_periods(session: Session, account_id: int, now: datetime) -> list[StagePeriod]:
    changes = list_stage_changes(session=session, account_id=account_id)
    periods = []
    for index, change in enumerate(changes):
        following = changes[index + 1].changed_at if index + 1 < len(changes) else None
        periods.append(
            StagePeriod(
                stage=change.to_stage,
                from_stage=change.from_stage,
                entered_at=change.changed_at,
                lasted=_duration(change.changed_at, following or now),
                current=following is None,
                changed_by=change.changed_by,
                reason=change.reason,
            )
        )
    return list(reversed(periods))


def _mrr_chart(series: list[tuple[date, dict[str, float]]]) -> dict[str, Any] | None:
    currencies = sorted({c for _, by_currency in series for c in by_currency})
    if not currencies:
        return None
    return {
        "kind": "mrr-series",
        "labels": [end.isoformat() for end, _ in series],
        "datasets": [
            {
                "label": currency,
                "currency": currency,
                "data": [_major(point.get(currency, 0.0), currency) for _, point in series],
            }
            for currency in currencies
        ],
    }


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
    series = account_mrr_series(session=session, account_id=account.id, until=today)
    lines = [
        SubscriptionLine(
            plan=s.plan,
            external_id=s.external_id,
            amount_minor=s.amount_minor,
            currency=s.currency,
            interval=s.interval,
            quantity=s.quantity,
            monthly_minor=monthly_minor(s.amount_minor, s.interval, s.quantity),
            start_date=s.start_date,
            end_date=s.end_date,
            status=(
                "future"
                if s.start_date > today
                else "ended"
                if s.end_date is not None and s.end_date <= today
                else "active"
            ),
        )
        for s in subscriptions
    ]
    mrr_now = {c: v for c, v in (series[-1][1] if series else {}).items() if v > 0}
    return {
        "account": account,
        "owner": next((p for p in people if p.id == account.owner_id), None),
        "owners": _people_who_own_accounts(people),
        "parent": account.parent,
        "children": list_children(session=session, account_id=account.id),
        "segments": list_segments(session=session),
        "stages": list_stages(session=session),
        "time_in_stage": _duration(account.stage_entered_at, now),
        "stage_periods": _stage_periods(session, account.id, now),
        "contacts": contacts,
        "contacts_total": contacts_total,
        "subscriptions": lines,
        "subscriptions_total": subscriptions_total,
        "mrr_now": mrr_now,
        "chart": _mrr_chart(series),
        "timeline": _timeline_lines(account_timeline(session, account.id, limit=SHOWN_TIMELINE)),
        "timeline_limit": SHOWN_TIMELINE,
        "can_edit": principal.permissions.can_edit_account(account.owner_id),
        "can_assign": principal.permissions.can_assign_owner,
        "reporting_currency": settings_of(request).reporting_currency,
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
    account = update_account(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        account_id=account_id,
        changes=changes,
    )
    notice = (
        "The ARR rule chooses the segment from the next re-segmentation on."
        if segment == "rule"
        else f"Segment set to {account.segment.name if account.segment else segment} by hand."
    )
    return _after_write(request, session, principal, account_id, notice)
