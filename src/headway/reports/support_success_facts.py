"""The facts of the support & success report, read in bulk: one grouped query per figure.

Every query covers all the accounts in scope at once (a subquery of their ids) and groups by
account; the monthly chart reads each month as one column of a single row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, case, distinct, func, select
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
from headway.support.metrics import SOLVED_STATUSES, resolution_minutes
from headway.support.models import Ticket
from headway.support.reports import (
    RECORD_COLUMNS,
    load_calendar,
    midnight,
    resolve_period,
    ticket_record,
)
from headway.surveys.models import Survey, SurveyResponse
from headway.surveys.scoring import Scale, on_ces_2_0, scale_of

DEFAULT_DAYS = 90
CHART_MONTHS = 12


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


def support_success_window(first: date | None = None, last: date | None = None) -> Window:
    """The period asked for: by default the last 90 days ending today."""
    window = Window(*resolve_period(first, last, default_days=DEFAULT_DAYS))
    try:
        # The previous period and the chart's months must be dates too.
        window.previous_first, _months(window)
    except (OverflowError, ValueError):
        raise InvalidInput(
            f"the period {window.first} to {window.last} with the period before it and the "
            "12 months of the chart does not fit in the calendar (years 1 to 9999)"
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
    return (column >= midnight(first)) & (column < midnight(last + timedelta(days=1)))


def _reactive_type_ids(session: Session) -> list[int]:
    query = select(ActivityType.id).where(ActivityType.key.in_(REACTIVE_ACTIVITY_TYPES))
    return list(session.scalars(query))


def _survey_scales(session: Session) -> tuple[dict[int, Scale], set[int]]:
    """CSAT surveys by id with their scales, and the CES surveys on the CES 2.0 scale."""
    csat: dict[int, Scale] = {}
    effort: set[int] = set()
    for survey in session.scalars(select(Survey).where(Survey.type.in_(("csat", "ces")))):
        if survey.type == "csat":
            csat[survey.id] = scale_of(survey)
        elif on_ces_2_0(survey):
            effort.add(survey.id)
    return csat, effort


def _ticket_counts(session: Session, in_scope: Any, window: Window) -> dict[int, tuple[int, int]]:
    """Tickets created in the period and in the previous one, per account."""
    start = midnight(window.first)
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


def _resolution(session: Session, in_scope: Any, window: Window) -> dict[int, list[float]]:
    """Minutes to resolve each ticket solved in the period, as the support metrics count them."""
    calendar, end = load_calendar(session=session), midnight(window.last + timedelta(days=1))
    minutes: dict[int, list[float]] = defaultdict(list)
    for ticket in session.execute(
        select(*RECORD_COLUMNS).where(
            Ticket.account_id.in_(in_scope),
            Ticket.status.in_(SOLVED_STATUSES),
            _within(Ticket.solved_at, window.first, window.last),
        )
    ):
        value = resolution_minutes(ticket_record(ticket), calendar, "calendar", end)
        if value is not None:
            minutes[ticket.account_id].append(value)
    return minutes


def resolution_hours(*, session: Session, tickets: Iterable[Ticket]) -> dict[int, float]:
    """Hours each solved ticket took to resolve (calendar hours), by ticket id."""
    calendar, now = load_calendar(session=session), clock.now()
    found = {}
    for ticket in tickets:
        minutes = resolution_minutes(ticket_record(ticket), calendar, "calendar", now)
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
    csat_scales, effort_surveys = _survey_scales(session)
    effort: dict[int, list[int]] = defaultdict(list)
    for account_id, survey_id, score, n in session.execute(
        select(
            SurveyResponse.account_id, SurveyResponse.survey_id, SurveyResponse.score, func.count()
        )
        .where(
            SurveyResponse.account_id.in_(in_scope),
            SurveyResponse.survey_id.in_([*csat_scales, *effort_surveys]),
            _within(SurveyResponse.responded_at, window.first, window.last),
        )
        .group_by(SurveyResponse.account_id, SurveyResponse.survey_id, SurveyResponse.score)
    ):
        if survey_id in effort_surveys:
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
            Activity.occurred_at < midnight(window.last + timedelta(days=1)),
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
    end = midnight(window.last + timedelta(days=1))
    bounds = [
        (midnight(first), min(midnight(following), end))
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
