"""Pydantic shapes of activities, the activity catalogue and coverage."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from headway.core.fields import DbId, refuse_nulls

Minutes = Annotated[int, Field(ge=0, le=24 * 60 * 7, strict=True)]

_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _require_iso_datetime(value: Any) -> Any:
    # Pydantic would read 1700000000 as a Unix time; Headway takes ISO 8601 date-times only.
    if isinstance(value, int | float) or (
        isinstance(value, str) and not _ISO_DATETIME.match(value)
    ):
        raise ValueError("expected an ISO date-time with a time zone, e.g. 2026-03-01T10:00:00Z")
    return value


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the date-time is out of range once converted to UTC") from None


# An aware date-time in ISO 8601 (a time zone is required), kept in UTC.
IsoDateTime = Annotated[
    AwareDatetime, BeforeValidator(_require_iso_datetime), AfterValidator(_in_utc)
]
IdList = Annotated[list[DbId], Field(max_length=100)]


class ActivityTypeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    name: str
    default_minutes: int
    active: bool


class ActivityCreate(BaseModel):
    """An activity to log; minutes default to its type's usual duration."""

    account_id: DbId
    type: str = Field(min_length=1, max_length=64)
    occurred_at: IsoDateTime
    minutes: Minutes | None = None
    subject: str = Field("", max_length=255)
    notes: str = Field("", max_length=10_000)
    user_ids: IdList = Field(default_factory=list)
    contact_ids: IdList = Field(default_factory=list)
    goal_ids: IdList = Field(default_factory=list)
    external_id: str | None = Field(None, min_length=1, max_length=128)


class ActivityUpdate(BaseModel):
    _not_nullable = model_validator(mode="before")(
        refuse_nulls(
            "type",
            "occurred_at",
            "minutes",
            "subject",
            "notes",
            "user_ids",
            "contact_ids",
            "goal_ids",
        )
    )

    type: str | None = Field(None, min_length=1, max_length=64)
    occurred_at: IsoDateTime | None = None
    minutes: Minutes | None = None
    subject: str | None = Field(None, max_length=255)
    notes: str | None = Field(None, max_length=10_000)
    user_ids: IdList | None = None
    contact_ids: IdList | None = None
    goal_ids: IdList | None = None


class ActivityRead(BaseModel):
    id: int
    external_id: str | None
    account_id: int
    type: str
    type_name: str
    occurred_at: datetime
    minutes: int
    subject: str
    notes: str
    logged_by: str
    user_ids: list[int]
    contact_ids: list[int]
    goal_ids: list[int]
    created_at: datetime
    updated_at: datetime


class CoverageLineRead(BaseModel):
    name: str
    every_days: int
    last_touch: date | None
    due_on: date
    overdue_days: int
    met: bool


class AccountCoverageRead(BaseModel):
    """How an account's required touches stand as of a day, line by line."""

    account_id: int
    account_name: str
    owner_id: int | None
    segment: str | None
    as_of: date
    covered: bool  # every required touch is met
    gaps: int
    overdue_days: int  # the most overdue line's days, 0 when covered
    lines: list[CoverageLineRead]


def activity_read(
    activity: Any, *, user_ids: list[int], contact_ids: list[int], goal_ids: list[int]
) -> ActivityRead:
    """Build the API shape of an activity with who took part and the goals it served."""
    return ActivityRead(
        id=activity.id,
        external_id=activity.external_id,
        account_id=activity.account_id,
        type=activity.type.key,
        type_name=activity.type.name,
        occurred_at=activity.occurred_at,
        minutes=activity.minutes,
        subject=activity.subject,
        notes=activity.notes,
        logged_by=activity.logged_by,
        user_ids=list(user_ids),
        contact_ids=list(contact_ids),
        goal_ids=list(goal_ids),
        created_at=activity.created_at,
        updated_at=activity.updated_at,
    )


def coverage_line_read(line: Any) -> CoverageLineRead:
    """Build the API shape of one coverage line."""
    return CoverageLineRead(
        name=line.name,
        every_days=line.every_days,
        last_touch=line.last_touch,
        due_on=line.due_on,
        overdue_days=line.overdue_days,
        met=line.met,
    )


def coverage_read(coverage: Any, *, segment: str | None, as_of: date) -> AccountCoverageRead:
    """Build the API shape of an account's coverage (from activities.service)."""
    lines = [coverage_line_read(line) for line in coverage.lines]
    return AccountCoverageRead(
        account_id=coverage.account_id,
        account_name=coverage.account_name,
        owner_id=coverage.owner_id,
        segment=segment,
        as_of=as_of,
        covered=all(line.met for line in lines),
        gaps=sum(1 for line in lines if not line.met),
        overdue_days=coverage.overdue_days,
        lines=lines,
    )
