"""Pydantic shapes of contacts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from headway.contacts.models import Persona
from headway.core.fields import DbId, refuse_nulls


class ContactCreate(BaseModel):
    account_id: DbId
    email: str = Field(min_length=3, max_length=320)
    name: str = Field("", max_length=255)
    title: str | None = Field(None, max_length=255)
    persona: Persona | None = None
    external_id: str | None = Field(None, min_length=1, max_length=128)
    traits: dict[str, Any] = Field(default_factory=dict)


class ContactUpdate(BaseModel):
    _not_nullable = model_validator(mode="before")(refuse_nulls("email", "name", "traits"))

    email: str | None = Field(None, min_length=3, max_length=320)
    name: str | None = Field(None, max_length=255)
    title: str | None = Field(None, max_length=255)
    persona: Persona | None = None
    traits: dict[str, Any] | None = None


class ContactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str | None
    account_id: int
    email: str
    name: str
    title: str | None
    persona: Persona | None
    traits: dict[str, Any]
    created_at: datetime
    updated_at: datetime
