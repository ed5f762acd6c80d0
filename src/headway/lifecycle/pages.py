"""Pages of the lifecycle: time to first value by segment and cohort, stage rules."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from headway.accounts.service import list_segments, list_stages
from headway.core import clock
from headway.core.errors import InvalidInput, NotFound
from headway.lifecycle.configuration import (
    delete_stage_rule,
    list_stage_rules,
    list_ttfv_rules,
    may_configure_lifecycle,
    remove_ttfv_rule,
    save_stage_rule,
    set_ttfv_rule,
)
from headway.lifecycle.rules import CHURNED, CONDITION_LABELS, CONDITIONS
from headway.lifecycle.schemas import TTFV_DEFINITIONS
from headway.lifecycle.service import (
    TtfvGroup,
    measure_ttfv,
    ttfv_distribution,
    waiting_for_first_value,
)
from headway.lifecycle.ttfv import DEFINITION, GRAINS, START_KINDS, START_LABELS
from headway.web.auth import PageUser, Principal, SessionDep, verify_csrf
from headway.web.forms import form_date, form_whole
from headway.web.params import PathId
from headway.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

SHOWN_WAITING = 25
NOTICES = {
    "ttfv": "Time to first value rule saved; the figures below use it.",
    "ttfv-removed": "The segment follows the default rule again.",
    "stage": "Stage rule saved; it applies from the next daily run.",
    "stage-removed": "Stage rule removed.",
}
Short = Annotated[str, Form(max_length=255)]
Key = Annotated[str, Form(max_length=64)]
Number = Annotated[str, Form(max_length=12)]


def ttfv_chart(groups: list[TtfvGroup], kind: str) -> dict[str, Any] | None:
    """Median, p75 and p90 days per group: bars by segment, lines over cohorts.

    Every cohort is a point on the line (a gap where nobody reached first value yet, as in the
    latest months); segments where nobody reached it are left out.
    """
    if not any(g.figures.reached for g in groups):
        return None
    shown = [g for g in groups if g.figures.reached or (kind == "cohort" and g.figures.count)]
    return {
        "kind": "ttfv-days",
        "type": "line" if kind == "cohort" else "bar",
        "labels": [g.name for g in shown],
        "datasets": [
            {"label": "Median", "data": [g.figures.median for g in shown]},
            {"label": "75th percentile", "data": [g.figures.p75 for g in shown]},
            {"label": "90th percentile", "data": [g.figures.p90 for g in shown]},
        ],
    }


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    as_of: str = "",
    grain: str = "month",
    notice: str | None = None,
    rule_error: str | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "query": {"as_of": as_of, "grain": grain},
        "today": clock.today(),
        "grains": GRAINS,
        "definition": DEFINITION,
        "definitions": TTFV_DEFINITIONS,
        "notice": notice,
        "rule_error": rule_error,
        "error": None,
        "can_edit": may_configure_lifecycle(principal.permissions),
        "ttfv_rules": list_ttfv_rules(session=session),
        "stage_rules": list_stage_rules(session=session),
        "segments": list_segments(session=session),
        "stages": [s for s in list_stages(session=session) if s.key != CHURNED],
        "start_kinds": START_KINDS,
        "start_labels": START_LABELS,
        "conditions": [(c, CONDITION_LABELS[c].format(days="N")) for c in CONDITIONS],
    }
    try:
        day = form_date(as_of, "as of")
        if grain not in GRAINS:
            raise InvalidInput(f"cohorts: expected month or quarter, not {grain!r}")
        measured = measure_ttfv(session=session, as_of=day)
        by_segment = ttfv_distribution(session=session, by="segment", measured=measured)
        by_cohort = ttfv_distribution(session=session, by="cohort", grain=grain, measured=measured)
        waiting, waiting_total = waiting_for_first_value(
            session=session, limit=SHOWN_WAITING, measured=measured
        )
    except InvalidInput as error:
        context["error"] = str(error)
        return render(request, "lifecycle/lifecycle.html", context, status_code=422)
    context.update(
        as_of=by_segment.as_of,
        by_segment=by_segment,
        by_cohort=by_cohort,
        total=by_segment.total,
        segment_chart=ttfv_chart(by_segment.groups, "segment"),
        cohort_chart=ttfv_chart(by_cohort.groups, "cohort"),
        waiting=waiting,
        waiting_total=waiting_total,
    )
    response: Response = render(request, "lifecycle/lifecycle.html", context, status_code)
    return response


@router.get("/lifecycle", response_class=HTMLResponse)
def lifecycle_page(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    as_of: Annotated[str, Query(max_length=10)] = "",
    grain: Annotated[str, Query(max_length=16)] = "month",
    saved: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """TTFV by segment and cohort, the accounts still waiting, and the lifecycle's rules."""
    return _page(request, session, principal, as_of=as_of, grain=grain, notice=NOTICES.get(saved))


def _saved(what: str) -> Response:
    anchor = "ttfv-rules" if what.startswith("ttfv") else "stage-rules"
    return RedirectResponse(f"/lifecycle?saved={what}#{anchor}", status_code=303)


def _refused(
    request: Request, session: Session, principal: Principal, error: Exception
) -> Response:
    return _page(request, session, principal, rule_error=str(error), status_code=422)


@router.post("/lifecycle/ttfv-rules")
def save_ttfv_rule_form(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    start: Key,
    value_event: Short,
    segment: Key = "",
) -> Response:
    """Set a segment's (or the default) clock start and first value."""
    try:
        set_ttfv_rule(
            session=session,
            actor=principal.actor,
            permissions=principal.permissions,
            segment_key=segment or None,
            start=start,
            value_event=value_event.strip(),
        )
    except (InvalidInput, NotFound) as error:
        return _refused(request, session, principal, error)
    return _saved("ttfv")


@router.post("/lifecycle/ttfv-rules/{segment}/remove")
def remove_ttfv_rule_form(
    request: Request, session: SessionDep, principal: PageUser, segment: str
) -> Response:
    """Make a segment follow the default TTFV rule again."""
    remove_ttfv_rule(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        segment_key=segment,
    )
    return _saved("ttfv-removed")


def _save_stage_rule(
    request: Request,
    session: Session,
    principal: Principal,
    rule_id: int | None,
    form: dict[str, str],
    active: bool,
) -> Response:
    try:
        save_stage_rule(
            session=session,
            actor=principal.actor,
            permissions=principal.permissions,
            rule_id=rule_id,
            from_stage=form["from_stage"],
            to_stage=form["to_stage"],
            condition=form["condition"],
            days=form_whole(form["days"], "days") if form["condition"] != CONDITIONS[0] else None,
            position=form_whole(form["position"], "order"),
            active=active,
        )
    except (InvalidInput, NotFound) as error:
        return _refused(request, session, principal, error)
    return _saved("stage")


@router.post("/lifecycle/stage-rules")
def add_stage_rule_form(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    from_stage: Key,
    to_stage: Key,
    condition: Key,
    days: Number = "",
    position: Number = "",
) -> Response:
    """Add a stage rule; it applies after the others unless given an order."""
    form = {"from_stage": from_stage, "to_stage": to_stage, "condition": condition}
    form |= {"days": days, "position": position}
    return _save_stage_rule(request, session, principal, None, form, active=True)


@router.post("/lifecycle/stage-rules/{rule_id}")
def change_stage_rule_form(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    rule_id: PathId,
    from_stage: Key,
    to_stage: Key,
    condition: Key,
    days: Number = "",
    position: Number = "",
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Change a stage rule: stages, condition, days, order, active."""
    form = {"from_stage": from_stage, "to_stage": to_stage, "condition": condition}
    form |= {"days": days, "position": position}
    return _save_stage_rule(request, session, principal, rule_id, form, active=bool(active))


@router.post("/lifecycle/stage-rules/{rule_id}/delete")
def delete_stage_rule_form(
    request: Request, session: SessionDep, principal: PageUser, rule_id: PathId
) -> Response:
    """Remove a stage rule."""
    delete_stage_rule(
        session=session, actor=principal.actor, permissions=principal.permissions, rule_id=rule_id
    )
    return _saved("stage-removed")
