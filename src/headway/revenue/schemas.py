"""Pydantic shapes of subscriptions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from headway.core.fields import Count, CurrencyCode, DbId, IsoDate

# Amounts are stored as 64-bit minor units; a trillion in major units leaves room for any currency.
MAX_AMOUNT = Decimal(10) ** 12


class Interval(StrEnum):
    MONTH = "month"
    YEAR = "year"


class SubscriptionCreate(BaseModel):
    """A subscription; amount in major units (12.50), converted to minor units when stored."""

    account_id: DbId
    external_id: str = Field(min_length=1, max_length=128)
    plan: str = Field(min_length=1, max_length=255)
    amount: Decimal = Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)
    currency: CurrencyCode = Field(description="ISO 4217 code, upper case")
    interval: Interval = Interval.MONTH
    quantity: Count = 1
    start_date: IsoDate
    end_date: IsoDate | None = None

    @model_validator(mode="after")
    def _check(self) -> SubscriptionCreate:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class SubscriptionUpdate(BaseModel):
    plan: str | None = Field(None, min_length=1, max_length=255)
    amount: Decimal | None = Field(None, ge=0, le=MAX_AMOUNT, allow_inf_nan=False)
    interval: Interval | None = None
    quantity: Count | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None


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


def subscription_read(subscription: Any) -> SubscriptionRead:
    """Build the API shape of a subscription, amounts in major units."""
    from headway.core.money import to_major
    from headway.revenue.mrr import monthly_minor

    monthly = monthly_minor(subscription.amount_minor, subscription.interval, subscription.quantity)
    return SubscriptionRead(
        id=subscription.id,
        external_id=subscription.external_id,
        account_id=subscription.account_id,
        plan=subscription.plan,
        amount_minor=subscription.amount_minor,
        amount=to_major(subscription.amount_minor, subscription.currency),
        currency=subscription.currency,
        interval=Interval(subscription.interval),
        quantity=subscription.quantity,
        start_date=subscription.start_date,
        end_date=subscription.end_date,
        mrr=round(to_major(round(monthly), subscription.currency), 2),
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
    )
