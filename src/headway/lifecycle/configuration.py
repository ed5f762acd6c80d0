"""The lifecycle's rules as data: TTFV per segment and the stage rules, who may change them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.accounts.models import LifecycleStage, Segment
from headway.accounts.service import get_segment, get_stage, list_segments
from headway.core import clock
from headway.core.audit import Actor, record_audit, snapshot
from headway.core.errors import InvalidInput, NotFound, PermissionDenied
from headway.core.timeline import register_audit_titles
from headway.lifecycle.models import StageRule, TtfvRule
from headway.lifecycle.rules import check_rule, describe
from headway.lifecycle.ttfv import ValueEvent, check_start, parse_value_event
from headway.users.models import Role
from headway.users.service import Permissions

DEFAULT_RULE_NAME = "Every segment without its own rule"
RULE_FIELDS = ["segment_id", "start", "value_event"]

STAGE_RULE_FIELDS = ["position", "from_stage_id", "to_stage_id", "condition", "days", "active"]

# Rules are configuration, about no one account: the audit log keeps them, timelines do not.
register_audit_titles(
    {
        "ttfv_rule.set": None,
        "ttfv_rule.remove": None,
        "stage_rule.create": None,
        "stage_rule.update": None,
        "stage_rule.delete": None,
    }
)


def may_configure_lifecycle(permissions: Permissions | None) -> bool:
    """Admins and managers set the lifecycle's rules (None: Headway itself)."""
    return permissions is None or permissions.role in (Role.ADMIN, Role.MANAGER)


def check_may_configure_lifecycle(permissions: Permissions | None) -> None:
    """Refuse anyone but admins and managers."""
    if not may_configure_lifecycle(permissions):
        raise PermissionDenied("only admins and managers change the lifecycle rules")


# --- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TtfvRuleView:
    """A TTFV rule with the segment it is for (None: the default for every other segment)."""

    segment_key: str | None
    segment_name: str
    start: str
    value_event: str
    updated_at: datetime

    @property
    def value(self) -> ValueEvent:
        return parse_value_event(self.value_event)


def _view(rule: TtfvRule, segments: dict[int, Segment]) -> TtfvRuleView:
    segment = segments.get(rule.segment_id) if rule.segment_id is not None else None
    return TtfvRuleView(
        segment_key=segment.key if segment else None,
        segment_name=segment.name if segment else DEFAULT_RULE_NAME,
        start=rule.start,
        value_event=rule.value_event,
        updated_at=rule.updated_at,
    )


def list_ttfv_rules(*, session: Session) -> list[TtfvRuleView]:
    """List the TTFV rules: the default first, then each segment's own, in segment order."""
    segments = list_segments(session=session)
    order = {s.id: s.position for s in segments}
    by_id = {s.id: s for s in segments}
    rules = sorted(
        session.scalars(select(TtfvRule)),
        key=lambda r: (r.segment_id is not None, order.get(r.segment_id or 0, 0), r.id),
    )
    return [_view(rule, by_id) for rule in rules]


def _rule_snapshot(rule: TtfvRule) -> dict[str, Any]:
    return snapshot(rule, RULE_FIELDS)


def set_ttfv_rule(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    segment_key: str | None,
    start: str,
    value_event: str,
) -> TtfvRuleView:
    """Set when the clock starts and what stops it, for a segment or (None) the default."""
    check_may_configure_lifecycle(permissions)
    try:
        check_start(start)
        parse_value_event(value_event)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    segment = get_segment(session=session, key=segment_key) if segment_key else None
    segment_id = segment.id if segment else None
    rule = session.scalar(select(TtfvRule).where(_segment_is(segment_id)))
    before = _rule_snapshot(rule) if rule else None
    if rule is None:
        rule = TtfvRule(segment_id=segment_id)
        session.add(rule)
    rule.start, rule.value_event, rule.updated_at = start, value_event.strip(), clock.now()
    session.flush()
    after = _rule_snapshot(rule)
    if before != after:
        record_audit(
            session,
            actor=actor,
            action="ttfv_rule.set",
            entity_type="ttfv_rule",
            entity_id=rule.id,
            account_id=None,
            before=before,
            after=after,
        )
    session.commit()
    return _view(rule, {segment.id: segment} if segment else {})


def remove_ttfv_rule(
    *, session: Session, actor: Actor, permissions: Permissions | None, segment_key: str
) -> None:
    """Remove a segment's own TTFV rule: the segment follows the default again."""
    check_may_configure_lifecycle(permissions)
    segment = get_segment(session=session, key=segment_key)
    rule = session.scalar(select(TtfvRule).where(TtfvRule.segment_id == segment.id))
    if rule is None:
        raise NotFound(f"segment {segment_key!r} has no TTFV rule of its own")
    record_audit(
        session,
        actor=actor,
        action="ttfv_rule.remove",
        entity_type="ttfv_rule",
        entity_id=rule.id,
        account_id=None,
        before=_rule_snapshot(rule),
        after=None,
    )
    session.delete(rule)
    session.commit()


def _segment_is(segment_id: int | None) -> Any:
    if segment_id is None:
        return TtfvRule.segment_id.is_(None)
    return TtfvRule.segment_id == segment_id


# --- stage rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StageRuleView:
    """A stage rule with its stages' keys and names."""

    id: int
    position: int
    from_stage: str
    from_name: str
    to_stage: str
    to_name: str
    condition: str
    days: int | None
    active: bool

    @property
    def description(self) -> str:
        return describe(self.condition, self.days)


def _stage_view(rule: StageRule, stages: dict[int, LifecycleStage]) -> StageRuleView:
    source, target = stages[rule.from_stage_id], stages[rule.to_stage_id]
    return StageRuleView(
        id=rule.id,
        position=rule.position,
        from_stage=source.key,
        from_name=source.name,
        to_stage=target.key,
        to_name=target.name,
        condition=rule.condition,
        days=rule.days,
        active=rule.active,
    )


def _stages(session: Session) -> dict[int, LifecycleStage]:
    return {s.id: s for s in session.scalars(select(LifecycleStage))}


def list_stage_rules(*, session: Session, active_only: bool = False) -> list[StageRuleView]:
    """List the stage rules in the order they apply."""
    query = select(StageRule).order_by(StageRule.position, StageRule.id)
    if active_only:
        query = query.where(StageRule.active)
    stages = _stages(session)
    return [_stage_view(rule, stages) for rule in session.scalars(query)]


def get_stage_rule(*, session: Session, rule_id: int) -> StageRuleView:
    """Return a stage rule by id."""
    rule = session.get(StageRule, rule_id)
    if rule is None:
        raise NotFound(f"stage rule {rule_id} does not exist")
    return _stage_view(rule, _stages(session))


def save_stage_rule(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    rule_id: int | None = None,
    from_stage: str,
    to_stage: str,
    condition: str,
    days: int | None = None,
    position: int | None = None,
    active: bool = True,
) -> StageRuleView:
    """Add a stage rule (no id) or change one; a new rule applies after the existing ones."""
    check_may_configure_lifecycle(permissions)
    try:
        check_rule(from_stage, to_stage, condition, days)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    source = get_stage(session=session, key=from_stage)
    target = get_stage(session=session, key=to_stage)
    rule = None
    if rule_id is not None:
        rule = session.get(StageRule, rule_id)
        if rule is None:
            raise NotFound(f"stage rule {rule_id} does not exist")
    before = snapshot(rule, STAGE_RULE_FIELDS) if rule else None
    if rule is None:
        last = session.scalar(select(func.max(StageRule.position))) or 0
        rule = StageRule(position=last + 1)
        session.add(rule)
    if position is not None:
        rule.position = position
    rule.from_stage_id, rule.to_stage_id = source.id, target.id
    rule.condition, rule.days, rule.active = condition, days, active
    session.flush()
    after = snapshot(rule, STAGE_RULE_FIELDS)
    if before != after:
        record_audit(
            session,
            actor=actor,
            action="stage_rule.create" if before is None else "stage_rule.update",
            entity_type="stage_rule",
            entity_id=rule.id,
            account_id=None,
            before=before,
            after=after,
        )
    session.commit()
    return _stage_view(rule, {source.id: source, target.id: target})


def delete_stage_rule(
    *, session: Session, actor: Actor, permissions: Permissions | None, rule_id: int
) -> None:
    """Remove a stage rule (moves it made stay on the timelines)."""
    check_may_configure_lifecycle(permissions)
    rule = session.get(StageRule, rule_id)
    if rule is None:
        raise NotFound(f"stage rule {rule_id} does not exist")
    record_audit(
        session,
        actor=actor,
        action="stage_rule.delete",
        entity_type="stage_rule",
        entity_id=rule.id,
        account_id=None,
        before=snapshot(rule, STAGE_RULE_FIELDS),
        after=None,
    )
    session.delete(rule)
    session.commit()
