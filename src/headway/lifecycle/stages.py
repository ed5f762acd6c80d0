"""Apply the stage rules: move accounts whose condition holds, recorded on their timelines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, LifecycleStage, StageChange
from headway.accounts.service import change_stage
from headway.core import clock
from headway.core.audit import Actor
from headway.health.models import HealthScore
from headway.lifecycle.configuration import list_stage_rules
from headway.lifecycle.rules import (
    BAND_OF_CONDITION,
    CHURNED,
    FIRST_VALUE_REACHED,
    AccountFacts,
    Rule,
    plan_moves,
    window,
)
from headway.lifecycle.service import ttfv_details

STAGE_RULE = Actor.system("stage rule")


@dataclass(frozen=True)
class StageMove:
    """An account a stage rule moved (or, in a dry run, would move), and why."""

    account_id: int
    account_name: str
    from_stage: str
    to_stage: str
    rule_id: int
    reason: str


def _band_days(
    session: Session, stage_key: str, band: str, days: int, as_of: date
) -> dict[int, int]:
    """Per account in a stage: the days of the last `days` days it scored in a band."""
    first, last = window(as_of, days)
    query = (
        select(HealthScore.account_id, func.count())
        .join(Account, Account.id == HealthScore.account_id)
        .join(LifecycleStage, LifecycleStage.id == Account.stage_id)
        .where(
            LifecycleStage.key == stage_key,
            HealthScore.band == band,
            HealthScore.day >= first,
            HealthScore.day <= last,
        )
        .group_by(HealthScore.account_id)
    )
    return {account_id: count for account_id, count in session.execute(query)}


def _moved_today(session: Session) -> set[int]:
    midnight = datetime.combine(clock.today(), time(), tzinfo=UTC)
    query = select(StageChange.account_id).where(
        StageChange.changed_by == STAGE_RULE.label, StageChange.changed_at >= midnight
    )
    return set(session.scalars(query))


def _facts(
    session: Session, rules: list[Rule], as_of: date
) -> tuple[list[AccountFacts], dict[int, str]]:
    from_stages = {r.from_stage for r in rules}
    accounts = session.execute(
        select(Account.id, Account.name, LifecycleStage.key)
        .join(LifecycleStage, LifecycleStage.id == Account.stage_id)
        .where(LifecycleStage.key.in_(from_stages), LifecycleStage.key != CHURNED)
        .order_by(Account.id)
    ).all()
    # One step a day: an account a rule moved today waits for tomorrow's run.
    skipped = _moved_today(session)
    accounts = [a for a in accounts if a.id not in skipped]
    first_value_stages = {r.from_stage for r in rules if r.condition == FIRST_VALUE_REACHED}
    first_value_ids = [a.id for a in accounts if a.key in first_value_stages]
    details = (
        ttfv_details(session=session, account_ids=first_value_ids, as_of=as_of)
        if first_value_ids
        else {}
    )
    band_days: dict[int, dict[tuple[str, int], int]] = {}
    for rule in rules:
        band = BAND_OF_CONDITION.get(rule.condition)
        if band is None or rule.days is None:
            continue
        counts = _band_days(session, rule.from_stage, band, rule.days, as_of)
        for account_id, count in counts.items():
            band_days.setdefault(account_id, {})[(band, rule.days)] = count
    facts = []
    for account in accounts:
        measured = details.get(account.id)
        reached = measured is not None and measured.ttfv.reached
        facts.append(
            AccountFacts(
                account_id=account.id,
                stage=account.key,
                first_value_on=measured.ttfv.value if measured and reached else None,
                first_value_label=measured.value.label if measured else "",
                band_days=band_days.get(account.id, {}),
            )
        )
    return facts, {a.id: a.name for a in accounts}


def apply_stage_rules(
    *, session: Session, as_of: date | None = None, dry_run: bool = False
) -> list[StageMove]:
    """Move each account by the first active rule (in order) that holds for it on a day.

    At most one step per account a day; churned accounts never move. Each move is a stage
    change by "stage rule" with its reason, shown on the account's timeline. A dry run only
    tells what would move.
    """
    day = as_of or clock.today()
    rules = [
        Rule(r.id, r.from_stage, r.to_stage, r.condition, r.days)
        for r in list_stage_rules(session=session, active_only=True)
    ]
    if not rules:
        return []
    facts, names = _facts(session, rules, day)
    planned = plan_moves(rules, facts, day)
    if not dry_run:
        for move in planned:
            change_stage(
                session=session,
                actor=STAGE_RULE,
                permissions=None,
                account_id=move.account_id,
                stage=move.to_stage,
                reason=move.reason,
            )
    return [
        StageMove(
            account_id=m.account_id,
            account_name=names[m.account_id],
            from_stage=m.from_stage,
            to_stage=m.to_stage,
            rule_id=m.rule_id,
            reason=m.reason,
        )
        for m in planned
    ]
