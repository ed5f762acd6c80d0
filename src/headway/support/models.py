"""Support tickets (the reactive side), SLA policies and the business hours they count in."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from headway.core.db import Base

TICKET_STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
TICKET_PRIORITIES = ("low", "normal", "high", "urgent")


class Ticket(Base):
    """A support ticket or conversation of an account, as its helpdesk recorded it.

    Durations are kept as the helpdesk measured them when it did (Zendesk gives first reply
    and resolution minutes in calendar and business hours); otherwise Headway computes them
    from the timestamps with its own business hours.
    """

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_account_created", "account_id", "created_at"),
        Index("ix_tickets_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    source: Mapped[str] = mapped_column(String(16), default="headway")  # zendesk, hubspot …
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    requester_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    requester_email: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str | None] = mapped_column(String(32))  # email, web, chat, phone, api
    type: Mapped[str | None] = mapped_column(String(32))  # question, incident, problem, task
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    first_reply_at: Mapped[datetime | None]  # the first public reply of an agent
    solved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    reopens: Mapped[int] = mapped_column(default=0)
    agent_replies: Mapped[int | None]
    # Satisfaction as given: "good"/"bad" (satisfaction_scale "good_bad") or 1–5 ("1-5").
    satisfaction: Mapped[str | None] = mapped_column(String(8))
    satisfaction_scale: Mapped[str | None] = mapped_column(String(8))
    tags: Mapped[list[str]] = mapped_column(default=list)
    # Minutes as the helpdesk measured them (None: Headway computes from the timestamps).
    first_reply_minutes_calendar: Mapped[int | None]
    first_reply_minutes_business: Mapped[int | None]
    resolution_minutes_calendar: Mapped[int | None]
    resolution_minutes_business: Mapped[int | None]
    updated_at: Mapped[datetime]


class BusinessHours(Base):
    """When the support team works: a time zone and opening hours per weekday (0 = Monday)."""

    __tablename__ = "business_hours"
    __table_args__ = (UniqueConstraint("weekday", "opens"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int]
    opens: Mapped[str] = mapped_column(String(5))  # "09:00", local time
    closes: Mapped[str] = mapped_column(String(5))  # "17:00"
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")


class Holiday(Base):
    """A day without business hours."""

    __tablename__ = "holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")


class SlaPolicy(Base):
    """Targets for a priority (optionally only in one segment): first reply and resolution."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("priority", "segment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    priority: Mapped[str] = mapped_column(String(16))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    first_reply_minutes: Mapped[int | None]
    resolution_minutes: Mapped[int | None]
    hours: Mapped[str] = mapped_column(String(16), default="business")  # or "calendar"
