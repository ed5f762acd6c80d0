"""revenue metrics: exchange rates and sales and marketing spend

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:02:36.164047
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import headway.core.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fx_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("quote_currency", sa.String(length=3), nullable=False),
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("rate", sa.Double(), nullable=False),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rate > 0", name=op.f("ck_fx_rates_rate")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_rates")),
        sa.UniqueConstraint(
            "currency", "quote_currency", "rate_date", name=op.f("uq_fx_rates_currency")
        ),
    )
    op.create_table(
        "sales_marketing_spend",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_sales_marketing_spend_amount")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_marketing_spend")),
        sa.UniqueConstraint(
            "month", "category", "currency", name=op.f("uq_sales_marketing_spend_month")
        ),
    )


def downgrade() -> None:
    op.drop_table("sales_marketing_spend")
    op.drop_table("fx_rates")
