"""Subscriptions and the MRR derived from them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, LifecycleStage, Segment
from headway.accounts.schemas import AccountFilter, AccountSort, AccountUpdate
from headway.accounts.service import (
    AccountRow,
    check_may_edit_account,
    get_account,
    get_segment,
    list_accounts,
    update_account,
)
from headway.accounts.service import apply_segment_rules as resegment_by_arr
from headway.config import Settings
from headway.core import clock
from headway.core.audit import Actor, changed, record_audit, snapshot
from headway.core.errors import Conflict, InvalidInput, NotFound
from headway.core.money import format_money, to_minor
from headway.core.pagination import fetch_page
from headway.core.timeline import TimelineEntry, register_timeline_source
from headway.revenue.fx import ExchangeRates, load_exchange_rates
from headway.revenue.ledger import build_ledger, read_subscriptions
from headway.revenue.metrics import (
    TTM_MONTHS,
    AccountMonth,
    CohortMeasure,
    CohortPeriod,
    CohortRow,
    PeriodMetrics,
    account_months,
    classify_movements,
    cohort_retention,
    month_end,
    month_label,
    month_number,
    month_start,
    period_metrics,
    revenue_definitions,
    total_movements,
)
from headway.revenue.models import SalesMarketingSpend, Subscription
from headway.revenue.mrr import Charge, month_ends, mrr_on
from headway.revenue.schemas import SubscriptionCreate, SubscriptionUpdate
from headway.users.service import Permissions, get_user

SUBSCRIPTION_FIELDS = [
    "external_id",
    "account_id",
    "plan",
    "amount_minor",
    "currency",
    "interval",
    "quantity",
    "start_date",
    "end_date",
]


def get_subscription(*, session: Session, subscription_id: int) -> Subscription:
    """Return a subscription by id."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is None:
        raise NotFound(f"subscription {subscription_id} does not exist")
    return subscription


def list_subscriptions(
    *,
    session: Session,
    account_id: int | None = None,
    active_on: date | None = None,
    plan: str | None = None,
    currency: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Subscription], int]:
    """List subscriptions, newest start first."""
    query: Select[Any] = select(Subscription)
    if account_id is not None:
        query = query.where(Subscription.account_id == account_id)
    if active_on is not None:
        query = query.where(_active_on(active_on))
    if plan:
        query = query.where(Subscription.plan == plan)
    if currency:
        query = query.where(Subscription.currency == currency.upper())
    rows, total = fetch_page(
        session,
        query.order_by(Subscription.start_date.desc(), Subscription.id.desc()),
        page=page,
        per_page=per_page,
    )
    return [r[0] for r in rows], total


def create_subscription(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    data: SubscriptionCreate,
    reporting_currency: str,
) -> Subscription:
    """Add a subscription to an account; the account's segment follows its new ARR."""
    check_may_edit_account(
        session=session, permissions=permissions, account_id=data.account_id, what="subscriptions"
    )
    if session.scalar(select(Subscription.id).where(Subscription.external_id == data.external_id)):
        raise Conflict(f"a subscription with the external id {data.external_id!r} exists already")
    now = clock.now()
    subscription = Subscription(
        external_id=data.external_id,
        account_id=data.account_id,
        plan=data.plan,
        amount_minor=_minor(data.amount, data.currency),
        currency=data.currency,
        interval=data.interval.value,
        quantity=data.quantity,
        start_date=data.start_date,
        end_date=data.end_date,
        created_at=now,
        updated_at=now,
    )
    session.add(subscription)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="subscription.create",
        entity_type="subscription",
        entity_id=subscription.id,
        account_id=subscription.account_id,
        before=None,
        after=snapshot(subscription, SUBSCRIPTION_FIELDS),
    )
    session.commit()
    apply_segment_rules(
        session=session,
        actor=actor,
        currency=reporting_currency,
        account_ids=[subscription.account_id],
    )
    return subscription


def _minor(amount: Any, currency: str) -> int:
    try:
        return to_minor(amount, currency)
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def update_subscription(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    subscription_id: int,
    changes: SubscriptionUpdate,
    reporting_currency: str,
) -> Subscription:
    """Change a subscription (an upgrade, a cancellation by end date, a correction)."""
    subscription = get_subscription(session=session, subscription_id=subscription_id)
    check_may_edit_account(
        session=session,
        permissions=permissions,
        account_id=subscription.account_id,
        what="subscriptions",
    )
    before = snapshot(subscription, SUBSCRIPTION_FIELDS)
    given = changes.model_dump(exclude_unset=True)
    if "amount" in given and given["amount"] is not None:
        subscription.amount_minor = _minor(given["amount"], subscription.currency)
    if given.get("interval") is not None:
        subscription.interval = given["interval"].value
    for name in ("plan", "quantity", "start_date"):
        if given.get(name) is not None:
            setattr(subscription, name, given[name])
    if "end_date" in given:
        subscription.end_date = given["end_date"]
    if subscription.end_date is not None and subscription.end_date < subscription.start_date:
        raise InvalidInput("end_date is before start_date")
    old, new = changed(before, snapshot(subscription, SUBSCRIPTION_FIELDS))
    if new:
        subscription.updated_at = clock.now()
        record_audit(
            session,
            actor=actor,
            action="subscription.update",
            entity_type="subscription",
            entity_id=subscription.id,
            account_id=subscription.account_id,
            before=old,
            after=new,
        )
    session.commit()
    apply_segment_rules(
        session=session,
        actor=actor,
        currency=reporting_currency,
        account_ids=[subscription.account_id],
    )
    return subscription


# --- MRR -----------------------------------------------------------------------------------


def _active_on(on: date) -> Any:
    return and_(
        Subscription.start_date <= on,
        or_(Subscription.end_date.is_(None), Subscription.end_date > on),
    )


def _monthly_minor_sql() -> Any:
    return case(
        (Subscription.interval == "year", Subscription.amount_minor * Subscription.quantity / 12.0),
        else_=Subscription.amount_minor * Subscription.quantity * 1.0,
    )


def mrr_by_account_query(*, on: date, currency: str) -> Select[Any]:
    """A query of (account_id, mrr in minor units) on a date, for one currency."""
    return (
        select(
            Subscription.account_id.label("account_id"), func.sum(_monthly_minor_sql()).label("mrr")
        )
        .where(_active_on(on), Subscription.currency == currency)
        .group_by(Subscription.account_id)
    )


def mrr_by_account(
    *, session: Session, on: date, currency: str, account_ids: list[int] | None = None
) -> dict[int, float]:
    """Return MRR in minor units per account on a date, in one currency."""
    query = mrr_by_account_query(on=on, currency=currency)
    if account_ids is not None:
        query = query.where(Subscription.account_id.in_(account_ids))
    return {row.account_id: float(row.mrr) for row in session.execute(query)}


def seats_by_account(
    *, session: Session, on: date, account_ids: list[int] | None = None
) -> dict[int, int]:
    """Return the seats (quantity) of the subscriptions active on a date, per account."""
    query = (
        select(Subscription.account_id, func.sum(Subscription.quantity))
        .where(_active_on(on))
        .group_by(Subscription.account_id)
    )
    if account_ids is not None:
        query = query.where(Subscription.account_id.in_(account_ids))
    return {account_id: int(seats) for account_id, seats in session.execute(query)}


def plans_of_account(*, session: Session, account_id: int, on: date) -> list[str]:
    """List the plans (products) an account subscribes to on a date."""
    query = (
        select(Subscription.plan)
        .where(_active_on(on), Subscription.account_id == account_id)
        .distinct()
        .order_by(Subscription.plan)
    )
    return list(session.scalars(query))


def currencies_in_use(*, session: Session) -> list[str]:
    """List the currencies subscriptions are charged in."""
    return list(
        session.scalars(select(Subscription.currency).distinct().order_by(Subscription.currency))
    )


def account_mrr_series(
    *, session: Session, account_id: int, until: date | None = None
) -> list[tuple[date, dict[str, float]]]:
    """Return an account's MRR per currency at each month end, from its first subscription."""
    charges = [
        Charge(s.amount_minor, s.currency, s.interval, s.quantity, s.start_date, s.end_date)
        for s in session.scalars(select(Subscription).where(Subscription.account_id == account_id))
    ]
    if not charges:
        return []
    until = until or clock.today()
    first = min(c.start_date for c in charges)
    return [(end, mrr_on(charges, min(end, until))) for end in month_ends(first, until)]


def mrr_by_segment_and_stage(
    *, session: Session, on: date, currency: str
) -> list[tuple[str | None, str | None, int, float]]:
    """Return (segment key, stage key, paying accounts, MRR in minor units) on a date."""
    per_account = mrr_by_account_query(on=on, currency=currency).subquery()
    query = (
        select(
            Segment.key,
            LifecycleStage.key,
            func.count(per_account.c.account_id),
            func.sum(per_account.c.mrr),
        )
        .select_from(per_account)
        .join(Account, Account.id == per_account.c.account_id)
        .outerjoin(Segment, Segment.id == Account.segment_id)
        .outerjoin(LifecycleStage, LifecycleStage.id == Account.stage_id)
        .where(per_account.c.mrr > 0)
        .group_by(Segment.key, LifecycleStage.key)
    )
    return [(r[0], r[1], int(r[2]), float(r[3] or 0)) for r in session.execute(query)]


def apply_segment_rules(
    *, session: Session, actor: Actor, currency: str, account_ids: list[int] | None = None
) -> int:
    """Re-segment accounts not segmented by hand (all, or those given) from their ARR today.

    Accounts paying in another currency keep their segment: their ARR in the reporting
    currency is unknown here, and counting it as 0 would drop them to the lowest tier.
    """
    today = clock.today()
    mrr = mrr_by_account(session=session, on=today, currency=currency, account_ids=account_ids)
    arr = {account_id: value * 12 for account_id, value in mrr.items()}
    foreign = select(Subscription.account_id).where(
        _active_on(today), Subscription.currency != currency
    )
    if account_ids is not None:
        foreign = foreign.where(Subscription.account_id.in_(account_ids))
    return resegment_by_arr(
        session=session,
        actor=actor,
        arr_by_account=arr,
        account_ids=account_ids,
        keep=set(session.scalars(foreign.distinct())),
    )


def change_account(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    account_id: int,
    changes: AccountUpdate,
    reporting_currency: str,
) -> Account:
    """Change an account; a segment handed back to the rule is chosen from its ARR at once."""
    update_account(
        session=session,
        actor=actor,
        permissions=permissions,
        account_id=account_id,
        changes=changes,
    )
    if changes.segment_by_rule:
        apply_segment_rules(
            session=session, actor=actor, currency=reporting_currency, account_ids=[account_id]
        )
    return get_account(session=session, account_id=account_id)


def list_accounts_with_mrr(
    *,
    session: Session,
    filters: AccountFilter,
    sort: AccountSort,
    page: int,
    per_page: int,
    on: date,
    currency: str,
) -> tuple[list[AccountRow], int]:
    """List a page of accounts, each with its MRR on a date in one currency (minor units)."""
    if sort in (AccountSort.MRR, AccountSort.MRR_DESC):
        # Sorting by MRR needs every matching account's MRR.
        return list_accounts(
            session=session,
            filters=filters,
            sort=sort,
            page=page,
            per_page=per_page,
            mrr_query=mrr_by_account_query(on=on, currency=currency),
        )
    # Otherwise only the page's accounts need it: one small indexed query instead of all
    # (at 100 k accounts on PostgreSQL, a few ms instead of about 400 ms).
    rows, total = list_accounts(
        session=session, filters=filters, sort=sort, page=page, per_page=per_page
    )
    mrr = mrr_by_account(
        session=session, on=on, currency=currency, account_ids=[r.account.id for r in rows]
    )
    return [replace(r, mrr_minor=mrr.get(r.account.id, 0.0)) for r in rows], total


@register_timeline_source
def _subscription_entries(session: Session, account_id: int, limit: int) -> list[TimelineEntry]:
    """Starts and ends of an account's subscriptions, as business events on their dates."""
    today = clock.today()
    entries: list[TimelineEntry] = []
    subscriptions = session.scalars(
        select(Subscription)
        .where(Subscription.account_id == account_id)
        .order_by(Subscription.start_date.desc())
        .limit(limit)
    )
    for s in subscriptions:
        price = f"{format_money(s.amount_minor, s.currency)}/{s.interval} × {s.quantity}"
        details = {"subscription_id": s.external_id, "plan": s.plan}
        if s.start_date <= today:
            entries.append(
                TimelineEntry(
                    at=_midnight(s.start_date),
                    kind="subscription",
                    title=f"Subscription {s.plan} started ({price})",
                    details=details,
                )
            )
        if s.end_date is not None and s.end_date <= today:
            entries.append(
                TimelineEntry(
                    at=_midnight(s.end_date),
                    kind="subscription",
                    title=f"Subscription {s.plan} ended",
                    details=details,
                )
            )
    return entries


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# --- Revenue metrics: movements, retention, LTV, CAC and cohorts (docs/metrics.md) ----------

# Longest period (or cohort range) one request may cover: 10 years of month ends per account.
MAX_PERIOD_MONTHS = 120
DEFAULT_MONTHLY_COHORTS = 12
DEFAULT_QUARTERLY_COHORTS = 8


@dataclass(frozen=True)
class RevenueOptions:
    """The settings revenue metrics follow."""

    reporting_currency: str
    gross_margin: float = 0.8
    reactivation_window_days: int | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, *, reactivation_window_days: int | None = None
    ) -> RevenueOptions:
        """The options of the configured settings, with an optional reactivation window."""
        return cls(
            reporting_currency=settings.reporting_currency,
            gross_margin=settings.gross_margin,
            reactivation_window_days=(
                settings.reactivation_window_days
                if reactivation_window_days is None
                else reactivation_window_days
            ),
        )


@dataclass(frozen=True)
class RevenueReport:
    """Metrics of a period (or of each of its months), and how they were computed."""

    periods: list[PeriodMetrics]
    currency: str
    converted_currencies: list[str]
    definitions: dict[str, tuple[str, str]]
    segment: str | None
    owner_id: int | None


@dataclass(frozen=True)
class CohortReport:
    """A cohort retention matrix, and how it was computed."""

    by: CohortPeriod
    measure: CohortMeasure
    last_month: int
    cohorts: list[CohortRow]
    currency: str
    converted_currencies: list[str]
    segment: str | None
    owner_id: int | None


@dataclass(frozen=True)
class AccountRevenue:
    """One account's month-end MRR and movement of each month, in the reporting currency."""

    account_id: int
    months: list[AccountMonth]
    currency: str
    converted_currencies: list[str]


def revenue_metrics(
    *,
    session: Session,
    options: RevenueOptions,
    first_month: date | None = None,
    last_month: date | None = None,
    segment: str | None = None,
    owner_id: int | None = None,
    by_month: bool = False,
) -> RevenueReport:
    """Compute the revenue metrics of a period of whole months, or of each of its months.

    The period defaults to the 12 months ending with the last complete one.
    """
    last = month_number(last_month) if last_month else month_number(clock.today()) - 1
    first = month_number(first_month) if first_month else last - 11
    _check_period(first, last)
    segment_id, owner_id = _filters(session, segment, owner_id)
    subscriptions = read_subscriptions(session=session, segment_id=segment_id, owner_id=owner_id)
    filtered = segment_id is not None or owner_id is not None
    spend_rows = [] if filtered else _spend_rows(session, first, last)
    rates = load_exchange_rates(
        session=session,
        reporting_currency=options.reporting_currency,
        currencies={*subscriptions.currencies, *(currency for _, currency, _ in spend_rows)},
        until=month_end(last),
    )
    # Cohort NRR and GRR look 12 months back from each month's end.
    ledger = build_ledger(
        subscriptions, first_month=first - TTM_MONTHS, last_month=last, rates=rates
    )
    spend, spend_currencies = _monthly_spend(spend_rows, first, last, rates)
    movements = classify_movements(
        ledger.matrix, reactivation_window_days=options.reactivation_window_days
    )
    totals = total_movements(ledger.matrix, movements)
    spans = [(m, m) for m in range(first, last + 1)] if by_month else [(first, last)]
    periods = [
        period_metrics(
            ledger.matrix,
            movements,
            totals,
            first_month=start,
            last_month=end,
            gross_margin=options.gross_margin,
            spend=_spend_of(spend, start - first, end - first),
        )
        for start, end in spans
    ]
    return RevenueReport(
        periods=periods,
        currency=options.reporting_currency,
        converted_currencies=sorted({*ledger.converted_currencies, *spend_currencies}),
        definitions=revenue_definitions(
            reactivation_window_days=options.reactivation_window_days,
            gross_margin=options.gross_margin,
        ),
        segment=segment,
        owner_id=owner_id,
    )


def cohort_retention_matrix(
    *,
    session: Session,
    options: RevenueOptions,
    by: CohortPeriod = CohortPeriod.MONTH,
    measure: CohortMeasure = CohortMeasure.LOGOS,
    first_month: date | None = None,
    last_month: date | None = None,
    segment: str | None = None,
    owner_id: int | None = None,
) -> CohortReport:
    """Compute the retention of each monthly (or quarterly) cohort of first-paying accounts.

    Cohorts from first_month to last_month (default: the 12 months or 8 quarters ending with the
    last complete month), each measured at the end of every later period up to last_month.
    """
    step = 3 if by is CohortPeriod.QUARTER else 1
    last = month_number(last_month) if last_month else month_number(clock.today()) - 1
    count = DEFAULT_QUARTERLY_COHORTS if step == 3 else DEFAULT_MONTHLY_COHORTS
    first = month_number(first_month) if first_month else last - last % step - step * (count - 1)
    first -= first % step
    _check_period(first, last)
    segment_id, owner_id = _filters(session, segment, owner_id)
    subscriptions = read_subscriptions(session=session, segment_id=segment_id, owner_id=owner_id)
    # Logo retention needs only who pays, which no exchange rate changes.
    rates = (
        load_exchange_rates(
            session=session,
            reporting_currency=options.reporting_currency,
            currencies=subscriptions.currencies,
            until=month_end(last),
        )
        if measure is CohortMeasure.MRR
        else None
    )
    ledger = build_ledger(subscriptions, first_month=first, last_month=last, rates=rates)
    cohorts = cohort_retention(
        ledger.matrix, by=by, measure=measure, first_cohort=first, last_cohort=last
    )
    return CohortReport(
        by=by,
        measure=measure,
        last_month=last,
        cohorts=cohorts,
        currency=options.reporting_currency,
        converted_currencies=ledger.converted_currencies,
        segment=segment,
        owner_id=owner_id,
    )


def account_revenue_movements(
    *, session: Session, account_id: int, options: RevenueOptions, until: date | None = None
) -> AccountRevenue:
    """Return an account's month-end MRR and movement of each month, from its first
    subscription's month to the month of `until` (default: the current month, at its end)."""
    get_account(session=session, account_id=account_id)
    subscriptions = read_subscriptions(session=session, account_id=account_id)
    last = month_number(until or clock.today())
    if not len(subscriptions) or int(subscriptions.start_month.min()) > last:
        return AccountRevenue(account_id, [], options.reporting_currency, [])
    first = int(subscriptions.start_month.min())
    rates = load_exchange_rates(
        session=session,
        reporting_currency=options.reporting_currency,
        currencies=subscriptions.currencies,
        until=month_end(last),
    )
    # The column before the first month holds no MRR: the first month shows as new.
    ledger = build_ledger(subscriptions, first_month=first - 1, last_month=last, rates=rates)
    movements = classify_movements(
        ledger.matrix, reactivation_window_days=options.reactivation_window_days
    )
    return AccountRevenue(
        account_id=account_id,
        months=account_months(ledger.matrix, movements, 0),
        currency=options.reporting_currency,
        converted_currencies=ledger.converted_currencies,
    )


def _check_period(first: int, last: int) -> None:
    current = month_number(clock.today())
    if first > last:
        raise InvalidInput(
            f"the first month {month_label(first)} is after the last month {month_label(last)}"
        )
    if last > current:
        raise InvalidInput(
            f"the last month {month_label(last)} is after the current month "
            f"{month_label(current)}: its MRR is not known yet"
        )
    if last - first + 1 > MAX_PERIOD_MONTHS:
        raise InvalidInput(
            f"{month_label(first)} to {month_label(last)} is {last - first + 1} months: "
            f"ask for at most {MAX_PERIOD_MONTHS} at once"
        )


def _filters(
    session: Session, segment: str | None, owner_id: int | None
) -> tuple[int | None, int | None]:
    segment_id = get_segment(session=session, key=segment).id if segment else None
    if owner_id is not None:
        get_user(session=session, user_id=owner_id)
    return segment_id, owner_id


def _spend_rows(session: Session, first: int, last: int) -> list[tuple[int, str, int]]:
    rows = session.execute(
        select(
            SalesMarketingSpend.month,
            SalesMarketingSpend.currency,
            SalesMarketingSpend.amount_minor,
        ).where(
            SalesMarketingSpend.month >= month_start(first),
            SalesMarketingSpend.month <= month_start(last),
        )
    )
    return [(month_number(month), currency, amount) for month, currency, amount in rows]


def _monthly_spend(
    rows: list[tuple[int, str, int]], first: int, last: int, rates: ExchangeRates
) -> tuple[list[float | None], set[str]]:
    # Spend of each month in minor units of the reporting currency; None where none was recorded.
    spend: list[float | None] = [None] * (last - first + 1)
    for month, currency, amount in rows:
        factor = float(rates.minor_factors(currency, [month_end(month)])[0])
        spend[month - first] = (spend[month - first] or 0.0) + amount * factor
    return spend, {c for _, c, _ in rows if c != rates.reporting_currency}


def _spend_of(spend: list[float | None], first: int, last: int) -> float | None:
    # CAC needs every month's spend: a month without any would understate it.
    months = spend[first : last + 1]
    if not months or any(value is None for value in months):
        return None
    return sum(value for value in months if value is not None)
