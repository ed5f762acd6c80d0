"""Pydantic shapes of accounts, segments and lifecycle stages."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from headway.core.fields import MAX_DB_INT, Count, DbId, refuse_nulls
from headway.core.money import to_major


class SegmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    position: int
    min_arr: int | None
    max_arr: int | None
    description: str
    touch_model: str
    channels: list[str]
    meeting_cadence_days: int | None
    review_cadence_days: int | None
    support_level: str


class StageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    position: int
    kind: str


class AccountCreate(BaseModel):
    """A new account; segment and stage are given by key, the owner and parent by id."""

    external_id: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=255)
    domain: str | None = Field(None, max_length=255)
    parent_id: DbId | None = None
    owner_id: DbId | None = None
    segment: str | None = Field(None, description="segment key; empty = chosen by the ARR rule")
    stage: str = Field("onboarding", description="lifecycle stage key")
    industry: str | None = Field(None, max_length=120)
    employees: Count | None = None
    traits: dict[str, Any] = Field(default_factory=dict)


class AccountUpdate(BaseModel):
    """Changes to an account: only the fields given are changed."""

    _not_nullable = model_validator(mode="before")(refuse_nulls("name", "traits"))

    name: str | None = Field(None, min_length=1, max_length=255)
    domain: str | None = Field(None, max_length=255)
    parent_id: DbId | None = None
    owner_id: DbId | None = None
    segment: str | None = Field(None, description="segment key, set by hand (locks the rule)")
    segment_by_rule: bool | None = Field(None, description="true: let the ARR rule choose again")
    stage: str | None = None
    stage_reason: str | None = Field(None, max_length=500)
    industry: str | None = Field(None, max_length=120)
    employees: Count | None = None
    traits: dict[str, Any] | None = None


class OwnerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str
    name: str
    domain: str | None
    parent_id: int | None
    owner_id: int | None
    segment: str | None
    segment_locked: bool
    stage: str | None
    stage_entered_at: datetime | None
    industry: str | None
    employees: int | None
    traits: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    mrr: float | None = Field(None, description="MRR now in the reporting currency, major units")


class AccountSort(StrEnum):
    NAME = "name"
    NAME_DESC = "-name"
    MRR = "mrr"
    MRR_DESC = "-mrr"
    CREATED = "created_at"
    CREATED_DESC = "-created_at"
    STAGE_ENTERED = "stage_entered_at"
    STAGE_ENTERED_DESC = "-stage_entered_at"


class AccountFilter(BaseModel):
    """What narrows an account list."""

    q: str | None = Field(None, max_length=200, pattern=r"^[^\x00]*$")
    segment: str | None = None
    stage: str | None = None
    owner_id: int | None = Field(None, ge=1, le=MAX_DB_INT)
    unowned: bool = False
    parent_id: int | None = Field(None, ge=1, le=MAX_DB_INT)


class StageChangeRead(BaseModel):
    from_stage: str | None
    to_stage: str
    changed_at: datetime
    changed_by: str
    reason: str


class TimelineEntryRead(BaseModel):
    at: datetime
    kind: str
    title: str
    actor: str
    details: dict[str, Any]


def account_read(
    account: Any, mrr_minor: float | None = None, currency: str = "USD"
) -> AccountRead:
    """Build the API shape of an account, with its MRR in major units when known."""
    return AccountRead(
        id=account.id,
        external_id=account.external_id,
        name=account.name,
        domain=account.domain,
        parent_id=account.parent_id,
        owner_id=account.owner_id,
        segment=account.segment.key if account.segment else None,
        segment_locked=account.segment_locked,
        stage=account.stage.key if account.stage else None,
        stage_entered_at=account.stage_entered_at,
        industry=account.industry,
        employees=account.employees,
        traits=account.traits or {},
        created_at=account.created_at,
        updated_at=account.updated_at,
        mrr=None if mrr_minor is None else float(to_major(round(mrr_minor), currency)),
    )
