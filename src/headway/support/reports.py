"""Support metrics of a period, read from the database: one implementation for API and CLI.

Which tickets each figure reads:
- reply and resolution times, FCR, SLA attainment, reopen rate, CSAT and the ticket count:
  tickets created in the period, as they stood at its end (`as_of`: the end of the last day,
  or now when that is later); a reply or solve after `as_of` has not happened yet;
- backlog: every ticket created by `as_of` and not solved by then, whenever it was created;
- tickets per account per month: tickets created in the period ÷ accounts in scope ÷ months.
"""

from __future__ import annotations

import calendar as month_calendar
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, Segment
from headway.accounts.service import get_segment
from headway.core import clock
from headway.core.errors import InvalidInput
from headway.revenue.service import seats_by_account
from headway.support.hours import Calendar
from headway.support.metrics import (
    SOLVED_STATUSES,
    Distribution,
    SlaRule,
    SlaTally,
    TicketRecord,
    TicketSummary,
    backlog,
    summarize_tickets,
)
from headway.support.models import TICKET_PRIORITIES, BusinessHours, Holiday, SlaPolicy, Ticket

DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_YEARS = 50
MAX_PERIOD_DAYS = round(MAX_PERIOD_YEARS * 365.25)
DAYS_PER_MONTH = 365.25 / 12


def load_calendar(*, session: Session) -> Calendar:
    """Build the business-hours calendar from the configured hours and holidays."""
    rows = session.scalars(select(BusinessHours).order_by(BusinessHours.weekday))
    holidays = session.scalars(select(Holiday.day))
    try:
        return Calendar.from_rows(
            [(r.weekday, r.opens, r.closes, r.timezone) for r in rows], list(holidays)
        )
    except ValueError as error:
        raise InvalidInput(f"business hours: {error}") from None


def load_sla_rules(*, session: Session) -> list[SlaRule]:
    """List the SLA policies as rules."""
    return [
        SlaRule(
            priority=p.priority,
            segment_id=p.segment_id,
            first_reply_minutes=p.first_reply_minutes,
            resolution_minutes=p.resolution_minutes,
            hours="calendar" if p.hours == "calendar" else "business",
        )
        for p in session.scalars(select(SlaPolicy).order_by(SlaPolicy.id))
    ]


# The columns a TicketRecord reads: a report over many tickets selects these, not whole rows.
RECORD_COLUMNS = (
    Ticket.id,
    Ticket.account_id,
    Ticket.priority,
    Ticket.status,
    Ticket.created_at,
    Ticket.first_reply_at,
    Ticket.solved_at,
    Ticket.reopens,
    Ticket.agent_replies,
    Ticket.satisfaction,
    Ticket.satisfaction_scale,
    Ticket.first_reply_minutes_calendar,
    Ticket.first_reply_minutes_business,
    Ticket.resolution_minutes_calendar,
    Ticket.resolution_minutes_business,
)


def ticket_record(
    ticket: Ticket | Row[*tuple[Any, ...]], segment_id: int | None = None
) -> TicketRecord:
    """What the support metrics read of a stored ticket (or a row of `RECORD_COLUMNS`)."""
    return TicketRecord(
        ticket_id=ticket.id,
        account_id=ticket.account_id,
        priority=ticket.priority,
        status=ticket.status,
        created_at=ticket.created_at,
        segment_id=segment_id,
        first_reply_at=ticket.first_reply_at,
        solved_at=ticket.solved_at,
        reopens=ticket.reopens,
        agent_replies=ticket.agent_replies,
        satisfaction=ticket.satisfaction,
        satisfaction_scale=ticket.satisfaction_scale,
        first_reply_minutes_calendar=ticket.first_reply_minutes_calendar,
        first_reply_minutes_business=ticket.first_reply_minutes_business,
        resolution_minutes_calendar=ticket.resolution_minutes_calendar,
        resolution_minutes_business=ticket.resolution_minutes_business,
    )


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 4)


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _distribution(prefix: str, d: Distribution) -> dict[str, Any]:
    return {f"{prefix}_median_hours": _hours(d.median), f"{prefix}_p90_hours": _hours(d.p90)}


def _tally(tally: SlaTally) -> dict[str, Any]:
    return {
        "met": tally.met,
        "breached": tally.breached,
        "pending": tally.pending,
        "attainment": _rate(tally.attainment),
    }


def _summary(s: TicketSummary) -> dict[str, Any]:
    return {
        "tickets": s.tickets,
        **_distribution("first_reply", s.first_reply["calendar"]),
        **_distribution("first_reply_business", s.first_reply["business"]),
        "without_reply": s.without_reply,
        **_distribution("resolution", s.resolution["calendar"]),
        **_distribution("resolution_business", s.resolution["business"]),
        "solved": s.resolution["calendar"].count,
        "fcr_rate": _rate(s.fcr.rate),
        "fcr_unknown_replies": s.fcr.unknown_replies,
        "sla_attainment": _rate(s.sla.overall.attainment),
        "sla": {
            **_tally(s.sla.overall),
            "by_priority": {
                priority: {metric: _tally(t) for metric, t in metrics.items()}
                for priority, metrics in sorted(s.sla.by_priority.items())
            },
        },
        "reopen_rate": _rate(s.reopen_rate),
        "csat": _rate(s.csat.rate),
        "csat_responses": s.csat.responses,
    }


def parse_day(value: str | None, *, end: bool) -> date | None:
    """Read YYYY-MM-DD, or YYYY-MM as the month's first (or, for an end, last) day."""
    if value is None:
        return None
    try:
        if len(value) == 7:
            year, month = (int(part) for part in value.split("-"))
            day = month_calendar.monthrange(year, month)[1] if end else 1
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date: expected YYYY-MM-DD or YYYY-MM") from None


def resolve_period(
    first: date | None, last: date | None, *, default_days: int = DEFAULT_PERIOD_DAYS
) -> tuple[date, date]:
    """The days a report covers, both included: by default the `default_days` ending today.

    Refused: a period that ends before it starts, or longer than MAX_PERIOD_YEARS (its
    months would be thousands of rows) or ending on the calendar's last day (nothing follows).
    """
    last = last or clock.today()
    first = first or last - timedelta(days=default_days - 1)
    if first > last:
        raise InvalidInput(f"the period starts on {first} after it ends on {last}")
    if last >= date.max or (last - first).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(
            f"the period {first} to {last} is too long: at most {MAX_PERIOD_YEARS} years, "
            f"ending before {date.max}"
        )
    return first, last


def midnight(day: date) -> datetime:
    """The first moment of a day in UTC."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def support_metrics(
    *,
    session: Session,
    first: date | None = None,
    last: date | None = None,
    account_id: int | None = None,
    segment: str | None = None,
    priority: str | None = None,
) -> dict[str, Any]:
    """Compute the support metrics of tickets created from `first` to `last` (inclusive)."""
    first, last = resolve_period(first, last)
    if priority is not None and priority not in TICKET_PRIORITIES:
        raise InvalidInput(
            f"unknown priority {priority!r}; expected {', '.join(TICKET_PRIORITIES)}"
        )
    start, end = midnight(first), midnight(last + timedelta(days=1))
    as_of = min(end, clock.now())
    calendar, rules = load_calendar(session=session), load_sla_rules(session=session)

    scope = select(Account.id, Account.segment_id)
    if account_id is not None:
        scope = scope.where(Account.id == account_id)
    if segment is not None:
        scope = scope.where(Account.segment_id == get_segment(session=session, key=segment).id)
    accounts: dict[int, int | None] = {row.id: row.segment_id for row in session.execute(scope)}
    segment_keys = {row.id: row.key for row in session.execute(select(Segment.id, Segment.key))}

    in_scope = scope.with_only_columns(Account.id).scalar_subquery()
    query = select(Ticket).where(Ticket.account_id.in_(in_scope))
    if priority is not None:
        query = query.where(Ticket.priority == priority)
    in_period = query.where(Ticket.created_at >= start, Ticket.created_at < end)
    tickets = [
        ticket_record(t, accounts[t.account_id])
        for t in session.scalars(in_period.order_by(Ticket.id))
    ]
    open_then = query.where(
        Ticket.created_at < end,
        or_(Ticket.status.not_in(SOLVED_STATUSES), Ticket.solved_at > as_of),
    )
    unsolved = [ticket_record(t, accounts[t.account_id]) for t in session.scalars(open_then)]

    def summarize(subset: Sequence[TicketRecord]) -> dict[str, Any]:
        summary = summarize_tickets(subset, calendar=calendar, rules=rules, as_of=as_of)
        return _summary(summary)

    by_priority: dict[str, list[TicketRecord]] = defaultdict(list)
    by_segment: dict[str, list[TicketRecord]] = defaultdict(list)
    for record in tickets:
        by_priority[record.priority].append(record)
        key = segment_keys.get(record.segment_id) if record.segment_id else None
        by_segment[key or "none"].append(record)

    return {
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "as_of": as_of.isoformat(),
        "filters": {"account_id": account_id, "segment": segment, "priority": priority},
        **summarize(tickets),
        "backlog": backlog(unsolved, as_of),
        **_volume(session, tickets, accounts, first, last),
        "by_priority": {
            p: summarize(by_priority[p]) for p in TICKET_PRIORITIES if p in by_priority
        },
        "by_segment": {k: summarize(v) for k, v in sorted(by_segment.items())},
    }


def _volume(
    session: Session,
    tickets: Sequence[TicketRecord],
    accounts: dict[int, int | None],
    first: date,
    last: date,
) -> dict[str, Any]:
    """Tickets per account per month, and per 10 seats per month where seats are known."""
    months = ((last - first).days + 1) / DAYS_PER_MONTH
    per_account = len(tickets) / len(accounts) / months if accounts else None
    seats = {
        account: n
        for account, n in seats_by_account(session=session, on=last).items()
        if account in accounts and n > 0
    }
    seated_tickets = sum(1 for t in tickets if t.account_id in seats)
    total_seats = sum(seats.values())
    per_seats = seated_tickets / (total_seats / 10) / months if total_seats else None
    return {
        "accounts": len(accounts),
        "months": round(months, 4),
        "tickets_per_account_month": _rate(per_account),
        "tickets_per_10_seats_month": _rate(per_seats),
    }
