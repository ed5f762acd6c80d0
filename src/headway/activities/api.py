"""JSON API of activities (outputs), the activity catalogue and Appropriate Experience coverage."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from headway.accounts.service import get_account
from headway.activities.models import Activity
from headway.activities.schemas import (
    AccountCoverageRead,
    ActivityCreate,
    ActivityRead,
    ActivityTypeRead,
    ActivityUpdate,
    activity_read,
    coverage_read,
)
from headway.activities.service import (
    coverage_of_account,
    delete_activity,
    find_activity,
    get_activity,
    links_of,
    list_activities,
    list_activity_types,
    log_activity,
    update_activity,
)
from headway.core import clock
from headway.core.fields import IsoDate
from headway.core.pagination import Page
from headway.web.auth import ApiPrincipal, SessionDep
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PageNumber, PathId, PerPage, QueryId

router = APIRouter(tags=["activities"], responses=API_ERROR_RESPONSES)


def _reads(session: Session, activities: list[Activity]) -> list[ActivityRead]:
    links = links_of(session=session, activity_ids=[a.id for a in activities])
    return [
        activity_read(
            a,
            user_ids=links[a.id].user_ids,
            contact_ids=links[a.id].contact_ids,
            goal_ids=links[a.id].goal_ids,
        )
        for a in activities
    ]


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time.min, tzinfo=UTC)


def _end_of(day: date | None) -> datetime | None:
    # Days are inclusive: up to the start of the next day (none after the last day there is).
    if day is None or day == date.max:
        return None
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


@router.get("/activity-types", response_model=list[ActivityTypeRead])
def get_activity_types(session: SessionDep, principal: ApiPrincipal) -> list[ActivityTypeRead]:
    """List the activity catalogue (configuration) with each type's default minutes."""
    return [ActivityTypeRead.model_validate(t) for t in list_activity_types(session=session)]


@router.get("/activities", response_model=Page[ActivityRead])
def get_activities(
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: QueryId = None,
    goal_id: QueryId = None,
    user_id: QueryId = None,
    type_key: Annotated[
        str | None, Query(alias="type", max_length=64, description="An activity type key.")
    ] = None,
    first_day: Annotated[
        IsoDate | None, Query(alias="from", description="First day (UTC), inclusive.")
    ] = None,
    last_day: Annotated[
        IsoDate | None, Query(alias="to", description="Last day (UTC), inclusive.")
    ] = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> Page[ActivityRead]:
    """List activities, newest first: of an account, a goal served, a team member, a type."""
    activities, total = list_activities(
        session=session,
        account_id=account_id,
        goal_id=goal_id,
        user_id=user_id,
        type_key=type_key,
        occurred_from=_start_of(first_day),
        occurred_to=_end_of(last_day),
        page=page,
        per_page=per_page,
    )
    return Page[ActivityRead](
        items=_reads(session, activities), total=total, page=page, per_page=per_page
    )


@router.post(
    "/activities",
    response_model=ActivityRead,
    status_code=201,
    responses={
        200: {
            "model": ActivityRead,
            "description": "An activity with this external_id was logged before: it is updated",
        }
    },
)
def post_activity(
    response: Response, session: SessionDep, principal: ApiPrincipal, data: ActivityCreate
) -> ActivityRead:
    """Log an activity; minutes default to its type's. With an external_id, again updates it."""
    logged_before = bool(data.external_id) and (
        find_activity(session=session, external_id=data.external_id or "") is not None
    )
    activity = log_activity(
        session=session, actor=principal.actor, permissions=principal.permissions, data=data
    )
    if logged_before:
        response.status_code = 200
    return _reads(session, [activity])[0]


@router.get("/activities/{activity_id}", response_model=ActivityRead)
def get_one_activity(
    session: SessionDep, principal: ApiPrincipal, activity_id: PathId
) -> ActivityRead:
    """Return one activity with its participants and the goals it served."""
    return _reads(session, [get_activity(session=session, activity_id=activity_id)])[0]


@router.patch("/activities/{activity_id}", response_model=ActivityRead)
def patch_activity(
    session: SessionDep, principal: ApiPrincipal, activity_id: PathId, changes: ActivityUpdate
) -> ActivityRead:
    """Change an activity; lists of people or goals given replace the old ones."""
    activity = update_activity(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        activity_id=activity_id,
        changes=changes,
    )
    return _reads(session, [activity])[0]


@router.delete("/activities/{activity_id}", status_code=204)
def delete_one_activity(
    session: SessionDep, principal: ApiPrincipal, activity_id: PathId
) -> Response:
    """Delete an activity (the audit log keeps what it was)."""
    delete_activity(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        activity_id=activity_id,
    )
    return Response(status_code=204)


@router.get("/accounts/{account_id}/coverage", response_model=AccountCoverageRead)
def get_account_coverage(
    session: SessionDep, principal: ApiPrincipal, account_id: PathId
) -> AccountCoverageRead:
    """How the account's required touches stand today: each line, and whether all are met."""
    today = clock.today()
    coverage = coverage_of_account(session=session, account_id=account_id, as_of=today)
    account = get_account(session=session, account_id=account_id)
    segment = account.segment.key if account.segment else None
    return coverage_read(coverage, segment=segment, as_of=today)
