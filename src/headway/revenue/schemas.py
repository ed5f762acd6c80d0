"""Pydantic shapes of subscriptions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from headway.core.money import is_currency


class Interval(StrEnum):
    MONTH = "month"
    YEAR = "year"


class SubscriptionCreate(BaseModel):
    """A subscription; amount in major units (12.50), converted to minor units when stored."""

    account_id: int
    external_id: str = Field(min_length=1, max_length=128)
    plan: str = Field(min_length=1, max_length=255)
    amount: Decimal = Field(ge=0)
    currency: str = Field(min_length=3, max_length=3)
    interval: Interval = Interval.MONTH
    quantity: int = Field(1, ge=0)
    start_date: date
    end_date: date | None = None

    @model_validator(mode="after")
    def _check(self) -> SubscriptionCreate:
        self.currency = self.currency.upper()
        if not is_currency(self.currency):
            raise ValueError(f"{self.currency!r} is not an ISO 4217 currency code")
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class SubscriptionUpdate(BaseModel):
    plan: str | None = Field(None, min_length=1, max_length=255)
    amount: Decimal | None = Field(None, ge=0)
    interval: Interval | None = None
    quantity: int | None = Field(None, ge=0)
    start_date: date | None = None
    end_date: date | None = None


class SubscriptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str
    account_id: int
    plan: str
    amount_minor: int
    amount: Decimal
    currency: str
    interval: Interval
    quantity: int
    start_date: date
    end_date: date | None
    mrr: Decimal = Field(description="monthly amount × quantity in major units")
    created_at: datetime
    updated_at: datetime
