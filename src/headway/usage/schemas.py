"""Pydantic shapes of an account's usage: adoption measures, daily series, top events."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from headway.usage.adoption import AccountUsage


class AdoptionRead(BaseModel):
    """Adoption measures as of a day; null where a measure is undefined (no seats, no MAU)."""

    model_config = ConfigDict(from_attributes=True)

    dau: int
    wau: int
    mau: int
    stickiness: float | None
    seats: int | None
    seat_utilisation: float | None
    key_event_per_week: float | None
    breadth: int
    days_since_last_seen: int
    events_30d: int
    events_trend: float | None


class DailyUsageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    day: date
    events: int
    active_users: int


class EventCountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event: str
    events: int
    active_days: int


class AccountUsageRead(BaseModel):
    """An account's usage as of a day: measures, the last 90 days, the top events of 30 days."""

    account_id: int
    as_of: date
    adoption: AdoptionRead | None  # null: no usage seen up to that day
    series: list[DailyUsageRead]
    top_events: list[EventCountRead]


def account_usage_read(usage: AccountUsage) -> AccountUsageRead:
    """Build the API shape of an account's usage (from usage.adoption)."""
    return AccountUsageRead(
        account_id=usage.account_id,
        as_of=usage.as_of,
        adoption=AdoptionRead.model_validate(usage.adoption) if usage.adoption else None,
        series=[DailyUsageRead.model_validate(day) for day in usage.series],
        top_events=[EventCountRead.model_validate(event) for event in usage.top_events],
    )
