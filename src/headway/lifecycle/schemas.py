"""Pydantic shapes of the lifecycle, as the API answers and `--json` prints them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from headway.core.fields import MAX_DB_INT
from headway.lifecycle.configuration import StageRuleView, TtfvRuleView
from headway.lifecycle.rules import MAX_DAYS
from headway.lifecycle.service import AccountTtfv, TtfvReport, WaitingAccount
from headway.lifecycle.stages import StageMove
from headway.lifecycle.ttfv import MAX_EVENT_NAME, Distribution

TTFV_DEFINITIONS = {
    "count": "accounts whose clock started on or before as_of",
    "reached": "of those, accounts that reached first value on or before as_of",
    "waiting": "accounts not at first value yet (churned accounts left out)",
    "churned_before_value": "accounts that churned without reaching first value",
    "median": "median days to first value of the accounts that reached it",
    "p75": "75th percentile of those days (linear interpolation between ranks)",
    "p90": "90th percentile of those days",
    "longest_wait": "days the account waiting longest has waited so far",
}


class TtfvBy(enum.StrEnum):
    SEGMENT = "segment"
    COHORT = "cohort"


class CohortGrain(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


class TtfvStart(enum.StrEnum):
    FIRST_SUBSCRIPTION = "first_subscription"
    ACCOUNT_CREATED = "account_created"
    HANDOFF = "handoff"


class StageCondition(enum.StrEnum):
    FIRST_VALUE_REACHED = "first_value_reached"
    HEALTHY_FOR_DAYS = "healthy_for_days"
    UNHEALTHY_FOR_DAYS = "unhealthy_for_days"


class DistributionRead(BaseModel):
    count: int
    reached: int
    waiting: int
    churned_before_value: int
    median: float | None = Field(description="days; null when no account reached first value")
    p75: float | None = Field(description="days")
    p90: float | None = Field(description="days")
    longest_wait: int | None = Field(description="days; null when nobody waits")


def _figures(d: Distribution) -> dict[str, Any]:
    return {
        "count": d.count,
        "reached": d.reached,
        "waiting": d.waiting,
        "churned_before_value": d.churned_before_value,
        "median": d.median,
        "p75": d.p75,
        "p90": d.p90,
        "longest_wait": d.longest_wait,
    }


class TtfvGroupRead(DistributionRead):
    key: str | None = Field(description="segment key or cohort (2026-03, 2026-Q1); null: none")
    name: str


class TtfvReportRead(BaseModel):
    by: TtfvBy
    grain: CohortGrain = Field(description="cohorts by month or quarter of the start")
    as_of: date
    unit: str = "days"
    groups: list[TtfvGroupRead]
    total: DistributionRead
    definition: str
    definitions: dict[str, str] = TTFV_DEFINITIONS


def ttfv_report_read(report: TtfvReport) -> TtfvReportRead:
    """The API shape of a TTFV distribution."""
    return TtfvReportRead(
        by=TtfvBy(report.by),
        grain=CohortGrain(report.grain),
        as_of=report.as_of,
        groups=[
            TtfvGroupRead(key=g.key, name=g.name, **_figures(g.figures)) for g in report.groups
        ],
        total=DistributionRead(**_figures(report.total)),
        definition=report.definition,
    )


class AccountTtfvRead(BaseModel):
    account_id: int
    start_kind: TtfvStart = Field(description="what starts the clock for the account's segment")
    value_event: str = Field(description='"usage:<event name>" or "milestone"')
    start: date | None = Field(description="the day the clock started; null: not yet")
    value: date | None = Field(description="the day of first value; null: not reached")
    days: int | None = Field(description="days to first value, or elapsed while waiting")
    reached: bool
    waiting: bool


def account_ttfv_read(measured: AccountTtfv) -> AccountTtfvRead:
    """The API shape of one account's TTFV."""
    value = measured.value
    return AccountTtfvRead(
        account_id=measured.account_id,
        start_kind=TtfvStart(measured.start_kind),
        value_event="milestone" if value.kind == "milestone" else f"usage:{value.event}",
        start=measured.ttfv.start,
        value=measured.ttfv.value,
        days=measured.ttfv.days,
        reached=measured.ttfv.reached,
        waiting=measured.ttfv.waiting,
    )


class WaitingRead(BaseModel):
    account_id: int
    name: str
    segment: str | None
    owner: str | None
    start: date
    days: int
    value: str = Field(description="what first value is for the account")


class WaitingPageRead(BaseModel):
    total: int
    items: list[WaitingRead]


def waiting_read(rows: list[WaitingAccount], total: int) -> WaitingPageRead:
    """The API shape of the accounts still waiting for first value."""
    return WaitingPageRead(
        total=total,
        items=[
            WaitingRead(
                account_id=w.account_id,
                name=w.name,
                segment=w.segment,
                owner=w.owner,
                start=w.start,
                days=w.days,
                value=w.value.label,
            )
            for w in rows
        ],
    )


class TtfvRuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    segment_key: str | None = Field(description="null: the default for every other segment")
    segment_name: str
    start: TtfvStart
    value_event: str
    updated_at: datetime


def ttfv_rule_read(rule: TtfvRuleView) -> TtfvRuleRead:
    return TtfvRuleRead.model_validate(rule)


class TtfvRuleWrite(BaseModel):
    segment_key: str | None = Field(
        None, min_length=1, max_length=64, description="a segment key; null: the default rule"
    )
    start: TtfvStart = TtfvStart.FIRST_SUBSCRIPTION
    value_event: str = Field(
        min_length=1,
        max_length=len("usage:") + MAX_EVENT_NAME,
        description='"usage:<event name>" (its first occurrence) or "milestone"',
        examples=["usage:Report Created", "milestone"],
    )


class StageRuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    from_stage: str
    to_stage: str
    condition: StageCondition
    days: int | None
    active: bool
    description: str


def stage_rule_read(rule: StageRuleView) -> StageRuleRead:
    return StageRuleRead.model_validate(rule)


class StageRuleWrite(BaseModel):
    from_stage: str = Field(min_length=1, max_length=64, description="a lifecycle stage key")
    to_stage: str = Field(min_length=1, max_length=64)
    condition: StageCondition
    days: int | None = Field(
        None, ge=1, le=MAX_DAYS, description="for healthy_for_days and unhealthy_for_days"
    )
    position: int | None = Field(
        None, ge=0, le=MAX_DB_INT, description="order of application; new rules go last"
    )
    active: StrictBool = True


class StageMoveRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    account_id: int
    account_name: str
    from_stage: str
    to_stage: str
    rule_id: int
    reason: str


def stage_moves_read(moves: list[StageMove]) -> list[StageMoveRead]:
    return [StageMoveRead.model_validate(m) for m in moves]
