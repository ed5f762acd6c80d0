"""Pydantic shapes of support tickets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from headway.core.fields import Count
from headway.core.pagination import Page

TicketStatus = Literal["new", "open", "pending", "hold", "solved", "closed"]
TicketPriority = Literal["low", "normal", "high", "urgent"]
TicketSource = Literal["headway", "zendesk", "hubspot", "intercom"]
SatisfactionScale = Literal["good_bad", "1-5"]
Tag = Annotated[str, Field(min_length=1, max_length=100)]


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("a time between the years 1 and 9999 in UTC") from None


UtcTime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
_RATINGS = {"good_bad": {"good", "bad"}, "1-5": {"1", "2", "3", "4", "5"}}


class TicketCreate(BaseModel):
    """A ticket as a helpdesk integration sends it; the account is named by its external id."""

    account_id: str = Field(min_length=1, max_length=128, description="The account's external id.")
    source: TicketSource = "headway"
    requester_email: str | None = Field(None, min_length=3, max_length=320)
    subject: str = Field("", max_length=10_000)
    channel: str | None = Field(None, max_length=32)
    type: str | None = Field(None, max_length=32)
    priority: TicketPriority = "normal"
    status: TicketStatus
    created_at: UtcTime
    first_reply_at: UtcTime | None = None
    solved_at: UtcTime | None = None
    closed_at: UtcTime | None = None
    reopens: Count = 0
    agent_replies: Count | None = None
    satisfaction: str | None = Field(None, max_length=8)
    satisfaction_scale: SatisfactionScale | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=200)
    first_reply_minutes_calendar: Count | None = None
    first_reply_minutes_business: Count | None = None
    resolution_minutes_calendar: Count | None = None
    resolution_minutes_business: Count | None = None

    @model_validator(mode="after")
    def _rating_fits_its_scale(self) -> TicketCreate:
        if (self.satisfaction is None) != (self.satisfaction_scale is None):
            raise ValueError("satisfaction and satisfaction_scale go together (both or neither)")
        if self.satisfaction_scale and self.satisfaction not in _RATINGS[self.satisfaction_scale]:
            expected = "good or bad" if self.satisfaction_scale == "good_bad" else "1 to 5"
            raise ValueError(f"satisfaction on the {self.satisfaction_scale} scale is {expected}")
        return self


class TicketRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str
    source: str
    account_id: int
    requester_contact_id: int | None
    requester_email: str | None
    subject: str
    channel: str | None
    type: str | None
    priority: str
    status: str
    created_at: datetime
    first_reply_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    reopens: int
    agent_replies: int | None
    satisfaction: str | None
    satisfaction_scale: str | None
    tags: list[str]
    first_reply_minutes_calendar: int | None
    first_reply_minutes_business: int | None
    resolution_minutes_calendar: int | None
    resolution_minutes_business: int | None
    updated_at: datetime


TicketPage = Page[TicketRead]
