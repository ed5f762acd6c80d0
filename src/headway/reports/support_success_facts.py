"""The facts of the support & success report, read in bulk: one grouped query per figure.

Every query covers all the accounts in scope at once (a subquery of their ids) and groups by
account; the monthly chart reads each month as one column of a single row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from headway.activities.models import Activity, ActivityType
from headway.core import clock
from headway.core.errors import InvalidInput
from headway.outcomes.models import Evidence, Goal
from headway.reports.support_success_rules import (
    REACTIVE_ACTIVITY_TYPES,
    AccountFacts,
    Answer,
    ticket_answer,
)
from headway.support.metrics import SOLVED_STATUSES, TicketRecord, resolution_minutes
from headway.support.models import Ticket
from headway.support.reports import load_calendar
from headway.surveys.models import Survey, SurveyResponse
from headway.surveys.scoring import Scale, scale_of

DEFAULT_DAYS = 90
CHART_MONTHS = 12
EFFORT_SURVEY = "ces"
CES_2_0 = Scale(minimum=1, maximum=7, positive_min=5, negative_max=3)  # when `ces` is gone


# --- the period ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The period (both days included) and the previous one of the same length."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def previous_first(self) -> date:
        return self.first - timedelta(days=self.days)

    @property
    def coverage_day(self) -> date:
        return min(self.last, clock.today())


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def support_success_window(first: date | None = None, last: date | None = None) -> Window:
    """The period asked for: by default the last 90 days ending today."""
    last = last or clock.today()
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput(f"the period starts on {first} after it ends on {last}")
    window = Window(first, last)
    try:
        # The previous period, the chart's months and the day after must all be dates.
        window.previous_first, _months(window), last + timedelta(days=1)
    except (OverflowError, ValueError):
        raise InvalidInput(
            f"the period {first} to {last} with the period before it and the 12 months of "
            "the chart does not fit in the calendar (years 1 to 9999)"
        ) from None
    return window


def _months(window: Window) -> list[date]:
    """The first days of the CHART_MONTHS months up to the period's last month."""
    year, month = window.last.year, window.last.month
    firsts = []
    for _ in range(CHART_MONTHS):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


# --- reading the facts ---------------------------------------------------------------------


def _within(column: Any, first: date, last: date) -> Any:
    return (column >= _midnight(first)) & (column < _midnight(last + timedelta(days=1)))


def _reactive_type_ids(session: Session) -> list[int]:
    query = select(ActivityType.id).where(ActivityType.key.in_(REACTIVE_ACTIVITY_TYPES))
    return list(session.scalars(query))


def _survey_scales(session: Session) -> tuple[dict[int, Scale], dict[int, Scale]]:
    """CSAT surveys and the effort survey, by id, with their scales."""
    surveys = session.scalars(
        select(Survey).where(or_(Survey.type == "csat", Survey.key == EFFORT_SURVEY))
    )
    csat: dict[int, Scale] = {}
    effort: dict[int, Scale] = {}
    for survey in surveys:
        (effort if survey.key == EFFORT_SURVEY else csat)[survey.id] = scale_of(survey)
    return csat, effort


def _ticket_counts(session: Session, in_scope: Any, window: Window) -> dict[int, tuple[int, int]]:
    """Tickets created in the period and in the previous one, per account."""
    start = _midnight(window.first)
    rows = session.execute(
        select(
            Ticket.account_id,
            func.sum(case((Ticket.created_at >= start, 1), else_=0)),
            func.sum(case((Ticket.created_at < start, 1), else_=0)),
        )
        .where(
            Ticket.account_id.in_(in_scope),
            _within(Ticket.created_at, window.previous_first, window.last),
        )
        .group_by(Ticket.account_id)
    )
    return {account_id: (int(now or 0), int(before or 0)) for account_id, now, before in rows}


def _record(row: Any) -> TicketRecord:
    """What resolution needs of a ticket (or a row with the same names)."""
    return TicketRecord(
        ticket_id=row.id,
        account_id=row.account_id,
        priority=row.priority,
        status=row.status,
        created_at=row.created_at,
        solved_at=row.solved_at,
        resolution_minutes_calendar=row.resolution_minutes_calendar,
    )


def _resolution(session: Session, in_scope: Any, window: Window) -> dict[int, list[float]]:
    """Minutes to resolve each ticket solved in the period, as the support metrics count them."""
    calendar, end = load_calendar(session=session), _midnight(window.last + timedelta(days=1))
    minutes: dict[int, list[float]] = defaultdict(list)
    for row in session.execute(
        select(
            Ticket.id,
            Ticket.account_id,
            Ticket.priority,
            Ticket.status,
            Ticket.created_at,
            Ticket.solved_at,
            Ticket.resolution_minutes_calendar,
        ).where(
            Ticket.account_id.in_(in_scope),
            Ticket.status.in_(SOLVED_STATUSES),
            _within(Ticket.solved_at, window.first, window.last),
        )
    ):
        value = resolution_minutes(_record(row), calendar, "calendar", end)
        if value is not None:
            minutes[row.account_id].append(value)
    return minutes


def resolution_hours(*, session: Session, tickets: Iterable[Ticket]) -> dict[int, float]:
    """Hours each solved ticket took to resolve (calendar hours), by ticket id."""
    calendar, now = load_calendar(session=session), clock.now()
    found = {}
    for ticket in tickets:
        minutes = resolution_minutes(_record(ticket), calendar, "calendar", now)
        if minutes is not None:
            found[ticket.id] = round(minutes / 60, 2)
    return found


def _answers(
    session: Session, in_scope: Any, window: Window
) -> tuple[dict[int, list[Answer]], dict[int, list[int]]]:
    """Satisfaction answers (ticket ratings, CSAT surveys) with their scales, and CES answers."""
    answers: dict[int, list[Answer]] = defaultdict(list)
    for account_id, rating, scale, n in session.execute(
        select(Ticket.account_id, Ticket.satisfaction, Ticket.satisfaction_scale, func.count())
        .where(
            Ticket.account_id.in_(in_scope),
            Ticket.satisfaction.is_not(None),
            _within(Ticket.created_at, window.first, window.last),
        )
        .group_by(Ticket.account_id, Ticket.satisfaction, Ticket.satisfaction_scale)
    ):
        if (answer := ticket_answer(rating, scale)) is not None:
            answers[account_id].extend([answer] * n)
    csat_scales, effort_scales = _survey_scales(session)
    effort: dict[int, list[int]] = defaultdict(list)
    for account_id, survey_id, score, n in session.execute(
        select(
            SurveyResponse.account_id, SurveyResponse.survey_id, SurveyResponse.score, func.count()
        )
        .where(
            SurveyResponse.account_id.in_(in_scope),
            SurveyResponse.survey_id.in_([*csat_scales, *effort_scales]),
            _within(SurveyResponse.responded_at, window.first, window.last),
        )
        .group_by(SurveyResponse.account_id, SurveyResponse.survey_id, SurveyResponse.score)
    ):
        if survey_id in effort_scales:
            effort[account_id].extend([score] * n)
        else:
            answers[account_id].extend([(csat_scales[survey_id], score)] * n)
    return answers, effort


def _activities(session: Session, in_scope: Any, window: Window) -> dict[int, dict[str, Any]]:
    """Activities of the period (count, minutes, proactive ones) and the last proactive touch
    up to its end, per account."""
    reactive = _reactive_type_ids(session)
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    for account_id, n, total, proactive in session.execute(
        select(
            Activity.account_id,
            func.count(),
            func.sum(Activity.minutes),
            func.sum(case((Activity.type_id.in_(reactive), 0), else_=1)),
        )
        .where(
            Activity.account_id.in_(in_scope),
            _within(Activity.occurred_at, window.first, window.last),
        )
        .group_by(Activity.account_id)
    ):
        found[account_id] |= {
            "activities": int(n),
            "activity_minutes": int(total or 0),
            "proactive_touches": int(proactive or 0),
        }
    for account_id, at in session.execute(
        select(Activity.account_id, func.max(Activity.occurred_at))
        .where(
            Activity.account_id.in_(in_scope),
            Activity.type_id.not_in(reactive),
            Activity.occurred_at < _midnight(window.last + timedelta(days=1)),
        )
        .group_by(Activity.account_id)
    ):
        found[account_id]["last_proactive_touch"] = at.date()
    return found


def _goals_progressed(session: Session, in_scope: Any, window: Window) -> dict[int, int]:
    """Goals with evidence dated in the period, per account."""
    rows = session.execute(
        select(Goal.account_id, func.count(distinct(Evidence.goal_id)))
        .join(Goal, Goal.id == Evidence.goal_id)
        .where(
            Goal.account_id.in_(in_scope),
            Evidence.measured_on >= window.first,
            Evidence.measured_on <= window.last,
        )
        .group_by(Goal.account_id)
    )
    return {account_id: int(n) for account_id, n in rows}


def read_facts(
    session: Session,
    scope: Select[Any],
    accounts: Mapping[int, tuple[str | None, int | None]],
    window: Window,
    coverage: Mapping[int, tuple[int, int]],
) -> dict[int, AccountFacts]:
    """Every figure of every account in scope (their ids: `scope`; their segment key and
    owner: `accounts`; required and met touches: `coverage`), one grouped query per figure."""
    in_scope = scope.scalar_subquery()
    tickets = _ticket_counts(session, in_scope, window)
    minutes = _resolution(session, in_scope, window)
    answers, effort = _answers(session, in_scope, window)
    activities = _activities(session, in_scope, window)
    goals = _goals_progressed(session, in_scope, window)
    return {
        account_id: AccountFacts(
            account_id=account_id,
            segment=segment,
            owner_id=owner_id,
            resolution_minutes=tuple(minutes.get(account_id, ())),
            satisfaction=tuple(answers.get(account_id, ())),
            effort=tuple(effort.get(account_id, ())),
            goals_progressed=goals.get(account_id, 0),
            touches_required=coverage.get(account_id, (0, 0))[0],
            touches_met=coverage.get(account_id, (0, 0))[1],
            tickets=tickets.get(account_id, (0, 0))[0],
            tickets_previous=tickets.get(account_id, (0, 0))[1],
            **activities.get(account_id, {}),
        )
        for account_id, (segment, owner_id) in accounts.items()
    }


def monthly_counts(session: Session, scope: Select[Any], window: Window) -> dict[str, Any]:
    """Tickets created and proactive touches per month, the period's last month cut at its end."""
    firsts = _months(window)
    end = _midnight(window.last + timedelta(days=1))
    bounds = [
        (_midnight(first), min(_midnight(following), end))
        for first, following in zip(firsts, [*firsts[1:], _next_month(firsts[-1])], strict=True)
    ]
    in_scope = scope.scalar_subquery()

    def counts(column: Any, *conditions: Any) -> list[int]:
        sums = [func.sum(case(((column >= a) & (column < b), 1), else_=0)) for a, b in bounds]
        row = session.execute(
            select(*sums).where(*conditions, column >= bounds[0][0], column < end)
        ).one()
        return [int(value or 0) for value in row]

    return {
        "months": [first.isoformat()[:7] for first in firsts],
        "tickets": counts(Ticket.created_at, Ticket.account_id.in_(in_scope)),
        "proactive_touches": counts(
            Activity.occurred_at,
            Activity.account_id.in_(in_scope),
            Activity.type_id.not_in(_reactive_type_ids(session)),
        ),
    }


def _next_month(first: date) -> date:
    return date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)


def read_effort_scale(session: Session) -> Scale:
    """The scale of the effort survey (CES 2.0 when it is gone)."""
    survey = session.scalar(select(Survey).where(Survey.key == EFFORT_SURVEY))
    return scale_of(survey) if survey is not None else CES_2_0
