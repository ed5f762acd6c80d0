"""Product usage: the messages customers' products send, who sent them, and daily rollups.

An event belongs to an account through `account_key`, the account's `external_id` as the
sender knows it. The key is kept even when no such account exists yet: the message is
stored and its rollups join the account the moment it appears.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from headway.core.db import Base

# Events outgrow 32-bit ids; SQLite's rowid is 64-bit already and must be declared INTEGER.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class UsageEvent(Base):
    """One Segment-shaped message (track, page, screen, identify, group), stored once."""

    __tablename__ = "usage_events"
    __table_args__ = (
        Index("ix_usage_events_account_day", "account_key", "timestamp"),
        Index("ix_usage_events_user_unattached", "user_key", "account_key"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    # The sender's messageId, or "derived-<sha256>" of the content when it sent none.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(16))
    event: Mapped[str | None] = mapped_column(String(200))  # track: event; page/screen: name
    user_id: Mapped[str | None] = mapped_column(String(255))
    anonymous_id: Mapped[str | None] = mapped_column(String(255))
    # userId, else anonymousId: who did it, for active-user counts.
    user_key: Mapped[str | None] = mapped_column(String(255))
    account_key: Mapped[str | None] = mapped_column(String(128))
    session_id: Mapped[str | None] = mapped_column(String(255))
    timestamp: Mapped[datetime]
    received_at: Mapped[datetime]
    # The whole message as received, batch context and integrations merged in.
    payload: Mapped[dict[str, Any]]


class UsageIdentity(Base):
    """A user of the customer's product: the account it was grouped with and its traits."""

    __tablename__ = "usage_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_key: Mapped[str] = mapped_column(String(255), unique=True)
    account_key: Mapped[str | None] = mapped_column(String(128), index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    traits: Mapped[dict[str, Any]] = mapped_column(default=dict)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class UsageGroup(Base):
    """The traits a `group` call gave an account (by its key), kept apart from CRM fields."""

    __tablename__ = "usage_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(128), unique=True)
    traits: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]


class UsageDaily(Base):
    """Per account and UTC day: events, active users, sessions and the last event's time."""

    __tablename__ = "usage_daily"
    __table_args__ = (UniqueConstraint("account_key", "day"),)

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    account_key: Mapped[str] = mapped_column(String(128))
    day: Mapped[date] = mapped_column(index=True)
    events: Mapped[int] = mapped_column(BigInteger)
    active_users: Mapped[int]
    sessions: Mapped[int]
    last_seen_at: Mapped[datetime]


class UsageDailyEvent(Base):
    """Per account, UTC day and event name: how often, by how many users."""

    __tablename__ = "usage_daily_events"
    __table_args__ = (
        UniqueConstraint("account_key", "day", "event"),
        Index("ix_usage_daily_events_event_day", "event", "day"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    account_key: Mapped[str] = mapped_column(String(128))
    day: Mapped[date]
    event: Mapped[str] = mapped_column(String(200))
    events: Mapped[int] = mapped_column(BigInteger)
    users: Mapped[int]


class UsageActiveUser(Base):
    """A user active for an account on a UTC day: DAU, WAU and MAU count these as of any date."""

    __tablename__ = "usage_active_users"
    __table_args__ = (
        UniqueConstraint("account_key", "day", "user_key"),
        Index("ix_usage_active_users_day", "day"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    account_key: Mapped[str] = mapped_column(String(128))
    day: Mapped[date]
    user_key: Mapped[str] = mapped_column(String(255))
    events: Mapped[int]


class RollupWatermark(Base):
    """How far a rollup source has been read: the next run reads only what is newer."""

    __tablename__ = "usage_rollup_watermarks"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(255), unique=True)  # "app", or a file/table name
    # The app source uses event ids; files and warehouses use the received (or event) time.
    last_id: Mapped[int | None] = mapped_column(BigInteger)
    last_received_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class UsagePendingDay(Base):
    """A day of an account whose rollup must be redone though none of its events is new.

    Written when earlier events without an account join one (their user was grouped later);
    the next app rollup recomputes these days and clears them.
    """

    __tablename__ = "usage_pending_days"
    __table_args__ = (UniqueConstraint("account_key", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(128))
    day: Mapped[date]
