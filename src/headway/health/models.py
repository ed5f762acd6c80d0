"""Health scorecards, their versions, and the daily scores they gave each account."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Double, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from headway.core.db import Base
from headway.usage.models import EventId


class Scorecard(Base):
    """A named scorecard for a segment, or the default one for segments without their own."""

    __tablename__ = "scorecards"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # None for the default scorecard; a segment has at most one scorecard of its own.
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="SET NULL"), unique=True
    )
    is_default: Mapped[bool] = mapped_column(default=False)
    current_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    versions: Mapped[list[ScorecardVersion]] = relationship(
        back_populates="scorecard", order_by="ScorecardVersion.version"
    )


class ScorecardVersion(Base):
    """One saved definition of a scorecard; never changed once written."""

    __tablename__ = "scorecard_versions"
    __table_args__ = (UniqueConstraint("scorecard_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"))
    version: Mapped[int]
    definition: Mapped[dict[str, Any]]  # a ScorecardDefinition as JSON
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(255))

    scorecard: Mapped[Scorecard] = relationship(back_populates="versions")


class HealthScore(Base):
    """An account's score on a day, with the scorecard version that gave it and why."""

    __tablename__ = "health_scores"
    __table_args__ = (
        UniqueConstraint("account_id", "day"),
        Index("ix_health_scores_day_score", "day", "score"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    day: Mapped[date]
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"))
    version: Mapped[int]
    score: Mapped[float] = mapped_column(Double)
    band: Mapped[str] = mapped_column(String(8))  # red, yellow, green
    # Per measure: key, raw value, score, weight share, points, lost points (see scoring.py).
    details: Mapped[list[dict[str, Any]]]
