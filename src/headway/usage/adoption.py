"""Adoption measures read from the daily rollups: DAU/WAU/MAU, seats, key events, breadth.

Every measure is judged as of a day and reads only rollup rows up to that day, so a past
`as_of` (a backtest) sees what was known then. Accounts are read in chunks with a handful of
grouped queries per chunk, so scoring 100,000 accounts stays a few dozen queries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.service import get_account
from headway.core.chunks import chunked
from headway.core.errors import InvalidInput
from headway.revenue.service import seats_by_account
from headway.usage.models import UsageActiveUser, UsageDaily, UsageDailyEvent

MONTH_DAYS = 30  # MAU, breadth and events are counted over the 30 days ending as of the day
WEEK_DAYS = 7
# Accounts per round of queries: well under both databases' limits on bound parameters.
CHUNK = 5_000
# The days measures may be judged on: counting back from year 1 would leave the calendar.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class Adoption:
    """How an account uses the product as of a day; None where a measure is undefined."""

    dau: int
    wau: int
    mau: int
    stickiness: float | None  # dau / mau
    seats: int | None  # licensed seats of the subscriptions active that day
    seat_utilisation: float | None  # mau / seats
    key_event_per_week: float | None  # None when no key event is asked for
    breadth: int  # distinct event names in 30 days
    days_since_last_seen: int | None  # None: never seen
    events_30d: int
    events_trend: float | None  # events_30d / the 30 days before − 1


@dataclass(frozen=True)
class DailyUsage:
    """One day of an account's usage."""

    day: date
    events: int
    active_users: int


@dataclass(frozen=True)
class EventCount:
    """How often an event happened in a period, and on how many days."""

    event: str
    events: int
    active_days: int


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    return chunked(sorted(set(ids)), CHUNK)


def _keys_of(session: Session, account_ids: list[int]) -> dict[str, int]:
    """account_key (the account's external id) → account id."""
    rows = session.execute(
        select(Account.external_id, Account.id).where(Account.id.in_(account_ids))
    )
    return {key: account_id for key, account_id in rows}


def _key_of(session: Session, account_id: int) -> str | None:
    return session.scalar(select(Account.external_id).where(Account.id == account_id))


def adoption_of(
    *,
    session: Session,
    account_ids: Sequence[int],
    as_of: date,
    key_event: str | None = None,
    key_event_days: int = 28,
    include_unseen: bool = False,
) -> dict[int, Adoption]:
    """Return the adoption measures of accounts as of a day; accounts never seen are left out.

    With `include_unseen`, once any account has been seen by that day, an account with
    licensed seats but never seen has zero usage rather than none: zero active users, zero
    key events, no features used (its days since last seen stay unknown). Health reads it
    so, or a customer who never used the product would be scored on its other measures alone.
    """
    if key_event_days < 1:
        raise InvalidInput(f"key_event_days must be 1 or more, not {key_event_days}")
    if not FIRST_DAY <= as_of <= LAST_DAY:
        raise InvalidInput(f"as_of: expected a day from {FIRST_DAY} to {LAST_DAY}, got {as_of}")
    result: dict[int, Adoption] = {}
    for chunk in _chunks(account_ids):
        keys = _keys_of(session, chunk)
        if keys:
            result.update(_adoption_of_chunk(session, keys, as_of, key_event, key_event_days))
    unseen = [a for a in account_ids if a not in result]
    if include_unseen and unseen and _any_usage_by(session, as_of):
        seats = seats_by_account(session=session, on=as_of, account_ids=unseen)
        for account_id, licensed in seats.items():
            if licensed:
                result[account_id] = _no_usage(licensed, key_event is not None)
    return result


def _any_usage_by(session: Session, as_of: date) -> bool:
    return session.scalar(select(UsageDaily.id).where(UsageDaily.day <= as_of).limit(1)) is not None


def _no_usage(seats: int, key_event: bool) -> Adoption:
    return Adoption(
        dau=0,
        wau=0,
        mau=0,
        stickiness=None,
        seats=seats,
        seat_utilisation=0.0,
        key_event_per_week=0.0 if key_event else None,
        breadth=0,
        days_since_last_seen=None,
        events_30d=0,
        events_trend=None,
    )


def _adoption_of_chunk(
    session: Session,
    keys: dict[str, int],
    as_of: date,
    key_event: str | None,
    key_event_days: int,
) -> dict[int, Adoption]:
    month_start = as_of - timedelta(days=MONTH_DAYS - 1)
    previous_start = month_start - timedelta(days=MONTH_DAYS)
    last_seen, events_30d, events_before = _daily_totals(session, keys, as_of, previous_start)
    if not last_seen:
        return {}
    users = _active_users(session, keys, as_of, month_start)
    breadth, key_events = _event_counts(session, keys, as_of, key_event, key_event_days)
    seats = seats_by_account(session=session, on=as_of, account_ids=list(keys.values()))
    result = {}
    for key, last_day in last_seen.items():
        account_id = keys[key]
        dau, wau, mau = users.get(key, (0, 0, 0))
        account_seats = seats.get(account_id)
        recent, before = events_30d.get(key, 0), events_before.get(key, 0)
        result[account_id] = Adoption(
            dau=dau,
            wau=wau,
            mau=mau,
            stickiness=dau / mau if mau else None,
            seats=account_seats,
            seat_utilisation=mau / account_seats if account_seats else None,
            key_event_per_week=(
                key_events.get(key, 0) / (key_event_days / WEEK_DAYS) if key_event else None
            ),
            breadth=breadth.get(key, 0),
            days_since_last_seen=(as_of - last_day).days,
            events_30d=recent,
            events_trend=recent / before - 1 if before else None,
        )
    return result


def _daily_totals(
    session: Session, keys: dict[str, int], as_of: date, previous_start: date
) -> tuple[dict[str, date], dict[str, int], dict[str, int]]:
    """Last day seen (up to as_of), events in the last 30 days and in the 30 days before."""
    month_start = previous_start + timedelta(days=MONTH_DAYS)
    rows = session.execute(
        select(
            UsageDaily.account_key,
            func.max(UsageDaily.day),
            func.sum(case((UsageDaily.day >= month_start, UsageDaily.events), else_=0)),
            func.sum(case((UsageDaily.day < month_start, UsageDaily.events), else_=0)),
        )
        .where(
            UsageDaily.account_key.in_(keys),
            UsageDaily.day >= previous_start,
            UsageDaily.day <= as_of,
        )
        .group_by(UsageDaily.account_key)
    ).all()
    last_seen = {key: day for key, day, _, _ in rows}
    recent = {key: int(n or 0) for key, _, n, _ in rows}
    before = {key: int(n or 0) for key, _, _, n in rows}
    # Accounts quiet for 60 days: their last day is older; read it only for them.
    quiet = [key for key in keys if key not in last_seen]
    for start in range(0, len(quiet), CHUNK):
        older = session.execute(
            select(UsageDaily.account_key, func.max(UsageDaily.day))
            .where(
                UsageDaily.account_key.in_(quiet[start : start + CHUNK]),
                UsageDaily.day < previous_start,
            )
            .group_by(UsageDaily.account_key)
        )
        last_seen.update({key: day for key, day in older})
    return last_seen, recent, before


def _active_users(
    session: Session, keys: dict[str, int], as_of: date, month_start: date
) -> dict[str, tuple[int, int, int]]:
    """Distinct users active on the day, in the 7 days and in the 30 days ending on it."""
    week_start = as_of - timedelta(days=WEEK_DAYS - 1)
    user = UsageActiveUser.user_key
    rows = session.execute(
        select(
            UsageActiveUser.account_key,
            func.count(func.distinct(case((UsageActiveUser.day == as_of, user)))),
            func.count(func.distinct(case((UsageActiveUser.day >= week_start, user)))),
            func.count(func.distinct(user)),
        )
        .where(
            UsageActiveUser.account_key.in_(keys),
            UsageActiveUser.day >= month_start,
            UsageActiveUser.day <= as_of,
        )
        .group_by(UsageActiveUser.account_key)
    )
    return {key: (dau, wau, mau) for key, dau, wau, mau in rows}


def _event_counts(
    session: Session,
    keys: dict[str, int],
    as_of: date,
    key_event: str | None,
    key_event_days: int,
) -> tuple[dict[str, int], dict[str, int]]:
    """Distinct event names in 30 days, and how often the key event happened in its window."""
    month_start = as_of - timedelta(days=MONTH_DAYS - 1)
    key_start = as_of - timedelta(days=key_event_days - 1)
    in_month = UsageDailyEvent.day >= month_start
    is_key = and_(UsageDailyEvent.event == key_event, UsageDailyEvent.day >= key_start)
    rows = session.execute(
        select(
            UsageDailyEvent.account_key,
            func.count(func.distinct(case((in_month, UsageDailyEvent.event)))),
            func.sum(case((is_key, UsageDailyEvent.events), else_=0)),
        )
        .where(
            UsageDailyEvent.account_key.in_(keys),
            UsageDailyEvent.day >= min(month_start, key_start),
            UsageDailyEvent.day <= as_of,
        )
        .group_by(UsageDailyEvent.account_key)
    )
    breadth, key_events = {}, {}
    for key, names, key_count in rows:
        breadth[key] = int(names)
        key_events[key] = int(key_count or 0)
    return breadth, key_events


def daily_series(*, session: Session, account_id: int, first: date, last: date) -> list[DailyUsage]:
    """Return an account's events and active users for every day from first to last (zeros too)."""
    key = _key_of(session, account_id)
    stored: dict[date, tuple[int, int]] = {}
    if key is not None:
        rows = session.execute(
            select(UsageDaily.day, UsageDaily.events, UsageDaily.active_users).where(
                UsageDaily.account_key == key, UsageDaily.day >= first, UsageDaily.day <= last
            )
        )
        stored = {day: (events, users) for day, events, users in rows}
    days = (last - first).days + 1
    return [
        DailyUsage(day, *stored.get(day, (0, 0)))
        for day in (first + timedelta(days=n) for n in range(max(days, 0)))
    ]


def first_occurrence(
    *, session: Session, event: str, account_ids: Sequence[int]
) -> dict[int, date]:
    """Return the first day each account did an event; accounts that never did are left out."""
    result: dict[int, date] = {}
    for chunk in _chunks(account_ids):
        rows = session.execute(
            select(Account.id, func.min(UsageDailyEvent.day))
            .join(Account, Account.external_id == UsageDailyEvent.account_key)
            .where(UsageDailyEvent.event == event, Account.id.in_(chunk))
            .group_by(Account.id)
        )
        result.update({account_id: day for account_id, day in rows})
    return result


def top_events(
    *, session: Session, account_id: int, first: date, last: date, limit: int = 10
) -> list[EventCount]:
    """Return an account's most frequent events in a period, most frequent first."""
    key = _key_of(session, account_id)
    if key is None:
        return []
    total = func.sum(UsageDailyEvent.events)
    rows = session.execute(
        select(UsageDailyEvent.event, total, func.count(UsageDailyEvent.day))
        .where(
            UsageDailyEvent.account_key == key,
            UsageDailyEvent.day >= first,
            UsageDailyEvent.day <= last,
        )
        .group_by(UsageDailyEvent.event)
        .order_by(total.desc(), UsageDailyEvent.event)
        .limit(limit)
    )
    return [EventCount(event, int(events), int(days)) for event, events, days in rows]


@dataclass(frozen=True)
class AccountUsage:
    """An account's usage as of a day: its adoption measures, daily series and top events."""

    account_id: int
    as_of: date
    adoption: Adoption | None  # None: no usage up to that day
    series: list[DailyUsage]
    top_events: list[EventCount]


def account_usage(
    *,
    session: Session,
    account_id: int,
    as_of: date,
    days: int = 90,
    key_event: str | None = None,
) -> AccountUsage:
    """Return an account's adoption measures, its last `days` days and its top events (30 days)."""
    get_account(session=session, account_id=account_id)  # NotFound for an unknown account
    adoption = adoption_of(
        session=session, account_ids=[account_id], as_of=as_of, key_event=key_event
    ).get(account_id)
    first = as_of - timedelta(days=days - 1)
    month_start = as_of - timedelta(days=MONTH_DAYS - 1)
    return AccountUsage(
        account_id=account_id,
        as_of=as_of,
        adoption=adoption,
        series=daily_series(session=session, account_id=account_id, first=first, last=as_of),
        top_events=top_events(
            session=session, account_id=account_id, first=month_start, last=as_of
        ),
    )
