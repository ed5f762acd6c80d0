"""How the account pages present data: pivots, durations, sort links, chart series.

Plain functions over what the services return; no session, no clock (the caller passes `now`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from headway.accounts.models import LifecycleStage, Segment, StageChange
from headway.accounts.schemas import AccountFilter, AccountSort
from headway.core.errors import InvalidInput
from headway.core.fields import MAX_DB_INT
from headway.core.money import minor_exponent
from headway.core.timeline import TimelineEntry
from headway.revenue.metrics import Movement, month_label
from headway.revenue.models import Subscription
from headway.revenue.mrr import monthly_minor
from headway.revenue.service import AccountRevenue
from headway.users.models import Role, User


def duration(since: datetime | date | None, until: datetime | date) -> str:
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


def major_units(minor: float, currency: str) -> float:
    return round(minor / 10 ** minor_exponent(currency), 2)


def owner_candidates(people: list[User]) -> list[User]:
    # Viewers only read, so they are never offered as owners.
    return [p for p in people if p.active and p.role != Role.VIEWER.value]


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


def portfolio_table(
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


def sort_links(query: ListQuery) -> dict[str, dict[str, str | None]]:
    links: dict[str, dict[str, str | None]] = {}
    for column, (first, second) in SORTABLE_COLUMNS.items():
        direction = None
        if query.sort in (first, second):
            direction = "desc" if query.sort.value.startswith("-") else "asc"
        following = second if query.sort == first else first
        links[column] = {"url": query.url(sort=following, page=1), "direction": direction}
    return links


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The first, the last and two either side of the current page; None marks a gap."""
    wanted = {1, pages, *range(page - 2, page + 3)}
    numbers: list[int | None] = []
    for number in sorted(n for n in wanted if 1 <= n <= pages):
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


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


def timeline_lines(entries: list[TimelineEntry]) -> list[dict[str, Any]]:
    """Timeline entries as lines to show: business events plain, records of edits muted."""
    lines = []
    for entry in entries:
        before, after = entry.details.get("before"), entry.details.get("after")
        # Audit rows carry before/after: they record an edit made in Headway.
        is_record = "after" in entry.details
        note = str(entry.details.get("reason") or "")
        if is_record and isinstance(after, dict):
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


def stage_periods(changes: list[StageChange], now: datetime) -> list[StagePeriod]:
    """Each stay in a stage, newest first, from the stage changes oldest first."""
    periods = []
    for index, change in enumerate(changes):
        following = changes[index + 1].changed_at if index + 1 < len(changes) else None
        periods.append(
            StagePeriod(
                stage=change.to_stage,
                from_stage=change.from_stage,
                entered_at=change.changed_at,
                lasted=duration(change.changed_at, following or now),
                current=following is None,
                changed_by=change.changed_by,
                reason=change.reason,
            )
        )
    return list(reversed(periods))


def mrr_chart(series: list[tuple[date, dict[str, float]]]) -> dict[str, Any] | None:
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
                "data": [major_units(point.get(currency, 0.0), currency) for _, point in series],
            }
            for currency in currencies
        ],
    }


def subscription_lines(subscriptions: list[Subscription], today: date) -> list[SubscriptionLine]:
    """Subscriptions as the 360 page lists them, each with its status today."""
    return [
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


def movement_lines(revenue: AccountRevenue) -> list[dict[str, Any]]:
    """The months in which an account's MRR moved, newest first, in major units."""
    currency = revenue.currency
    places = minor_exponent(currency)

    def amount_text(value: float) -> str:
        # Whole amounts read better without ".00"; cents stay when there are any.
        shown = f"{abs(value):,.{places}f}"
        return shown.split(".")[0] if value == int(value) else shown

    lines = []
    for month in reversed(revenue.months):
        if month.movement is Movement.NONE:
            continue
        # The service gives the size of a move; churn and contraction take MRR away.
        sign = -1 if month.movement in (Movement.CHURN, Movement.CONTRACTION) else 1
        amount = sign * major_units(month.amount, currency)
        mrr_end = major_units(month.mrr_end, currency)
        lines.append(
            {
                "month": month_label(month.month),
                "mrr_end": mrr_end,
                "mrr_end_text": f"{currency} {amount_text(mrr_end)}",
                "kind": month.movement.name.lower(),
                "amount": amount,
                "amount_text": ("−" if amount < 0 else "+") + amount_text(amount),
            }
        )
    return lines
