"""Desired outcomes, success plans, outcome goals with their evidence, and milestones."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Double, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from headway.core.db import Base


class OutcomeTemplate(Base):
    """Defaults for a new account's Desired Outcome: per segment, optionally per product.

    `product` is a subscription plan name; a template with a product wins over the segment's
    general one for accounts subscribed to that plan.
    """

    __tablename__ = "outcome_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    product: Mapped[str | None] = mapped_column(String(255))
    required_outcome: Mapped[str] = mapped_column(Text)
    expected: Mapped[list[str]]  # outcomes sales typically promises
    desired: Mapped[list[str]]  # outcomes beyond the promise
    position: Mapped[int] = mapped_column(default=0)


class GoalTemplate(Base):
    """A reusable outcome goal: the KPI, its unit and direction, and the usual horizon."""

    __tablename__ = "goal_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kpi: Mapped[str] = mapped_column(String(255))
    unit: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(16))  # "increase" or "decrease"
    source: Mapped[str] = mapped_column(String(16), default="manual")
    # The usual target as a change from the baseline (0.2 = +20 %, -0.2 = −20 %), and horizon.
    target_change: Mapped[float] = mapped_column(Double)
    due_days: Mapped[int]


class PlanTemplate(Base):
    """A success plan to start from: per segment and lifecycle stage, its goals and milestones."""

    __tablename__ = "plan_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("lifecycle_stages.id", ondelete="CASCADE")
    )
    goal_keys: Mapped[list[str]]  # keys of goal templates
    # [{"name": str, "due_days": int, "first_value": bool}]
    milestones: Mapped[list[dict[str, Any]]]
    position: Mapped[int] = mapped_column(default=0)


class DesiredOutcome(Base):
    """An account's Desired Outcome: its Required Outcome and its Appropriate Experience."""

    __tablename__ = "desired_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("outcome_templates.id", ondelete="SET NULL")
    )
    required_outcome: Mapped[str] = mapped_column(Text)
    # Appropriate Experience, copied from the segment and then tailored for this customer.
    touch_model: Mapped[str] = mapped_column(String(32))
    channels: Mapped[list[str]]
    meeting_cadence_days: Mapped[int | None]
    review_cadence_days: Mapped[int | None]
    support_level: Mapped[str] = mapped_column(String(64))
    stakeholders: Mapped[str] = mapped_column(Text, default="")  # who must be involved
    tailored: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OutcomeStatement(Base):
    """One expected (promised at sale) or desired (beyond the promise) outcome of an account."""

    __tablename__ = "outcome_statements"
    __table_args__ = (Index("ix_outcome_statements_account", "account_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # "expected" or "desired"
    statement: Mapped[str] = mapped_column(Text)
    # Whose outcome it is, where stakeholders want different things (None = the company's).
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    promised_by: Mapped[str] = mapped_column(String(255), default="")
    due_date: Mapped[date | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Handoff(Base):
    """What sales promised a new customer, by whom and by when: it starts the success plan."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    promised: Mapped[str] = mapped_column(Text)
    promised_by: Mapped[str] = mapped_column(String(255))
    due_date: Mapped[date | None]
    stakeholders: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]


class SuccessPlan(Base):
    """An account's success plan: the goals and milestones on the way to its Desired Outcome."""

    __tablename__ = "success_plans"
    __table_args__ = (Index("ix_success_plans_account", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_templates.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, completed
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Goal(Base):
    """A measurable outcome goal: KPI, baseline, target, due date, owner and evidence."""

    __tablename__ = "goals"
    __table_args__ = (
        Index("ix_goals_account", "account_id"),
        Index("ix_goals_due", "due_date"),
        Index("ix_goals_plan", "plan_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("success_plans.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("goal_templates.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), default="expected")  # expected or desired
    kpi: Mapped[str] = mapped_column(String(255))
    unit: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(16))  # "increase" or "decrease"
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual, mrr, seats, import
    baseline: Mapped[float] = mapped_column(Double)
    baseline_date: Mapped[date]
    target: Mapped[float] = mapped_column(Double)
    due_date: Mapped[date]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when evidence first reaches the target on or before the due date; kept after.
    achieved_on: Mapped[date | None]
    achieved_evidence_id: Mapped[int | None]  # the measurement that proved it
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    evidence: Mapped[list[Evidence]] = relationship(
        foreign_keys="Evidence.goal_id",
        order_by="(Evidence.measured_on, Evidence.id)",
        back_populates="goal",
        passive_deletes=True,
    )


class Evidence(Base):
    """One measurement of a goal's KPI: value, date, source and who recorded it."""

    __tablename__ = "goal_evidence"
    __table_args__ = (
        # One value per goal, day and source: recording or importing it again updates it.
        UniqueConstraint("goal_id", "measured_on", "source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    value: Mapped[float] = mapped_column(Double)
    measured_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(16))  # manual, mrr, seats, import, api
    recorded_by: Mapped[str] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    goal: Mapped[Goal] = relationship(foreign_keys=[goal_id], back_populates="evidence")


class Milestone(Base):
    """A step of a success plan (onboarding step, go-live, first value) with due and done dates."""

    __tablename__ = "milestones"
    __table_args__ = (Index("ix_milestones_account", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("success_plans.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    due_date: Mapped[date | None]
    done_on: Mapped[date | None]
    # The account's first value: at most one per account; time to first value is measured to it.
    first_value: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
