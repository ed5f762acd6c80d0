"""Accounts (customer companies), their segments and lifecycle stages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from headway.core.db import Base


class Segment(Base):
    """A tier of accounts by value, with the Appropriate Experience it promises."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    # ARR range rule in minor units of the reporting currency: min ≤ ARR < max (None = open).
    min_arr: Mapped[int | None] = mapped_column(BigInteger)
    max_arr: Mapped[int | None] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(500), default="")
    # Appropriate Experience: how accounts of this segment are served.
    touch_model: Mapped[str] = mapped_column(String(32))
    channels: Mapped[list[str]]
    meeting_cadence_days: Mapped[int | None]
    review_cadence_days: Mapped[int | None]
    support_level: Mapped[str] = mapped_column(String(64))


class LifecycleStage(Base):
    """A stage of the customer journey (onboarding, adoption, loyal) or a state (churned)."""

    __tablename__ = "lifecycle_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16), default="stage")  # "stage" or "state"
    description: Mapped[str] = mapped_column(String(500), default="")


class Account(Base):
    """A customer company."""

    __tablename__ = "accounts"
    __table_args__ = (
        # Lists sort by name with the id as tie-breaker: these serve each page from an index.
        Index("ix_accounts_name", "name", "id"),
        Index("ix_accounts_segment_name", "segment_id", "name", "id"),
        Index("ix_accounts_stage_name", "stage_id", "name", "id"),
        Index("ix_accounts_owner_name", "owner_id", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    domain: Mapped[str | None] = mapped_column(String(255))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id"))
    # True when a person chose the segment: the ARR rule then leaves it alone.
    segment_locked: Mapped[bool] = mapped_column(default=False)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("lifecycle_stages.id"))
    stage_entered_at: Mapped[datetime | None]
    industry: Mapped[str | None] = mapped_column(String(120))
    employees: Mapped[int | None]
    traits: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    segment: Mapped[Segment | None] = relationship(lazy="joined")
    stage: Mapped[LifecycleStage | None] = relationship(lazy="joined")
    parent: Mapped[Account | None] = relationship(remote_side=[id])


class StageChange(Base):
    """An account moving from one lifecycle stage to another: who or what moved it, and when."""

    __tablename__ = "stage_changes"
    __table_args__ = (Index("ix_stage_changes_account_at", "account_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("lifecycle_stages.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("lifecycle_stages.id"))
    changed_at: Mapped[datetime]
    changed_by: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(String(500), default="")

    from_stage: Mapped[LifecycleStage | None] = relationship(foreign_keys=[from_stage_id])
    to_stage: Mapped[LifecycleStage] = relationship(foreign_keys=[to_stage_id])
