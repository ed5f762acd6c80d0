"""JSON API of the lifecycle: time to first value, stage rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from headway.core.fields import IsoDate
from headway.lifecycle.configuration import (
    StageRuleView,
    delete_stage_rule,
    get_stage_rule,
    list_stage_rules,
    list_ttfv_rules,
    remove_ttfv_rule,
    save_stage_rule,
    set_ttfv_rule,
)
from headway.lifecycle.schemas import (
    AccountTtfvRead,
    CohortGrain,
    StageRuleRead,
    StageRuleWrite,
    TtfvBy,
    TtfvReportRead,
    TtfvRuleRead,
    TtfvRuleWrite,
    WaitingPageRead,
    account_ttfv_read,
    stage_rule_read,
    ttfv_report_read,
    ttfv_rule_read,
    waiting_read,
)
from headway.lifecycle.service import account_ttfv, ttfv_distribution, waiting_for_first_value
from headway.web.auth import ApiPrincipal, Principal, SessionDep
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PathId

router = APIRouter(tags=["lifecycle"], responses=API_ERROR_RESPONSES)

AsOf = Annotated[IsoDate | None, Query(description="The day TTFV is judged on (default: today).")]
SegmentKey = Annotated[str, Path(min_length=1, max_length=64, description="A segment key.")]


# --- time to first value -------------------------------------------------------------------


@router.get("/lifecycle/ttfv", response_model=TtfvReportRead)
def get_ttfv_distribution(
    session: SessionDep,
    principal: ApiPrincipal,
    by: Annotated[TtfvBy, Query(description="Group by segment or cohort of start.")] = (
        TtfvBy.SEGMENT
    ),
    grain: Annotated[CohortGrain, Query(description="Cohorts by month or quarter.")] = (
        CohortGrain.MONTH
    ),
    as_of: AsOf = None,
) -> TtfvReportRead:
    """Time to first value by segment or cohort: accounts, reached, median, p75 and p90 days,
    still waiting, churned before first value; `definitions` says what each figure means."""
    report = ttfv_distribution(session=session, as_of=as_of, by=by.value, grain=grain.value)
    return ttfv_report_read(report)


@router.get("/lifecycle/ttfv/waiting", response_model=WaitingPageRead)
def get_waiting_for_first_value(
    session: SessionDep,
    principal: ApiPrincipal,
    limit: Annotated[int, Query(ge=1, le=500, description="How many to list.")] = 50,
    as_of: AsOf = None,
) -> WaitingPageRead:
    """Accounts still waiting for first value, the longest waiting first (churned left out)."""
    rows, total = waiting_for_first_value(session=session, as_of=as_of, limit=limit)
    return waiting_read(rows, total)


@router.get("/accounts/{account_id}/ttfv", response_model=AccountTtfvRead)
def get_account_ttfv(
    session: SessionDep, principal: ApiPrincipal, account_id: PathId, as_of: AsOf = None
) -> AccountTtfvRead:
    """An account's time to first value, by its segment's rule: start, value, days, reached."""
    return account_ttfv_read(account_ttfv(session=session, account_id=account_id, as_of=as_of))


@router.get("/lifecycle/ttfv-rules", response_model=list[TtfvRuleRead])
def get_ttfv_rules(session: SessionDep, principal: ApiPrincipal) -> list[TtfvRuleRead]:
    """The TTFV rules: the default (segment_key null) first, then each segment's own."""
    return [ttfv_rule_read(rule) for rule in list_ttfv_rules(session=session)]


@router.put("/lifecycle/ttfv-rules", response_model=TtfvRuleRead)
def put_ttfv_rule(
    session: SessionDep, principal: ApiPrincipal, data: TtfvRuleWrite
) -> TtfvRuleRead:
    """Set when the clock starts and what first value is, for a segment or the default
    (admins and managers)."""
    rule = set_ttfv_rule(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        segment_key=data.segment_key,
        start=data.start.value,
        value_event=data.value_event,
    )
    return ttfv_rule_read(rule)


@router.delete("/lifecycle/ttfv-rules/{segment_key}", status_code=204)
def delete_ttfv_rule(
    session: SessionDep, principal: ApiPrincipal, segment_key: SegmentKey
) -> Response:
    """Remove a segment's own rule: it follows the default again (admins and managers)."""
    remove_ttfv_rule(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        segment_key=segment_key,
    )
    return Response(status_code=204)


# --- stage rules ---------------------------------------------------------------------------


@router.get("/lifecycle/stage-rules", response_model=list[StageRuleRead])
def get_stage_rules(session: SessionDep, principal: ApiPrincipal) -> list[StageRuleRead]:
    """The stage rules in the order they apply each day."""
    return [stage_rule_read(rule) for rule in list_stage_rules(session=session)]


@router.post("/lifecycle/stage-rules", response_model=StageRuleRead, status_code=201)
def post_stage_rule(
    session: SessionDep, principal: ApiPrincipal, data: StageRuleWrite
) -> StageRuleRead:
    """Add a stage rule; without a position it applies after the others (admins and managers)."""
    return stage_rule_read(_save(session, principal, None, data))


@router.get("/lifecycle/stage-rules/{rule_id}", response_model=StageRuleRead)
def get_one_stage_rule(
    session: SessionDep, principal: ApiPrincipal, rule_id: PathId
) -> StageRuleRead:
    """One stage rule."""
    return stage_rule_read(get_stage_rule(session=session, rule_id=rule_id))


@router.put("/lifecycle/stage-rules/{rule_id}", response_model=StageRuleRead)
def put_stage_rule(
    session: SessionDep, principal: ApiPrincipal, rule_id: PathId, data: StageRuleWrite
) -> StageRuleRead:
    """Replace a stage rule: stages, condition, days, position, active (admins and managers)."""
    return stage_rule_read(_save(session, principal, rule_id, data))


@router.delete("/lifecycle/stage-rules/{rule_id}", status_code=204)
def delete_one_stage_rule(
    session: SessionDep, principal: ApiPrincipal, rule_id: PathId
) -> Response:
    """Remove a stage rule; the moves it made stay on the timelines (admins and managers)."""
    delete_stage_rule(
        session=session, actor=principal.actor, permissions=principal.permissions, rule_id=rule_id
    )
    return Response(status_code=204)


def _save(
    session: Session, principal: Principal, rule_id: int | None, data: StageRuleWrite
) -> StageRuleView:
    return save_stage_rule(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        rule_id=rule_id,
        from_stage=data.from_stage,
        to_stage=data.to_stage,
        condition=data.condition.value,
        days=data.days,
        position=data.position,
        active=data.active,
    )
