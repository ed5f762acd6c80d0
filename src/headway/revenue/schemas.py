"""Pydantic shapes of subscriptions."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from headway.core.fields import Count, CurrencyCode, DbId, IsoDate, refuse_nulls
from headway.core.money import minor_exponent
from headway.revenue.metrics import Movement, PeriodMetrics, month_end, month_label, quarter_label

if TYPE_CHECKING:
    from headway.revenue.service import AccountRevenue, CohortReport, RevenueReport

# Amounts are stored as 64-bit minor units; a trillion in major units leaves room for any currency.
MAX_AMOUNT = Decimal(10) ** 12


class Interval(StrEnum):
    MONTH = "month"
    YEAR = "year"


class SubscriptionCreate(BaseModel):
    """A subscription; amount in major units (12.50), converted to minor units when stored."""

    account_id: DbId
    external_id: str = Field(min_length=1, max_length=128)
    plan: str = Field(min_length=1, max_length=255)
    amount: Decimal = Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)
    currency: CurrencyCode = Field(description="ISO 4217 code, upper case")
    interval: Interval = Interval.MONTH
    quantity: Count = 1
    start_date: IsoDate
    end_date: IsoDate | None = None

    @model_validator(mode="after")
    def _check(self) -> SubscriptionCreate:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class SubscriptionUpdate(BaseModel):
    _not_nullable = model_validator(mode="before")(
        refuse_nulls("plan", "amount", "interval", "quantity", "start_date")
    )

    plan: str | None = Field(None, min_length=1, max_length=255)
    amount: Decimal | None = Field(None, ge=0, le=MAX_AMOUNT, allow_inf_nan=False)
    interval: Interval | None = None
    quantity: Count | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None


class SubscriptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str
    account_id: int
    plan: str
    amount_minor: int
    amount: Decimal
    currency: str
    interval: Interval
    quantity: int
    start_date: date
    end_date: date | None
    mrr: Decimal = Field(description="monthly amount × quantity in major units")
    created_at: datetime
    updated_at: datetime


def subscription_read(subscription: Any) -> SubscriptionRead:
    """Build the API shape of a subscription, amounts in major units."""
    from headway.core.money import to_major
    from headway.revenue.mrr import monthly_minor

    monthly = monthly_minor(subscription.amount_minor, subscription.interval, subscription.quantity)
    return SubscriptionRead(
        id=subscription.id,
        external_id=subscription.external_id,
        account_id=subscription.account_id,
        plan=subscription.plan,
        amount_minor=subscription.amount_minor,
        amount=to_major(subscription.amount_minor, subscription.currency),
        currency=subscription.currency,
        interval=Interval(subscription.interval),
        quantity=subscription.quantity,
        start_date=subscription.start_date,
        end_date=subscription.end_date,
        mrr=to_major(round(monthly), subscription.currency),
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
    )


# --- Revenue metrics ------------------------------------------------------------------------

YEAR_MONTH_PATTERN = r"^[12]\d{3}-(0[1-9]|1[0-2])$"
# Ratios keep six decimals: enough for any rate shown, stable across databases and runs.
RATIO_DIGITS = 6


def parse_year_month(value: str) -> date:
    """Read YYYY-MM as the first day of that month."""
    if not re.fullmatch(YEAR_MONTH_PATTERN, value):
        raise ValueError(f"{value!r} is not a month YYYY-MM, e.g. 2024-01")
    return date(int(value[:4]), int(value[5:7]), 1)


class RevenueBy(StrEnum):
    PERIOD = "period"
    MONTH = "month"


class MetricDefinition(BaseModel):
    """Which variant a figure follows and what it means."""

    variant: str
    definition: str


class MetricPeriodRead(BaseModel):
    """The whole months a result covers; MRR is taken on the two days given."""

    first_month: str = Field(description="YYYY-MM")
    last_month: str = Field(description="YYYY-MM")
    months: int
    start_date: date = Field(description="the day mrr_start is taken: the day before the period")
    end_date: date = Field(description="the day mrr_end is taken: the period's last day")


class MetricFiltersRead(BaseModel):
    segment: str | None = None
    owner_id: int | None = None


class RevenueVariantsRead(BaseModel):
    """The same figures under the other definitions METRICS.md names (see `definitions`)."""

    logo_churn_rate_stripe: float | None
    quick_ratio_with_reactivation: float | None
    ltv_without_margin: float | None


class RevenueMetricsRead(BaseModel):
    """Revenue metrics of a period: money in major units of `currency`, rates as fractions.

    Undefined values (a zero denominator, no spend recorded) are null, never 0 or infinity.
    """

    mrr_start: float
    mrr_end: float
    new: float
    expansion: float
    contraction: float
    churn: float
    reactivation: float
    net_new: float
    gross_mrr_churn_rate: float | None
    net_mrr_churn_rate: float | None
    grr: float | None
    nrr: float | None
    logo_churn_rate: float | None
    expansion_rate: float | None
    quick_ratio: float | None
    arpa: float | None
    nrr_cohort: float | None
    grr_cohort: float | None
    ltv: float | None
    cac: float | None
    cac_payback_months: float | None
    ltv_to_cac: float | None
    spend: float | None = Field(description="sales and marketing spend of the period")
    accounts_start: int = Field(description="accounts paying on start_date")
    accounts_end: int = Field(description="accounts paying on end_date")
    new_accounts: int
    reactivated_accounts: int
    churned_accounts: int = Field(description="churn movements in the period")
    lost_accounts: int = Field(description="paying on start_date, not on end_date")
    variants: RevenueVariantsRead
    period: MetricPeriodRead
    currency: str
    converted_currencies: list[str]
    filters: MetricFiltersRead
    definitions: dict[str, MetricDefinition]


class CohortRead(BaseModel):
    """One cohort: accounts that first paid in one month or quarter, and what they retained."""

    cohort: str = Field(description="YYYY-MM, or YYYY-Qn for quarters")
    first_month: str
    accounts: int
    starting_mrr: float | None = Field(
        description="Σ each account's MRR at the end of its first paying month (measure mrr)"
    )
    retention: list[float | None] = Field(
        description="share retained at the end of the cohort's period + k, for k = 0, 1, …"
    )


class CohortMatrixRead(BaseModel):
    """A cohort retention matrix."""

    by: str
    measure: str
    last_month: str
    currency: str
    converted_currencies: list[str]
    filters: MetricFiltersRead
    cohorts: list[CohortRead]
    definitions: dict[str, MetricDefinition]


class AccountMovementRead(BaseModel):
    """One month of an account: MRR at the end of the month before and of this one."""

    month: str
    mrr_start: float
    mrr_end: float
    movement: str | None = Field(
        description="new, expansion, contraction, churn, reactivation, or null"
    )
    amount: float


def _major(minor: float, currency: str) -> float:
    places = minor_exponent(currency)
    return round(minor / 10**places, places)


def _major_or_none(minor: float | None, currency: str) -> float | None:
    return None if minor is None else _major(minor, currency)


def _fraction(value: float | None) -> float | None:
    return None if value is None else round(value, RATIO_DIGITS)


def _definitions(definitions: dict[str, tuple[str, str]]) -> dict[str, MetricDefinition]:
    return {
        key: MetricDefinition(variant=variant, definition=text)
        for key, (variant, text) in definitions.items()
    }


def revenue_metrics_read(report: RevenueReport, metrics: PeriodMetrics) -> RevenueMetricsRead:
    """Build the API shape of one period of a revenue report (money in major units)."""
    currency = report.currency
    m = metrics
    return RevenueMetricsRead(
        **{
            name: _major(getattr(m, name), currency)
            for name in (
                "mrr_start",
                "mrr_end",
                "new",
                "expansion",
                "contraction",
                "churn",
                "reactivation",
                "net_new",
            )
        },
        **{
            name: _fraction(getattr(m, name))
            for name in (
                "gross_mrr_churn_rate",
                "net_mrr_churn_rate",
                "grr",
                "nrr",
                "logo_churn_rate",
                "expansion_rate",
                "quick_ratio",
                "nrr_cohort",
                "grr_cohort",
                "cac_payback_months",
                "ltv_to_cac",
            )
        },
        arpa=_major_or_none(m.arpa, currency),
        ltv=_major_or_none(m.ltv, currency),
        cac=_major_or_none(m.cac, currency),
        spend=_major_or_none(m.spend, currency),
        accounts_start=m.accounts_start,
        accounts_end=m.accounts_end,
        new_accounts=m.new_accounts,
        reactivated_accounts=m.reactivated_accounts,
        churned_accounts=m.churned_accounts,
        lost_accounts=m.lost_accounts,
        variants=RevenueVariantsRead(
            logo_churn_rate_stripe=_fraction(m.logo_churn_rate_stripe),
            quick_ratio_with_reactivation=_fraction(m.quick_ratio_with_reactivation),
            ltv_without_margin=_major_or_none(m.ltv_without_margin, currency),
        ),
        period=MetricPeriodRead(
            first_month=month_label(m.first_month),
            last_month=month_label(m.last_month),
            months=m.last_month - m.first_month + 1,
            start_date=month_end(m.first_month - 1),
            end_date=month_end(m.last_month),
        ),
        currency=currency,
        converted_currencies=report.converted_currencies,
        filters=MetricFiltersRead(segment=report.segment, owner_id=report.owner_id),
        definitions=_definitions(report.definitions),
    )


def revenue_report_read(report: RevenueReport) -> list[RevenueMetricsRead]:
    """Build the API shape of every period of a revenue report."""
    return [revenue_metrics_read(report, metrics) for metrics in report.periods]


COHORT_DEFINITIONS = {
    "cohort": (
        "first-paying-month",
        "accounts grouped by the month (or quarter) of the first month end they paid at",
    ),
    "logos": (
        "logos",
        "share of the cohort's accounts paying at the end of the cohort's month (or quarter) + k",
    ),
    "mrr": (
        "mrr",
        "MRR of the cohort's accounts at the end of the cohort's month (or quarter) + k ÷ the "
        "sum of each account's MRR at the end of its first paying month (expansion included)",
    ),
}


def cohort_matrix_read(report: CohortReport) -> CohortMatrixRead:
    """Build the API shape of a cohort retention matrix (money in major units)."""
    quarterly = report.by.value == "quarter"
    by_money = report.measure.value == "mrr"
    return CohortMatrixRead(
        by=report.by.value,
        measure=report.measure.value,
        last_month=month_label(report.last_month),
        currency=report.currency,
        converted_currencies=report.converted_currencies,
        filters=MetricFiltersRead(segment=report.segment, owner_id=report.owner_id),
        cohorts=[
            CohortRead(
                cohort=(quarter_label if quarterly else month_label)(row.first_month),
                first_month=month_label(row.first_month),
                accounts=row.accounts,
                starting_mrr=_major(row.starting_mrr, report.currency) if by_money else None,
                retention=[_fraction(value) for value in row.retention],
            )
            for row in report.cohorts
        ],
        definitions=_definitions(
            {
                "cohort": COHORT_DEFINITIONS["cohort"],
                "retention": COHORT_DEFINITIONS[report.measure.value],
            }
        ),
    )


def account_movements_read(revenue: AccountRevenue) -> list[AccountMovementRead]:
    """Build the API shape of an account's monthly movements (money in major units)."""
    return [
        AccountMovementRead(
            month=month_label(m.month),
            mrr_start=_major(m.mrr_start, revenue.currency),
            mrr_end=_major(m.mrr_end, revenue.currency),
            movement=None if m.movement is Movement.NONE else m.movement.name.lower(),
            amount=_major(m.amount, revenue.currency),
        )
        for m in revenue.months
    ]
