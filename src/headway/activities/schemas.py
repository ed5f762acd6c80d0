"""Pydantic shapes of activities, the activity catalogue and coverage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from headway.core.fields import DbId, refuse_nulls

Minutes = Annotated[int, Field(ge=0, le=24 * 60 * 7, strict=True)]
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
    occurred_at: AwareDatetime
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
    occurred_at: AwareDatetime | None = None
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
