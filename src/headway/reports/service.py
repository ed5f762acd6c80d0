"""Portfolio reports: outcome attainment, outputs vs outcomes per CSM, coverage gaps.

The service gathers rows in a few grouped or batched queries (never one per account) and hands
plain data to the arithmetic in `attainment` and `compliance`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, LifecycleStage, Segment
from headway.accounts.service import get_segment, list_segments
from headway.activities.models import Activity, ActivityUser
from headway.activities.service import CHURNED_STAGE, iter_coverage
from headway.core import clock
from headway.core.errors import InvalidInput
from headway.outcomes.models import Evidence, Goal, GoalTemplate
from headway.outcomes.progress import (
    Direction,
    GoalProgress,
    GoalStatus,
    GoalTerms,
    Measurement,
    goal_progress,
)
from headway.reports.attainment import (
    CUSTOM_TEMPLATE,
    ActivityTotals,
    Attainment,
    CsmResults,
    GoalFacts,
    Period,
    attainment,
    attainment_by,
    outputs_vs_outcomes,
)
from headway.reports.compliance import (
    AccountTouches,
    Compliance,
    Gap,
    compliance,
    compliance_by,
    most_overdue_first,
)
from headway.users.models import User
from headway.users.service import get_user

DEFAULT_DAYS = 90
BATCH = 2000
NO_SEGMENT = "No segment"
UNASSIGNED = "Unassigned"
CUSTOM_GOALS = "Custom goals"


# --- the period ----------------------------------------------------------------------------


def report_period(
    *, start: date | None = None, end: date | None = None, as_of: date | None = None
) -> Period:
    """The period a report covers: by default the last 90 days up to today, as of today."""
    today = clock.today()
    as_of = as_of or today
    if as_of > today:
        raise InvalidInput(f"as_of {as_of} is after today ({today}): the future is not known yet")
    end = end or as_of
    start = start or date.fromordinal(max(1, end.toordinal() - (DEFAULT_DAYS - 1)))
    if start > end:
        raise InvalidInput(f"the period starts ({start}) after it ends ({end})")
    return Period(start=start, end=end, as_of=as_of)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


# --- labels --------------------------------------------------------------------------------


T = TypeVar("T")


@dataclass(frozen=True)
class Labelled(Generic[T]):
    """A group's key, its name for people, and its figures."""

    key: Any
    name: str
    figures: T


def _churned_stage_ids(session: Session) -> list[int]:
    query = select(LifecycleStage.id).where(LifecycleStage.key == CHURNED_STAGE)
    return list(session.scalars(query))


def _not_churned(churned: list[int]) -> Any:
    return or_(Account.stage_id.is_(None), Account.stage_id.not_in(churned))


def _user_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(sorted(ids)))).all())


def _by_segment(groups: dict[Any, T], segments: list[Segment]) -> list[Labelled[T]]:
    """Groups keyed by segment key, in the segments' configured order, no segment last."""
    lines = [Labelled(s.key, s.name, groups[s.key]) for s in segments if s.key in groups]
    if None in groups:
        lines.append(Labelled(None, NO_SEGMENT, groups[None]))
    return lines


def _by_person(groups: dict[Any, T], names: dict[int, str]) -> list[Labelled[T]]:
    """Groups keyed by user id, by name, unassigned last."""
    lines = sorted(
        (Labelled(k, names.get(k, f"user {k}"), v) for k, v in groups.items() if k is not None),
        key=lambda line: (line.name.lower(), line.key),
    )
    if None in groups:
        lines.append(Labelled(None, UNASSIGNED, groups[None]))
    return lines


# --- outcome attainment --------------------------------------------------------------------


@dataclass(frozen=True)
class GoalAtRisk:
    """An open goal at risk as of the report's day, for the list people work from."""

    goal_id: int
    name: str
    account_id: int
    account_name: str
    owner_id: int | None
    owner_name: str
    due_date: date
    progress: float | None
    expected_progress: float


@dataclass(frozen=True)
class OutcomeReport:
    """Outcome attainment of a period, by segment, CSM and goal template, and per CSM the
    outcomes beside the outputs."""

    period: Period
    total: Attainment
    by_segment: list[Labelled[Attainment]]
    by_csm: list[Labelled[Attainment]]
    by_template: list[Labelled[Attainment]]
    csms: list[Labelled[CsmResults]]
    goals_at_risk: list[GoalAtRisk]


@dataclass(frozen=True)
class _GoalRow:
    """A goal with its account's owner and segment, as the report reads it."""

    goal_id: int
    name: str
    account_id: int
    template_id: int | None
    due_date: date
    achieved_on: date | None
    owner_id: int | None
    segment_id: int | None


def _decided_goals(session: Session, period: Period) -> list[_GoalRow]:
    """Goals due in the period on or before as_of, with their accounts' owner and segment."""
    rows = session.execute(
        select(
            Goal.id,
            Goal.name,
            Goal.account_id,
            Goal.template_id,
            Goal.due_date,
            Goal.achieved_on,
            Account.owner_id,
            Account.segment_id,
        )
        .join(Account, Account.id == Goal.account_id)
        .where(Goal.due_date >= period.start, Goal.due_date <= period.known_until)
    )
    return [_GoalRow(*row) for row in rows]


def _goals_at_risk(
    session: Session, as_of: date, churned: list[int]
) -> list[tuple[_GoalRow, GoalProgress]]:
    """Open goals of accounts not churned whose status as of a day is at risk, in batches.

    Plain rows, not ORM objects: the goal progress rules take the terms and the measurements
    known on the day, as `standing_of` gives them.
    """
    query = (
        select(
            Goal.id,
            Goal.name,
            Goal.account_id,
            Goal.template_id,
            Goal.due_date,
            Account.owner_id,
            Account.segment_id,
            Goal.direction,
            Goal.baseline,
            Goal.baseline_date,
            Goal.target,
        )
        .join(Account, Account.id == Goal.account_id)
        .where(
            Goal.due_date >= as_of,
            or_(Goal.achieved_on.is_(None), Goal.achieved_on > as_of),
            _not_churned(churned),
        )
        .order_by(Goal.id)
    )
    found: list[tuple[_GoalRow, GoalProgress]] = []
    last = 0
    while True:
        batch = session.execute(query.where(Goal.id > last).limit(BATCH)).all()
        if not batch:
            return found
        measured: dict[int, list[Measurement]] = defaultdict(list)
        for goal_id, day, value in session.execute(
            select(Evidence.goal_id, Evidence.measured_on, Evidence.value).where(
                Evidence.goal_id.in_([row[0] for row in batch]), Evidence.measured_on <= as_of
            )
        ):
            measured[goal_id].append(Measurement(day, value))
        for goal_id, name, account_id, template_id, due, owner_id, segment_id, *terms in batch:
            direction, baseline, baseline_date, target = terms
            standing = goal_progress(
                GoalTerms(Direction(direction), baseline, baseline_date, target, due),
                measured.get(goal_id, []),
                as_of=as_of,
            )
            if standing.status is GoalStatus.AT_RISK:
                row = _GoalRow(
                    goal_id, name, account_id, template_id, due, None, owner_id, segment_id
                )
                found.append((row, standing))
        last = batch[-1][0]


def outcome_report(
    *,
    session: Session,
    start: date | None = None,
    end: date | None = None,
    as_of: date | None = None,
) -> OutcomeReport:
    """Outcome attainment of a period (default: the last 90 days, as of today)."""
    period = report_period(start=start, end=end, as_of=as_of)
    churned = _churned_stage_ids(session)
    segments = list_segments(session=session)
    segment_keys = {s.id: s.key for s in segments}
    templates = {t.id: (t.key, t.name) for t in session.scalars(select(GoalTemplate))}
    template_names = dict(templates.values())
    decided = _decided_goals(session, period)
    risky = _goals_at_risk(session, period.as_of, churned)

    def facts_of(row: _GoalRow, at_risk: bool) -> GoalFacts:
        return GoalFacts(
            account_id=row.account_id,
            segment=segment_keys.get(row.segment_id) if row.segment_id else None,
            owner_id=row.owner_id,
            template=templates[row.template_id][0]
            if row.template_id in templates
            else CUSTOM_TEMPLATE,
            due_date=row.due_date,
            achieved_on=row.achieved_on,
            at_risk=at_risk,
        )

    # One fact per goal: a goal due on as_of itself is both decided and, if so, at risk.
    facts = {row.goal_id: facts_of(row, False) for row in decided}
    decided_by_id = {row.goal_id: row for row in decided}
    for row, _ in risky:
        known = decided_by_id.get(row.goal_id, row)
        facts[row.goal_id] = facts_of(known, True)
    goals = list(facts.values())

    achievements = session.execute(
        select(Goal.account_id, Goal.achieved_on).where(
            Goal.achieved_on >= period.start, Goal.achieved_on <= period.known_until
        )
    ).all()
    current = session.execute(
        select(Account.owner_id, Account.id).where(
            Account.owner_id.is_not(None), _not_churned(churned)
        )
    ).all()
    per_csm = outputs_vs_outcomes(
        goals,
        period,
        current_accounts=[(owner_id, account_id) for owner_id, account_id in current],
        achievements=[(account_id, day) for account_id, day in achievements if day],
        activities=_activity_totals(session, period),
    )
    by_csm = attainment_by(goals, period, lambda g: g.owner_id)
    by_template = attainment_by(goals, period, lambda g: g.template)
    people = {k for k in by_csm if k is not None} | set(per_csm)
    names = _user_names(session, people | {r.owner_id for r, _ in risky if r.owner_id})
    account_names = _account_names(session, {r.account_id for r, _ in risky})
    return OutcomeReport(
        period=period,
        total=attainment(goals, period),
        by_segment=_by_segment(attainment_by(goals, period, lambda g: g.segment), segments),
        by_csm=_by_person(by_csm, names),
        by_template=sorted(
            (Labelled(k, template_names.get(k, CUSTOM_GOALS), v) for k, v in by_template.items()),
            key=lambda line: (line.key == CUSTOM_TEMPLATE, line.name.lower()),
        ),
        csms=_by_person(dict(per_csm), names),
        goals_at_risk=sorted(
            (
                GoalAtRisk(
                    goal_id=row.goal_id,
                    name=row.name,
                    account_id=row.account_id,
                    account_name=account_names.get(row.account_id, ""),
                    owner_id=row.owner_id,
                    owner_name=names.get(row.owner_id, UNASSIGNED) if row.owner_id else UNASSIGNED,
                    due_date=row.due_date,
                    progress=standing.progress,
                    expected_progress=standing.expected_progress,
                )
                for row, standing in risky
            ),
            key=lambda g: (g.due_date, g.account_name.lower(), g.goal_id),
        ),
    )


def _account_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Names of accounts, in batches of ids."""
    found: dict[int, str] = {}
    ordered = sorted(ids)
    for i in range(0, len(ordered), BATCH):
        found.update(
            session.execute(
                select(Account.id, Account.name).where(Account.id.in_(ordered[i : i + BATCH]))
            ).all()
        )
    return found


def _activity_totals(session: Session, period: Period) -> dict[int, ActivityTotals]:
    """Per team member, the activities they took part in during the period and their minutes."""
    if period.known_until < period.start:
        return {}
    rows = session.execute(
        select(ActivityUser.user_id, func.count(Activity.id), func.sum(Activity.minutes))
        .join(Activity, Activity.id == ActivityUser.activity_id)
        .where(
            Activity.occurred_at >= _start_of(period.start),
            Activity.occurred_at < _start_of(period.known_until + timedelta(days=1)),
        )
        .group_by(ActivityUser.user_id)
    )
    return {user_id: ActivityTotals(int(n), int(minutes or 0)) for user_id, n, minutes in rows}


# --- coverage ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapLine:
    """A gap with the names people read: its account's segment and owner."""

    gap: Gap
    segment_name: str
    owner_name: str


@dataclass(frozen=True)
class CoverageReport:
    """Appropriate Experience compliance as of a day, by segment and CSM, and every gap."""

    as_of: date
    segment: str | None
    owner_id: int | None
    total: Compliance
    by_segment: list[Labelled[Compliance]]
    by_csm: list[Labelled[Compliance]]
    gaps: list[GapLine]  # the most overdue first


def coverage_report(
    *,
    session: Session,
    as_of: date | None = None,
    segment: str | None = None,
    owner_id: int | None = None,
) -> CoverageReport:
    """Which current accounts miss the touches their segment requires, as of a day (today)."""
    today = clock.today()
    as_of = as_of or today
    if as_of > today:
        raise InvalidInput(f"as_of {as_of} is after today ({today}): the future is not known yet")
    segment_id = get_segment(session=session, key=segment).id if segment else None
    if owner_id is not None:
        get_user(session=session, user_id=owner_id)
    segments = list_segments(session=session)
    segment_keys = {s.id: s.key for s in segments}
    accounts: list[AccountTouches] = []
    gaps: list[Gap] = []
    for row in iter_coverage(
        session=session, as_of=as_of, segment_id=segment_id, owner_id=owner_id
    ):
        key = segment_keys.get(row.segment_id) if row.segment_id else None
        accounts.append(
            AccountTouches(
                account_id=row.account_id,
                segment=key,
                owner_id=row.owner_id,
                overdue_days=tuple(line.overdue_days for line in row.lines),
            )
        )
        gaps.extend(
            Gap(
                account_id=row.account_id,
                account_name=row.account_name,
                segment=key,
                owner_id=row.owner_id,
                requirement=line.name,
                every_days=line.every_days,
                last_touch=line.last_touch,
                due_on=line.due_on,
                overdue_days=line.overdue_days,
            )
            for line in row.gaps
        )
    by_csm = compliance_by(accounts, lambda a: a.owner_id)
    names = _user_names(session, {a.owner_id for a in accounts if a.owner_id is not None})
    segment_names = {s.key: s.name for s in segments}
    return CoverageReport(
        as_of=as_of,
        segment=segment,
        owner_id=owner_id,
        total=compliance(accounts),
        by_segment=_by_segment(compliance_by(accounts, lambda a: a.segment), segments),
        by_csm=_by_person(by_csm, names),
        gaps=[
            GapLine(
                gap=gap,
                segment_name=segment_names.get(gap.segment, NO_SEGMENT)
                if gap.segment
                else NO_SEGMENT,
                owner_name=names.get(gap.owner_id, UNASSIGNED) if gap.owner_id else UNASSIGNED,
            )
            for gap in most_overdue_first(gaps)
        ],
    )
