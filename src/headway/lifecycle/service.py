"""Time to first value per account, and its distributions by segment and cohort."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, LifecycleStage, Segment
from headway.accounts.service import list_segments
from headway.core import clock
from headway.core.chunks import chunked
from headway.core.errors import InvalidInput, NotFound
from headway.lifecycle.models import TtfvRule
from headway.lifecycle.ttfv import (
    DEFINITION,
    FIRST_SUBSCRIPTION,
    GRAINS,
    HANDOFF,
    Distribution,
    Ttfv,
    ValueEvent,
    cohort_of,
    parse_value_event,
    summarise,
    ttfv_of,
)
from headway.outcomes.models import Handoff, Milestone
from headway.revenue.models import Subscription
from headway.usage.adoption import first_occurrence
from headway.users.models import User

CHURNED = "churned"
CHUNK = 5000  # ids per IN (…): well under SQLite's limit of bound parameters


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    return chunked(ids, CHUNK)


# --- measuring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountTtfv:
    """An account's TTFV with the rule that measured it."""

    account_id: int
    segment_id: int | None
    start_kind: str
    value: ValueEvent
    ttfv: Ttfv


@dataclass(frozen=True)
class _Account:
    id: int
    segment_id: int | None
    created_on: date


def _accounts(session: Session, account_ids: Sequence[int] | None) -> list[_Account]:
    query = select(Account.id, Account.segment_id, Account.created_at)
    rows: Iterable[Any]
    if account_ids is None:
        rows = session.execute(query)
    else:
        rows = [
            r
            for ids in _chunks(account_ids)
            for r in session.execute(query.where(Account.id.in_(ids)))
        ]
    return [_Account(r.id, r.segment_id, r.created_at.date()) for r in rows]


def _per_account(
    session: Session, query: Any, column: Any, account_ids: Sequence[int] | None
) -> dict[int, Any]:
    """Run a (account_id, value) query for all accounts or, in chunks, for the given ones."""
    if account_ids is None:
        return {a: v for a, v in session.execute(query) if v is not None}
    found: dict[int, Any] = {}
    for ids in _chunks(account_ids):
        found.update(
            {a: v for a, v in session.execute(query.where(column.in_(ids))) if v is not None}
        )
    return found


def _starts(session: Session, kind: str, ids: Sequence[int] | None) -> dict[int, date]:
    if kind == FIRST_SUBSCRIPTION:
        query = select(Subscription.account_id, func.min(Subscription.start_date)).group_by(
            Subscription.account_id
        )
        return _per_account(session, query, Subscription.account_id, ids)
    if kind == HANDOFF:
        query = select(Handoff.account_id, Handoff.created_at)
        found = _per_account(session, query, Handoff.account_id, ids)
        return {account_id: at.date() for account_id, at in found.items()}
    raise ValueError(kind)  # "account_created" is read with the accounts


def _milestone_days(session: Session, ids: Sequence[int]) -> dict[int, date]:
    query = (
        select(Milestone.account_id, func.min(Milestone.done_on))
        .where(Milestone.first_value, Milestone.done_on.is_not(None))
        .group_by(Milestone.account_id)
    )
    return _per_account(session, query, Milestone.account_id, ids)


def _usage_days(session: Session, event: str, ids: Sequence[int]) -> dict[int, date]:
    return first_occurrence(session=session, event=event, account_ids=ids)


def ttfv_details(
    *, session: Session, account_ids: Sequence[int] | None = None, as_of: date
) -> dict[int, AccountTtfv]:
    """Measure accounts' TTFV (all, or those given) on a day, each with its segment's rule."""
    rules = {r.segment_id: r for r in session.scalars(select(TtfvRule))}
    default = rules.get(None)
    accounts = _accounts(session, account_ids)
    rule_of: dict[int, TtfvRule] = {}
    segment_of: dict[int, int | None] = {}
    for account in accounts:
        rule = rules.get(account.segment_id, default)
        if rule is not None:
            rule_of[account.id] = rule
            segment_of[account.id] = account.segment_id
    ids = None if account_ids is None else sorted(rule_of)
    starts: dict[str, dict[int, date]] = {
        kind: _starts(session, kind, ids)
        for kind in {r.start for r in rule_of.values()}
        if kind != "account_created"
    }
    starts["account_created"] = {a.id: a.created_on for a in accounts}
    wanted: dict[str, list[int]] = defaultdict(list)
    for account_id, rule in rule_of.items():
        wanted[rule.value_event].append(account_id)
    values: dict[str, dict[int, date]] = {}
    for text, members in wanted.items():
        value = parse_value_event(text)
        values[text] = (
            _milestone_days(session, members)
            if value.kind == "milestone"
            else _usage_days(session, value.event or "", members)
        )
    return {
        account_id: AccountTtfv(
            account_id=account_id,
            segment_id=segment_of[account_id],
            start_kind=rule.start,
            value=parse_value_event(rule.value_event),
            ttfv=ttfv_of(
                starts[rule.start].get(account_id),
                values[rule.value_event].get(account_id),
                as_of,
            ),
        )
        for account_id, rule in rule_of.items()
    }


def ttfv_of_accounts(
    *, session: Session, account_ids: Sequence[int] | None = None, as_of: date
) -> dict[int, Ttfv]:
    """Each account's time to first value on a day (start, value, days, reached)."""
    details = ttfv_details(session=session, account_ids=account_ids, as_of=as_of)
    return {account_id: d.ttfv for account_id, d in details.items()}


def account_ttfv(*, session: Session, account_id: int, as_of: date | None = None) -> AccountTtfv:
    """One account's time to first value, with the rule that measured it."""
    if session.get(Account, account_id) is None:
        raise NotFound(f"account {account_id} does not exist")
    details = ttfv_details(session=session, account_ids=[account_id], as_of=as_of or clock.today())
    if account_id not in details:
        raise NotFound("no TTFV rule applies: set a default rule first")
    return details[account_id]


# --- distributions -------------------------------------------------------------------------

BY_KINDS = ("segment", "cohort")
NO_SEGMENT = "No segment"


@dataclass(frozen=True)
class TtfvGroup:
    """TTFV of one segment or one cohort (accounts whose clock started in a month or quarter)."""

    key: str | None
    name: str
    figures: Distribution


@dataclass(frozen=True)
class TtfvReport:
    """TTFV distributions by segment or cohort on a day, with the total and the definition."""

    by: str
    grain: str
    as_of: date
    groups: list[TtfvGroup]
    total: Distribution
    definition: str = DEFINITION


def _churned_ids(session: Session) -> set[int]:
    query = (
        select(Account.id)
        .join(LifecycleStage, LifecycleStage.id == Account.stage_id)
        .where(LifecycleStage.key == CHURNED)
    )
    return set(session.scalars(query))


def _summary(ttfvs: dict[int, Ttfv], ids: Iterable[int], churned: set[int]) -> Distribution:
    members = list(ids)
    return summarise(
        (ttfvs[i] for i in members if i not in churned),
        churned=(ttfvs[i] for i in members if i in churned),
    )


@dataclass(frozen=True)
class Measured:
    """Every account's TTFV on a day and the churned accounts: what the reports are made of."""

    as_of: date
    details: dict[int, AccountTtfv]
    churned: set[int]


def measure_ttfv(*, session: Session, as_of: date | None = None) -> Measured:
    """Measure every account once, for several reports of the same day."""
    day = as_of or clock.today()
    return Measured(
        as_of=day,
        details=ttfv_details(session=session, as_of=day),
        churned=_churned_ids(session),
    )


def ttfv_distribution(
    *,
    session: Session,
    as_of: date | None = None,
    by: str = "segment",
    grain: str = "month",
    measured: Measured | None = None,
) -> TtfvReport:
    """TTFV by segment (in segment order) or by cohort of start (month or quarter), on a day.

    Accounts that churned before first value count apart from those still waiting.
    """
    if by not in BY_KINDS:
        raise InvalidInput(f"by {by!r}: expected segment or cohort")
    if grain not in GRAINS:
        raise InvalidInput(f"grain {grain!r}: expected month or quarter")
    measured = measured or measure_ttfv(session=session, as_of=as_of)
    ttfvs = {account_id: d.ttfv for account_id, d in measured.details.items()}
    members: dict[str | None, list[int]] = defaultdict(list)
    names: dict[str | None, str] = {}
    if by == "segment":
        segments = list_segments(session=session)
        key_of = {s.id: s.key for s in segments}
        names = {s.key: s.name for s in segments}
        for account_id, d in measured.details.items():
            members[key_of.get(d.segment_id or 0)].append(account_id)
        keys: list[str | None] = [s.key for s in segments]
        if members.get(None):
            keys.append(None)
            names[None] = NO_SEGMENT
    else:
        for account_id, ttfv in ttfvs.items():
            if ttfv.start is not None and ttfv.days is not None:
                members[cohort_of(ttfv.start, grain)].append(account_id)
        keys = sorted(members, key=lambda k: k or "")
        names = {k: k or "" for k in keys}
    churned = measured.churned
    groups = [
        TtfvGroup(key=k, name=names[k], figures=_summary(ttfvs, members.get(k, []), churned))
        for k in keys
    ]
    return TtfvReport(
        by=by,
        grain=grain,
        as_of=measured.as_of,
        groups=groups,
        total=_summary(ttfvs, ttfvs, churned),
    )


@dataclass(frozen=True)
class WaitingAccount:
    """An account whose clock started and that has not reached first value yet."""

    account_id: int
    name: str
    segment: str | None
    owner: str | None
    start: date
    days: int
    value: ValueEvent


def waiting_for_first_value(
    *,
    session: Session,
    as_of: date | None = None,
    limit: int | None = None,
    measured: Measured | None = None,
) -> tuple[list[WaitingAccount], int]:
    """Accounts still waiting for first value, the longest waiting first, and how many wait.

    Churned accounts are not waiting any more and are left out.
    """
    measured = measured or measure_ttfv(session=session, as_of=as_of)
    day, churned = measured.as_of, measured.churned
    waiting = sorted(
        (d for d in measured.details.values() if d.ttfv.waiting and d.account_id not in churned),
        key=lambda d: (-(d.ttfv.days or 0), d.account_id),
    )
    shown = waiting if limit is None else waiting[:limit]
    rows = {
        r.id: r
        for ids in _chunks([d.account_id for d in shown])
        for r in session.execute(
            select(
                Account.id, Account.name, Segment.name.label("segment"), User.name.label("owner")
            )
            .outerjoin(Segment, Segment.id == Account.segment_id)
            .outerjoin(User, User.id == Account.owner_id)
            .where(Account.id.in_(ids))
        )
    }
    return [
        WaitingAccount(
            account_id=d.account_id,
            name=rows[d.account_id].name,
            segment=rows[d.account_id].segment,
            owner=rows[d.account_id].owner,
            start=d.ttfv.start or day,
            days=d.ttfv.days or 0,
            value=d.value,
        )
        for d in shown
    ], len(waiting)
