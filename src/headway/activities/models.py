"""Outputs: the activity catalogue, logged activities, and the touches each segment requires."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from headway.core.db import Base


class ActivityType(Base):
    """A kind of activity in the catalogue (meeting, call, business review …) and its duration."""

    __tablename__ = "activity_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    default_minutes: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class TouchRequirement(Base):
    """A touch a segment's Appropriate Experience requires, optionally only in one stage.

    Met when an activity of one of `activity_types` happened within `every_days`. With a
    `cadence` ("meeting" or "review") the interval is the account's tailored meeting or review
    cadence instead, and the requirement lapses when that cadence is empty.
    """

    __tablename__ = "touch_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("lifecycle_stages.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(120))
    activity_types: Mapped[list[str]]  # keys of activity types that count
    every_days: Mapped[int | None]
    cadence: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)


class Activity(Base):
    """Something the team did for an account: an output, logged with the time it took."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_account_at", "account_id", "occurred_at"),
        Index("ix_activities_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    type_id: Mapped[int] = mapped_column(ForeignKey("activity_types.id"))
    occurred_at: Mapped[datetime]
    minutes: Mapped[int]
    subject: Mapped[str] = mapped_column(String(255), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    logged_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    type: Mapped[ActivityType] = relationship(lazy="joined")


class ActivityUser(Base):
    """A team member who took part in an activity."""

    __tablename__ = "activity_users"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ActivityContact(Base):
    """A customer contact who took part in an activity."""

    __tablename__ = "activity_contacts"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ActivityGoal(Base):
    """An outcome goal an activity served."""

    __tablename__ = "activity_goals"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True, index=True
    )
