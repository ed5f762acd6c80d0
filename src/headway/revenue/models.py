"""Subscriptions: what each account pays, from when to when. MRR is derived from them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Double,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from headway.core.db import Base


class Subscription(Base):
    """A recurring charge of an account: amount per interval × quantity over [start, end)."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_account_start", "account_id", "start_date"),
        CheckConstraint("interval IN ('month', 'year')", name="interval"),
        CheckConstraint("quantity >= 0", name="quantity"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    plan: Mapped[str] = mapped_column(String(255))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    interval: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(default=1)
    start_date: Mapped[date]
    end_date: Mapped[date | None]  # exclusive; None = ongoing
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class FxRate(Base):
    """An exchange rate on a day: `rate` units of `quote_currency` buy 1 unit of `currency`."""

    __tablename__ = "fx_rates"
    __table_args__ = (
        UniqueConstraint("currency", "quote_currency", "rate_date"),
        CheckConstraint("rate > 0", name="rate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    # The reporting currency when the rate was imported: a later change of the setting then
    # finds no rates rather than wrong ones.
    quote_currency: Mapped[str] = mapped_column(String(3))
    rate_date: Mapped[date]
    rate: Mapped[float] = mapped_column(Double)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SalesMarketingSpend(Base):
    """Sales and marketing spend of one month (one row per category and currency): feeds CAC."""

    __tablename__ = "sales_marketing_spend"
    __table_args__ = (
        UniqueConstraint("month", "category", "currency"),
        CheckConstraint("amount_minor >= 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]  # the first day of the month
    category: Mapped[str] = mapped_column(String(64), default="")
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
