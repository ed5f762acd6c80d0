"""Support & success: the reactive and the proactive side of a period, per account and portfolio.

The facts come from `support_success_facts` (one grouped query per figure over every account
in scope, never one per account); the arithmetic is `support_success_rules`. The portfolio is
the current accounts (not churned), optionally of one segment or one CSM; one account is shown
whatever its stage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.service import get_account, get_segment, list_segments
from headway.activities.service import coverage_of_account, iter_coverage
from headway.reports.service import (
    NO_SEGMENT,
    UNASSIGNED,
    _account_names,
    _by_person,
    _by_segment,
    _churned_stage_ids,
    _not_churned,
    _user_names,
)
from headway.reports.support_success_facts import (
    Window,
    monthly_counts,
    read_facts,
    resolution_hours,
    support_success_window,
)
from headway.reports.support_success_rules import (
    HIGH_EFFORT_MEAN_BELOW,
    REACTIVE_ACTIVITY_TYPES,
    RISING_FACTOR,
    RISING_MIN_TICKETS,
    AccountFacts,
    CsWork,
    SupportLoad,
    attention_reasons,
    cs_work,
    explain,
    support_load,
)
from headway.support.service import list_tickets
from headway.surveys.scoring import CES_2_0, tally
from headway.users.service import get_user

THRESHOLDS = {
    "high_effort_mean_below": HIGH_EFFORT_MEAN_BELOW,
    "rising_min_tickets": RISING_MIN_TICKETS,
    "rising_factor": RISING_FACTOR,
    "reactive_activity_types": sorted(REACTIVE_ACTIVITY_TYPES),
}
DEFINITIONS = {
    "tickets": "tickets created in the period; tickets_previous: in the previous period of "
    "the same length; ticket_trend: tickets ÷ tickets_previous (null when that is 0)",
    "resolution_median_hours": "median hours from creation to solve of the tickets solved "
    "in the period, in calendar hours as the helpdesk measured them or from the timestamps",
    "csat": "positive answers ÷ answers: satisfaction ratings of tickets created in the "
    "period (4–5 of 1–5, good of good/bad) and CSAT survey answers given in the period, "
    "each read on its own scale",
    "ces_mean": "mean answer to the CES surveys on the CES 2.0 scale in the period (1–7, "
    "7 = easy); ces_agree_rate: share of those answers 5–7",
    "activities": "activities logged in the period, with their hours; proactive_touches: "
    "those of every type but the reactive ones (escalations)",
    "accounts_touched": "accounts with a proactive touch in the period",
    "goals_progressed": "goals with new evidence (a measurement) dated in the period",
    "coverage": "required touches met ÷ required touches that apply, on the period's last "
    "day (today at the latest), by each segment's Appropriate Experience",
    "attention": "accounts without a proactive touch in the period that had high effort "
    f"(mean CES below {HIGH_EFFORT_MEAN_BELOW:g} on at least one answer) or rising ticket "
    f"load (at least {RISING_MIN_TICKETS} tickets and {RISING_FACTOR:g}× the previous period)",
}


# --- shaping the figures -------------------------------------------------------------------


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _support(load: SupportLoad) -> dict[str, Any]:
    minutes = load.resolution_median_minutes
    return {
        "tickets": load.tickets,
        "tickets_previous": load.tickets_previous,
        "ticket_trend": _round(load.ticket_trend),
        "solved": load.solved,
        "resolution_median_hours": None if minutes is None else _round(minutes / 60),
        "csat": _round(load.csat.positive_rate),
        "csat_responses": load.csat.responses,
        "ces_mean": _round(load.effort.mean),
        "ces_agree_rate": _round(load.effort.positive_rate),
        "ces_responses": load.effort.responses,
    }


def _success(work: CsWork) -> dict[str, Any]:
    return {
        "activities": work.activities,
        "activity_hours": round(work.activity_minutes / 60, 2),
        "proactive_touches": work.proactive_touches,
        "accounts_touched": work.accounts_touched,
        "goals_progressed": work.goals_progressed,
        "touches_required": work.touches_required,
        "touches_met": work.touches_met,
        "coverage": _round(work.coverage),
    }


def _sides(facts: list[AccountFacts]) -> dict[str, Any]:
    return {
        "accounts": len(facts),
        "support": _support(support_load(facts)),
        "success": _success(cs_work(facts)),
    }


def _period(window: Window) -> dict[str, Any]:
    return {
        "period": {"from": _iso(window.first), "to": _iso(window.last), "days": window.days},
        "previous_period": {
            "from": _iso(window.previous_first),
            "to": _iso(window.first - timedelta(days=1)),
        },
        "coverage_as_of": _iso(window.coverage_day),
    }


def _grouped(
    facts: Iterable[AccountFacts], key: Callable[[AccountFacts], Any]
) -> dict[Any, list[AccountFacts]]:
    groups: dict[Any, list[AccountFacts]] = defaultdict(list)
    for f in facts:
        groups[key(f)].append(f)
    return groups


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


# --- the reports ---------------------------------------------------------------------------


def account_support_success(
    *, session: Session, account_id: int, first: date | None = None, last: date | None = None
) -> dict[str, Any]:
    """Support load beside CS work of one account for a period (default: the last 90 days)."""
    window = support_success_window(first, last)
    account = get_account(session=session, account_id=account_id)
    segment = account.segment.key if account.segment else None
    scope = select(Account.id).where(Account.id == account.id)
    touches = coverage_of_account(
        session=session, account_id=account.id, as_of=window.coverage_day
    ).lines
    facts = read_facts(
        session,
        scope,
        {account.id: (segment, account.owner_id)},
        window,
        {account.id: (len(touches), sum(line.met for line in touches))},
    )[account.id]
    reasons = attention_reasons(facts)
    return {
        "account": {
            "id": account.id,
            "external_id": account.external_id,
            "name": account.name,
            "segment": segment,
            "owner_id": account.owner_id,
        },
        **_period(window),
        "support": _support(support_load([facts])),
        "success": _success(cs_work([facts]))
        | {"last_proactive_touch": _iso(facts.last_proactive_touch)},
        "attention": {"reasons": list(reasons), "why": explain(facts, reasons)},
        "monthly": monthly_counts(session, scope, window),
        "thresholds": THRESHOLDS,
        "definitions": DEFINITIONS,
    }


def portfolio_support_success(
    *,
    session: Session,
    first: date | None = None,
    last: date | None = None,
    segment: str | None = None,
    owner_id: int | None = None,
) -> dict[str, Any]:
    """Support load beside CS work of the current accounts for a period: totals, per segment,
    per CSM, and the accounts that need a proactive touch."""
    window = support_success_window(first, last)
    segments = list_segments(session=session)
    segment_keys = {s.id: s.key for s in segments}
    segment_names = {s.key: s.name for s in segments}
    segment_id = get_segment(session=session, key=segment).id if segment else None
    if owner_id is not None:
        get_user(session=session, user_id=owner_id)
    scope = select(Account.id).where(_not_churned(_churned_stage_ids(session)))
    if segment_id is not None:
        scope = scope.where(Account.segment_id == segment_id)
    if owner_id is not None:
        scope = scope.where(Account.owner_id == owner_id)
    accounts = {
        account_id: (segment_keys.get(segment_id_) if segment_id_ else None, owner)
        for account_id, segment_id_, owner in session.execute(
            scope.with_only_columns(Account.id, Account.segment_id, Account.owner_id)
        )
    }
    coverage = {
        row.account_id: (len(row.lines), sum(line.met for line in row.lines))
        for row in iter_coverage(
            session=session, as_of=window.coverage_day, segment_id=segment_id, owner_id=owner_id
        )
    }
    facts = list(read_facts(session, scope, accounts, window, coverage).values())

    by_owner = _grouped(facts, lambda f: f.owner_id)
    names = _user_names(session, {k for k in by_owner if k is not None})
    listed = [(f, r) for f in facts if (r := attention_reasons(f))]
    account_names = _account_names(session, {f.account_id for f, _ in listed})

    def attention_line(f: AccountFacts, reasons: tuple[str, ...]) -> dict[str, Any]:
        effort = tally(f.effort, CES_2_0)
        return {
            "account_id": f.account_id,
            "name": account_names.get(f.account_id, ""),
            "segment": f.segment,
            "segment_name": segment_names.get(f.segment, NO_SEGMENT) if f.segment else NO_SEGMENT,
            "owner_id": f.owner_id,
            "owner_name": names.get(f.owner_id, UNASSIGNED) if f.owner_id else UNASSIGNED,
            "reasons": list(reasons),
            "why": explain(f, reasons),
            "tickets": f.tickets,
            "tickets_previous": f.tickets_previous,
            "ces_mean": _round(effort.mean),
            "ces_responses": effort.responses,
            "last_proactive_touch": _iso(f.last_proactive_touch),
        }

    attention = sorted(
        (attention_line(f, r) for f, r in listed),
        key=lambda a: (
            -len(a["reasons"]),
            -a["tickets"],
            a["ces_mean"] if a["ces_mean"] is not None else float("inf"),
            a["name"].lower(),
            a["account_id"],
        ),
    )
    return {
        **_period(window),
        "filters": {"segment": segment, "owner_id": owner_id},
        **_sides(facts),
        "by_segment": [
            {"segment": line.key, "name": line.name, **_sides(line.figures)}
            for line in _by_segment(_grouped(facts, lambda f: f.segment), segments)
        ],
        "by_csm": [
            {"owner_id": line.key, "name": line.name, **_sides(line.figures)}
            for line in _by_person(by_owner, names)
        ],
        "attention": attention,
        "monthly": monthly_counts(session, scope, window),
        "thresholds": THRESHOLDS,
        "definitions": DEFINITIONS,
    }


def latest_tickets(*, session: Session, account_id: int, limit: int = 5) -> list[dict[str, Any]]:
    """The newest tickets of an account, with the hours they took to resolve (None: unsolved)."""
    tickets, _ = list_tickets(session=session, account_id=account_id, per_page=limit)
    hours = resolution_hours(session=session, tickets=tickets)
    return [
        {
            "id": t.id,
            "external_id": t.external_id,
            "subject": t.subject,
            "status": t.status,
            "priority": t.priority,
            "created_at": t.created_at,
            "resolution_hours": hours.get(t.id),
        }
        for t in tickets
    ]
