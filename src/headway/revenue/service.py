"""Subscriptions and the MRR derived from them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, LifecycleStage, Segment
from headway.accounts.schemas import AccountFilter, AccountSort
from headway.accounts.service import AccountRow, get_account, list_accounts
from headway.accounts.service import apply_segment_rules as resegment_by_arr
from headway.core import clock
from headway.core.audit import Actor, changed, record_audit, snapshot
from headway.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from headway.core.money import format_money, to_minor
from headway.core.pagination import fetch_page
from headway.core.timeline import TimelineEntry, register_timeline_source
from headway.revenue.models import Subscription
from headway.revenue.mrr import Charge, month_ends, mrr_on
from headway.revenue.schemas import SubscriptionCreate, SubscriptionUpdate
from headway.users.service import Permissions

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


def _check_may_edit(session: Session, permissions: Permissions | None, account_id: int) -> None:
    account = get_account(session=session, account_id=account_id)
    if permissions is not None and not permissions.can_edit_account(account.owner_id):
        raise PermissionDenied("you may edit only the subscriptions of accounts you own")


def create_subscription(
    *, session: Session, actor: Actor, permissions: Permissions | None, data: SubscriptionCreate
) -> Subscription:
    """Add a subscription to an account."""
    _check_may_edit(session, permissions, data.account_id)
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
) -> Subscription:
    """Change a subscription (an upgrade, a cancellation by end date, a correction)."""
    subscription = get_subscription(session=session, subscription_id=subscription_id)
    _check_may_edit(session, permissions, subscription.account_id)
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
    """Re-segment accounts not segmented by hand (all, or those given) from their ARR today."""
    mrr = mrr_by_account(
        session=session, on=clock.today(), currency=currency, account_ids=account_ids
    )
    arr = {account_id: value * 12 for account_id, value in mrr.items()}
    return resegment_by_arr(
        session=session, actor=actor, arr_by_account=arr, account_ids=account_ids
    )


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
