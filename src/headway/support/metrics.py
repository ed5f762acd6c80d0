"""Support metrics over plain ticket records: reply and resolution times, FCR, SLA, CSAT.

Pure functions with an explicit `as_of` (an event later than `as_of` has not happened yet);
no session, no clock. Percentiles interpolate linearly between the closest ranks, as numpy's
default: the q-th percentile of n sorted values sits at rank (n − 1)·q.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from headway.support.hours import Calendar, add_business_minutes, business_minutes

Hours = Literal["calendar", "business"]
Outcome = Literal["met", "breached", "pending"]
SLA_METRICS = ("first_reply", "resolution")
SOLVED_STATUSES = frozenset({"solved", "closed"})
GOOD_BAD = {"good": 1, "bad": 0}  # the scores of good/bad ratings


@dataclass(frozen=True)
class TicketRecord:
    """What the metrics need of a ticket; minutes are the helpdesk's own when it gave them."""

    ticket_id: int | str
    account_id: int
    priority: str
    status: str
    created_at: datetime
    segment_id: int | None = None
    first_reply_at: datetime | None = None
    solved_at: datetime | None = None
    reopens: int = 0
    agent_replies: int | None = None
    satisfaction: str | None = None
    satisfaction_scale: str | None = None
    first_reply_minutes_calendar: float | None = None
    first_reply_minutes_business: float | None = None
    resolution_minutes_calendar: float | None = None
    resolution_minutes_business: float | None = None


@dataclass(frozen=True)
class SlaRule:
    """A priority's targets in minutes (segment None: every segment without its own rule)."""

    priority: str
    segment_id: int | None
    first_reply_minutes: int | None
    resolution_minutes: int | None
    hours: Hours = "business"


# --- times -----------------------------------------------------------------------------------


def _happened(moment: datetime | None, as_of: datetime) -> bool:
    return moment is not None and moment <= as_of


def is_solved(ticket: TicketRecord, as_of: datetime) -> bool:
    """Whether the ticket is solved (or closed) and was solved by `as_of`."""
    if ticket.status not in SOLVED_STATUSES:
        return False
    return ticket.solved_at is None or ticket.solved_at <= as_of


def _elapsed(calendar: Calendar, start: datetime, end: datetime, hours: Hours) -> float:
    if hours == "business":
        return business_minutes(calendar, start, end)
    return max((end - start).total_seconds() / 60, 0.0)


def first_reply_minutes(
    ticket: TicketRecord, calendar: Calendar, hours: Hours, as_of: datetime
) -> float | None:
    """Minutes from creation to the first public agent reply (None: no reply by `as_of`)."""
    given = (
        ticket.first_reply_minutes_business
        if hours == "business"
        else ticket.first_reply_minutes_calendar
    )
    if ticket.first_reply_at is None:
        return given
    if not _happened(ticket.first_reply_at, as_of):
        return None
    if given is not None:
        return given
    return _elapsed(calendar, ticket.created_at, ticket.first_reply_at, hours)


def resolution_minutes(
    ticket: TicketRecord, calendar: Calendar, hours: Hours, as_of: datetime
) -> float | None:
    """Minutes from creation to the (last) solve (None: not solved by `as_of`)."""
    if not is_solved(ticket, as_of):
        return None
    given = (
        ticket.resolution_minutes_business
        if hours == "business"
        else ticket.resolution_minutes_calendar
    )
    if given is not None:
        return given
    if ticket.solved_at is None:
        return None
    return _elapsed(calendar, ticket.created_at, ticket.solved_at, hours)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th quantile (0–1) by linear interpolation between ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Distribution:
    """Median and 90th percentile of durations in minutes, and how many were measured."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Distribution:
        return cls(len(values), percentile(values, 0.5), percentile(values, 0.9))


# --- rates -----------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Fcr:
    """One-touch resolution: solved with fewer than 2 agent replies and never reopened."""

    solved: int
    one_touch: int
    unknown_replies: int

    @property
    def rate(self) -> float | None:
        return _rate(self.one_touch, self.solved)


def first_contact_resolution(tickets: Iterable[TicketRecord], as_of: datetime) -> Fcr:
    """Count solved tickets and one-touch ones; unknown agent replies are left out, counted."""
    solved = one_touch = unknown = 0
    for ticket in tickets:
        if not is_solved(ticket, as_of):
            continue
        if ticket.agent_replies is None:
            unknown += 1
            continue
        solved += 1
        if ticket.agent_replies < 2 and ticket.reopens == 0:
            one_touch += 1
    return Fcr(solved, one_touch, unknown)


def reopen_rate(tickets: Iterable[TicketRecord], as_of: datetime) -> float | None:
    """Solved tickets reopened at least once ÷ solved tickets."""
    solved = [t for t in tickets if is_solved(t, as_of)]
    return _rate(sum(1 for t in solved if t.reopens > 0), len(solved))


def satisfaction_score(value: str | None, scale: str | None) -> tuple[str, int] | None:
    """A rating as its scale and score: ("1-5", 4), ("good_bad", 1) for good, 0 for bad;
    None when unanswered or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip().lower()
    if scale == "good_bad" or (scale is None and text in GOOD_BAD):
        return None if text not in GOOD_BAD else ("good_bad", GOOD_BAD[text])
    try:
        score = int(float(text))
    except ValueError:
        return None
    return ("1-5", score) if 1 <= score <= 5 else None


def satisfaction_is_positive(value: str | None, scale: str | None) -> bool | None:
    """True for 4–5 of 1–5 or "good"; None when unanswered or unreadable."""
    found = satisfaction_score(value, scale)
    if found is None:
        return None
    kind, score = found
    return score == GOOD_BAD["good"] if kind == "good_bad" else score >= 4


@dataclass(frozen=True)
class Csat:
    """Positive ratings ÷ ratings given."""

    responses: int
    positive: int

    @property
    def rate(self) -> float | None:
        return _rate(self.positive, self.responses)


def csat(tickets: Iterable[TicketRecord]) -> Csat:
    """Count answered satisfaction ratings and the positive ones; unanswered are left out."""
    answers = [satisfaction_is_positive(t.satisfaction, t.satisfaction_scale) for t in tickets]
    given = [a for a in answers if a is not None]
    return Csat(len(given), sum(1 for a in given if a))


def backlog(tickets: Iterable[TicketRecord], as_of: datetime) -> int:
    """Tickets created by `as_of` and not solved by then."""
    return sum(1 for t in tickets if t.created_at <= as_of and not is_solved(t, as_of))


# --- SLA -------------------------------------------------------------------------------------


def policy_for(rules: Iterable[SlaRule], priority: str, segment_id: int | None) -> SlaRule | None:
    """The priority's rule for the segment, else the priority's general rule."""
    general = None
    for rule in rules:
        if rule.priority != priority:
            continue
        if rule.segment_id is not None and rule.segment_id == segment_id:
            return rule
        if rule.segment_id is None:
            general = rule
    return general


def due_at(calendar: Calendar, created_at: datetime, minutes: int, hours: Hours) -> datetime:
    """When a target of `minutes` in calendar or business hours falls due."""
    if hours == "business":
        return add_business_minutes(calendar, created_at, minutes)
    return created_at + timedelta(minutes=minutes)


def sla_outcome(
    ticket: TicketRecord, rule: SlaRule, metric: str, calendar: Calendar, as_of: datetime
) -> Outcome | None:
    """Met, breached, pending (open, not yet due), or None (no target; solved unanswered)."""
    if metric == "first_reply":
        target, measured = rule.first_reply_minutes, first_reply_minutes
    else:
        target, measured = rule.resolution_minutes, resolution_minutes
    if target is None:
        return None
    minutes = measured(ticket, calendar, rule.hours, as_of)
    if minutes is not None:
        return "met" if minutes <= target else "breached"
    if metric == "first_reply" and is_solved(ticket, as_of):
        return None  # solved without a public reply: no reply to time
    if as_of > due_at(calendar, ticket.created_at, target, rule.hours):
        return "breached"
    return "pending"


@dataclass
class SlaTally:
    """Targets met and breached, and pending ones (open, not yet due)."""

    met: int = 0
    breached: int = 0
    pending: int = 0

    @property
    def attainment(self) -> float | None:
        return _rate(self.met, self.met + self.breached)

    def add(self, outcome: Outcome | None) -> None:
        if outcome == "met":
            self.met += 1
        elif outcome == "breached":
            self.breached += 1
        elif outcome == "pending":
            self.pending += 1


@dataclass
class SlaReport:
    """SLA tallies overall and per (priority, metric)."""

    overall: SlaTally = field(default_factory=SlaTally)
    by_priority: dict[str, dict[str, SlaTally]] = field(default_factory=dict)


def sla_attainment(
    tickets: Iterable[TicketRecord],
    rules: Sequence[SlaRule],
    calendar: Calendar,
    as_of: datetime,
) -> SlaReport:
    """Tally each ticket's targets under its policy (tickets without one are left out)."""
    report = SlaReport()
    for ticket in tickets:
        rule = policy_for(rules, ticket.priority, ticket.segment_id)
        if rule is None:
            continue
        for metric in SLA_METRICS:
            if (
                rule.first_reply_minutes if metric == "first_reply" else rule.resolution_minutes
            ) is None:
                continue
            outcome = sla_outcome(ticket, rule, metric, calendar, as_of)
            report.overall.add(outcome)
            per_metric = report.by_priority.setdefault(ticket.priority, {})
            per_metric.setdefault(metric, SlaTally()).add(outcome)
    return report


# --- a set of tickets at once ----------------------------------------------------------------


@dataclass(frozen=True)
class TicketSummary:
    """Every per-ticket metric of one set of tickets."""

    tickets: int
    first_reply: dict[str, Distribution]
    without_reply: int
    resolution: dict[str, Distribution]
    fcr: Fcr
    sla: SlaReport
    reopen_rate: float | None
    csat: Csat


def summarize_tickets(
    tickets: Sequence[TicketRecord],
    *,
    calendar: Calendar,
    rules: Sequence[SlaRule],
    as_of: datetime,
) -> TicketSummary:
    """Reply and resolution times, FCR, SLA, reopen rate and CSAT of a set of tickets."""
    first_reply: dict[str, Distribution] = {}
    resolution: dict[str, Distribution] = {}
    hours_kinds: tuple[Hours, ...] = ("calendar", "business")
    for hours in hours_kinds:
        replies = [first_reply_minutes(t, calendar, hours, as_of) for t in tickets]
        first_reply[hours] = Distribution.of([m for m in replies if m is not None])
        solves = [resolution_minutes(t, calendar, hours, as_of) for t in tickets]
        resolution[hours] = Distribution.of([m for m in solves if m is not None])
    without_reply = sum(
        1 for t in tickets if first_reply_minutes(t, calendar, "calendar", as_of) is None
    )
    return TicketSummary(
        tickets=len(tickets),
        first_reply=first_reply,
        without_reply=without_reply,
        resolution=resolution,
        fcr=first_contact_resolution(tickets, as_of),
        sla=sla_attainment(tickets, rules, calendar, as_of),
        reopen_rate=reopen_rate(tickets, as_of),
        csat=csat(tickets),
    )
