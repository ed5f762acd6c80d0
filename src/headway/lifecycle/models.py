"""Time to first value per segment, and the rules that move accounts between stages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from headway.core.db import Base


class TtfvRule(Base):
    """For a segment (or every segment without a rule): when the clock starts and what stops it.

    `start`: "first_subscription" (default), "account_created" or "handoff".
    `value_event`: "usage:<event name>" (its first occurrence) or "milestone" (the success
    plan's milestone flagged as first value, when done).
    """

    __tablename__ = "ttfv_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), unique=True
    )
    start: Mapped[str] = mapped_column(String(32), default="first_subscription")
    value_event: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime]


class StageRule(Base):
    """Move accounts from one stage to another when a condition holds; applied daily.

    Conditions: "first_value_reached"; "healthy_for_days" (green every day of the last
    `days`); "unhealthy_for_days" (red every day of the last `days`).
    """

    __tablename__ = "stage_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    from_stage_id: Mapped[int] = mapped_column(ForeignKey("lifecycle_stages.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("lifecycle_stages.id"))
    condition: Mapped[str] = mapped_column(String(32))
    days: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
