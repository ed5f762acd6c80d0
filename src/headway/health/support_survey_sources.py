"""Measure sources over support tickets and survey answers, for health scorecards.

Each reads the `days` whole days up to the day asked (UTC): a ticket created or solved, or an
answer given, after that day is not read, so backtests over past days read the past.
- `support.tickets_per_month`: tickets created in the window ÷ its months (`days` ÷ 30.4375,
  as the support metrics count a month);
- `support.open_tickets`: tickets created by the end of the day and not solved by then;
- `support.csat`: satisfied ratings ÷ ratings of the tickets created in the window
  (`support.metrics.satisfaction_is_positive`);
- `support.resolution_hours`: the median calendar hours to solve of the tickets solved in the
  window (`support.metrics.resolution_minutes`, the helpdesk's own minutes where given);
- `surveys.nps`: the NPS of the answers in the window, each person's latest answer once;
- `surveys.csat`: positive answers ÷ answers to the CSAT surveys (1–5 and good/bad);
- `surveys.ces`: the mean answer to the CES surveys on the CES 2.0 scale (1–7).
Ticket counts are 0 for an account without tickets once Headway holds any ticket created by
then (a helpdesk is connected); ratings, times and survey figures have no data without one.
Survey figures read each answer on its own survey's scale (`surveys.scoring`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from headway.health.builtin_sources import id_chunks, positive_int
from headway.health.sources import MeasureSource, Reader, register_measure_source
from headway.support.hours import Calendar
from headway.support.metrics import (
    SOLVED_STATUSES,
    percentile,
    resolution_minutes,
    satisfaction_is_positive,
)
from headway.support.models import Ticket
from headway.support.reports import DAYS_PER_MONTH, ticket_record
from headway.surveys.models import Survey, SurveyResponse
from headway.surveys.scoring import CES_2_0, Tally, on_ces_2_0, pooled, scale_of, tally

# Calendar hours need no opening hours: resolution times here are clock time.
_CLOCK_HOURS = Calendar.from_rows([])


def _window(as_of: date, days: int) -> tuple[datetime, datetime]:
    """The `days` whole days up to and including as_of, as [start, end) in UTC."""
    end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
    return end - timedelta(days=days), end


def _ticket_counts(
    session: Session, account_ids: Sequence[int], end: datetime, *conditions: Any
) -> dict[int, float]:
    """Tickets per account meeting the conditions; every account reads 0 once Headway holds
    any ticket created before `end` (a helpdesk is connected), none before."""
    if session.scalar(select(Ticket.id).where(Ticket.created_at < end).limit(1)) is None:
        return {}
    found = dict.fromkeys(account_ids, 0.0)
    for chunk in id_chunks(account_ids):
        query = select(Ticket.account_id, func.count()).where(
            Ticket.account_id.in_(chunk), Ticket.created_at < end, *conditions
        )
        found.update((a, float(n)) for a, n in session.execute(query.group_by(Ticket.account_id)))
    return found


def read_tickets_per_month(
    session: Session, account_ids: Sequence[int], as_of: date, params: Mapping[str, Any]
) -> dict[int, float]:
    """Tickets created in the `days` up to as_of, per month (DAYS_PER_MONTH days)."""
    days = positive_int(params, "days", 90, "support.tickets_per_month")
    start, end = _window(as_of, days)
    counts = _ticket_counts(session, account_ids, end, Ticket.created_at >= start)
    return {account_id: n * DAYS_PER_MONTH / days for account_id, n in counts.items()}


def read_open_tickets(
    session: Session, account_ids: Sequence[int], as_of: date, params: Mapping[str, Any]
) -> dict[int, float]:
    """Tickets created by the end of as_of and not solved by then."""
    _, end = _window(as_of, 1)
    unsolved = or_(Ticket.status.not_in(SOLVED_STATUSES), Ticket.solved_at >= end)
    return _ticket_counts(session, account_ids, end, unsolved)


def read_ticket_csat(
    session: Session, account_ids: Sequence[int], as_of: date, params: Mapping[str, Any]
) -> dict[int, float]:
    """Satisfied ratings ÷ ratings of the tickets created in the `days` up to as_of."""
    start, end = _window(as_of, positive_int(params, "days", 90, "support.csat"))
    ratings: dict[int, list[bool]] = {}
    for chunk in id_chunks(account_ids):
        query = select(Ticket.account_id, Ticket.satisfaction, Ticket.satisfaction_scale).where(
            Ticket.account_id.in_(chunk),
            Ticket.created_at >= start,
            Ticket.created_at < end,
            Ticket.satisfaction.is_not(None),
        )
        for account_id, value, scale in session.execute(query):
            positive = satisfaction_is_positive(value, scale)
            if positive is not None:
                ratings.setdefault(account_id, []).append(positive)
    return {account_id: sum(found) / len(found) for account_id, found in ratings.items()}


def read_resolution_hours(
    session: Session, account_ids: Sequence[int], as_of: date, params: Mapping[str, Any]
) -> dict[int, float]:
    """Median calendar hours from creation to solve of the tickets solved in the `days` up to
    as_of (the helpdesk's own minutes where it gave them)."""
    start, end = _window(as_of, positive_int(params, "days", 90, "support.resolution_hours"))
    minutes: dict[int, list[float]] = {}
    for chunk in id_chunks(account_ids):
        query = select(Ticket).where(
            Ticket.account_id.in_(chunk),
            Ticket.status.in_(SOLVED_STATUSES),
            Ticket.solved_at >= start,
            Ticket.solved_at < end,
        )
        for ticket in session.scalars(query):
            took = resolution_minutes(ticket_record(ticket), _CLOCK_HOURS, "calendar", end)
            if took is not None:
                minutes.setdefault(ticket.account_id, []).append(took)
    return {
        account_id: (percentile(found, 0.5) or 0.0) / 60 for account_id, found in minutes.items()
    }


def _answers(
    session: Session, account_ids: Sequence[int], as_of: date, days: int, survey_type: str
) -> tuple[dict[int, Survey], dict[int, list[Any]]]:
    """The surveys of a type and each account's answers to them in the window, oldest first."""
    start, end = _window(as_of, days)
    surveys = {s.id: s for s in session.scalars(select(Survey).where(Survey.type == survey_type))}
    found: dict[int, list[Any]] = {}
    for chunk in id_chunks(account_ids):
        query = select(
            SurveyResponse.account_id,
            SurveyResponse.survey_id,
            SurveyResponse.score,
            SurveyResponse.contact_id,
            SurveyResponse.contact_email,
            SurveyResponse.id,
        ).where(
            SurveyResponse.account_id.in_(chunk),
            SurveyResponse.survey_id.in_(list(surveys)),
            SurveyResponse.responded_at >= start,
            SurveyResponse.responded_at < end,
        )
        ordered = query.order_by(SurveyResponse.responded_at, SurveyResponse.id)
        for row in session.execute(ordered):
            found.setdefault(row.account_id, []).append(row)
    return surveys, found


def _pooled(surveys: Mapping[int, Survey], answers: Sequence[Any]) -> Tally:
    """Answers to several surveys of a type counted together, each on its own scale."""
    by_survey: dict[int, list[int]] = {}
    for answer in answers:
        by_survey.setdefault(answer.survey_id, []).append(answer.score)
    return pooled(tally(scores, scale_of(surveys[sid])) for sid, scores in by_survey.items())


def _person(answer: Any) -> tuple[str, int | str]:
    """Who gave an answer: the contact, else the email; an anonymous answer is its own."""
    if answer.contact_id is not None:
        return ("contact", answer.contact_id)
    if answer.contact_email:
        return ("email", answer.contact_email)
    return ("answer", answer.id)


def read_nps(
    session: Session, account_ids: Sequence[int], as_of: date, params: Mapping[str, Any]
) -> dict[int, float]:
    """The NPS of each account's answers in the `days` up to as_of, each person's latest once."""
    days = positive_int(params, "days", 365, "surveys.nps")
    surveys, answers = _answers(session, account_ids, as_of, days, "nps")
    found: dict[int, float] = {}
    for account_id, rows in answers.items():
        # Oldest first: a person's later answer replaces their earlier one.
        latest = {_person(r): r for r in rows}
        net = _pooled(surveys, list(latest.values())).net_score
        if net is not None:
            found[account_id] = net
    return found


def read_survey_csat(
    session: Session, account_ids: Sequence[int], as_of: date, params: Mapping[str, Any]
) -> dict[int, float]:
    """Positive answers ÷ answers to the CSAT surveys (1–5 and good/bad) in the `days`."""
    days = positive_int(params, "days", 90, "surveys.csat")
    surveys, answers = _answers(session, account_ids, as_of, days, "csat")
    rates = {a: _pooled(surveys, rows).positive_rate for a, rows in answers.items()}
    return {account_id: rate for account_id, rate in rates.items() if rate is not None}


def read_ces(
    session: Session, account_ids: Sequence[int], as_of: date, params: Mapping[str, Any]
) -> dict[int, float]:
    """The mean answer to CES surveys on the CES 2.0 scale in the `days` up to as_of."""
    days = positive_int(params, "days", 90, "surveys.ces")
    surveys, answers = _answers(session, account_ids, as_of, days, "ces")
    ces_2 = {sid for sid, s in surveys.items() if on_ces_2_0(s)}
    found: dict[int, float] = {}
    for account_id, rows in answers.items():
        mean = tally([r.score for r in rows if r.survey_id in ces_2], CES_2_0).mean
        if mean is not None:
            found[account_id] = mean
    return found


def _register(
    key: str, label: str, unit: str, description: str, read: Reader, days: int | None
) -> None:
    params = {"days": f"how many days up to the day to read (default {days})"} if days else None
    register_measure_source(
        MeasureSource(
            key=key, label=label, unit=unit, description=description, read=read, params=params
        )
    )


_ZERO = "an account without tickets reads 0 once any ticket is in Headway"
_register(
    "support.tickets_per_month",
    "Tickets per month",
    "tickets",
    f"Tickets created in the `days` up to the day, per month (30.4375 days); {_ZERO}.",
    read_tickets_per_month,
    90,
)
_register(
    "support.open_tickets",
    "Open tickets",
    "tickets",
    f"Tickets created by the end of the day and not solved by then; {_ZERO}.",
    read_open_tickets,
    None,
)
_register(
    "support.csat",
    "Ticket satisfaction",
    "share",
    "Satisfied ratings (good, or 4–5 of 1–5) ÷ ratings of the tickets created in the `days` "
    "up to the day; no data without a rating.",
    read_ticket_csat,
    90,
)
_register(
    "support.resolution_hours",
    "Hours to resolve",
    "hours",
    "Median calendar hours from creation to solve of the tickets solved in the `days` up to "
    "the day; no data without one.",
    read_resolution_hours,
    90,
)
_register(
    "surveys.nps",
    "NPS",
    "points",
    "% promoters − % detractors of the NPS answers in the `days` up to the day, each person's "
    "latest answer once (−100 … 100); no data without an answer.",
    read_nps,
    365,
)
_register(
    "surveys.csat",
    "Survey CSAT",
    "share",
    "Positive answers ÷ answers to the CSAT surveys (4–5 of 1–5, good of good/bad) in the "
    "`days` up to the day; no data without an answer.",
    read_survey_csat,
    90,
)
_register(
    "surveys.ces",
    "Customer effort (CES)",
    "points",
    "Mean CES 2.0 answer (1–7, higher is easier) in the `days` up to the day; no data without "
    "an answer.",
    read_ces,
    90,
)
