"""Revenue metrics from month-end MRR: plain functions over numpy arrays, no session, no clock.

Months are numbered `year * 12 + month - 1`, so consecutive months are consecutive integers.
Column j of a matrix is the last day of month `first_month + j`; the movement of month M compares
the column of M − 1 with the column of M. See docs/metrics.md for every definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum, StrEnum
from typing import Any

import numpy as np

NEVER = 10**9  # first paying month of an account that never paid
NO_MONTH = -(10**9)  # last paying month of an account that had none yet
TTM_MONTHS = 12  # cohort NRR and GRR look this many months back
LTV_CHURN_MONTHS = 6  # LTV averages the logo churn of this many trailing months


class Movement(IntEnum):
    """What happened to an account's MRR in one month."""

    NONE = 0
    NEW = 1
    EXPANSION = 2
    CONTRACTION = 3
    CHURN = 4
    REACTIVATION = 5


class CohortPeriod(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


class CohortMeasure(StrEnum):
    LOGOS = "logos"
    MRR = "mrr"


# --- months --------------------------------------------------------------------------------


def month_number(day: date) -> int:
    """Return the number of a day's month: year × 12 + month − 1."""
    return day.year * 12 + day.month - 1


def month_start(number: int) -> date:
    """Return the first day of a numbered month."""
    return date(number // 12, number % 12 + 1, 1)


def month_end(number: int) -> date:
    """Return the last day of a numbered month."""
    return month_start(number + 1) - timedelta(days=1)


def month_label(number: int) -> str:
    """Return a numbered month as YYYY-MM."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def quarter_label(number: int) -> str:
    """Return the quarter of a numbered month as YYYY-Qn."""
    return f"{number // 12:04d}-Q{number % 12 // 3 + 1}"


def month_end_days(numbers: np.ndarray) -> np.ndarray:
    """Return the last day of each numbered month, as days since 1970-01-01."""
    following = (np.asarray(numbers, dtype=np.int64) + 1 - 1970 * 12).astype("datetime64[M]")
    days: np.ndarray = following.astype("datetime64[D]").astype(np.int64) - 1
    return days


def ratio(numerator: float, denominator: float) -> float | None:
    """Divide, or None when the denominator is zero: undefined is never 0 or infinity."""
    if denominator == 0:
        return None
    return float(numerator) / float(denominator)


# --- the matrix and its movements ----------------------------------------------------------


@dataclass(frozen=True)
class MrrMatrix:
    """Month-end MRR of accounts (rows) over consecutive months (columns), and their past.

    `mrr` is in minor units of one currency; an account pays at a month end when its MRR there
    is above zero. `first_paid` and `last_paid_before` hold what the columns cannot show: the
    first month the account ever paid at its end (NEVER if none), and the last such month
    before column 0 (NO_MONTH if none).
    """

    account_ids: np.ndarray
    first_month: int
    mrr: np.ndarray
    first_paid: np.ndarray
    last_paid_before: np.ndarray

    @classmethod
    def without_history(cls, mrr: Any, first_month: int, account_ids: Any = None) -> MrrMatrix:
        """A matrix of accounts that never paid before its first column (hand-built ledgers)."""
        values = np.asarray(mrr, dtype=np.float64)
        paying = values > 0
        first_column = paying.argmax(axis=1)
        first_paid = np.where(paying.any(axis=1), first_month + first_column, NEVER)
        ids = np.arange(len(values)) if account_ids is None else np.asarray(account_ids)
        return cls(ids, first_month, values, first_paid, np.full(len(values), NO_MONTH))

    @property
    def last_month(self) -> int:
        return self.first_month + self.mrr.shape[1] - 1

    @property
    def months(self) -> np.ndarray:
        return np.arange(self.first_month, self.last_month + 1)

    def column(self, month: int) -> int:
        """Return the column of a numbered month."""
        if not self.first_month <= month <= self.last_month:
            raise ValueError(f"{month_label(month)} is outside the matrix")
        return month - self.first_month


@dataclass(frozen=True)
class Movements:
    """Each account's movement in each month of a matrix after its first column."""

    kind: np.ndarray  # (accounts, columns − 1) of Movement values
    amount: np.ndarray  # (accounts, columns − 1), minor units, ≥ 0


def classify_movements(
    matrix: MrrMatrix, *, reactivation_window_days: int | None = None
) -> Movements:
    """Classify every account-month: new, expansion, contraction, churn or reactivation.

    0 → x is new when the account never paid at an earlier month end, else reactivation (or new
    again when it returns more than `reactivation_window_days` after churning); x → 0 is churn
    of x; otherwise the difference is expansion or contraction.
    """
    mrr = matrix.mrr
    before, after = mrr[:, :-1], mrr[:, 1:]
    paid_before_month, paid_after_month = before > 0, after > 0
    kind = np.zeros(before.shape, dtype=np.int8)
    amount = np.subtract(after, before)
    np.abs(amount, out=amount)
    starts = ~paid_before_month & paid_after_month
    returning = starts & (matrix.first_paid[:, None] < matrix.months[None, 1:])
    kind[starts & ~returning] = Movement.NEW
    kind[returning] = Movement.REACTIVATION
    if reactivation_window_days is not None and returning.any():
        late = _returns_after_window(matrix, returning, reactivation_window_days)
        kind[late] = Movement.NEW
    kind[paid_before_month & ~paid_after_month] = Movement.CHURN
    both = paid_before_month & paid_after_month
    kind[both & (after > before)] = Movement.EXPANSION
    kind[both & (after < before)] = Movement.CONTRACTION
    return Movements(kind=kind, amount=amount)


def _returns_after_window(matrix: MrrMatrix, returning: np.ndarray, days: int) -> np.ndarray:
    # Only the rows of returning accounts need their last paying month before each column.
    rows = np.flatnonzero(returning.any(axis=1))
    months = matrix.months
    paid = matrix.mrr[rows, :-1] > 0
    last_paid = np.maximum.accumulate(np.where(paid, months[None, :-1], NO_MONTH), axis=1)
    last_paid = np.maximum(last_paid, matrix.last_paid_before[rows, None])
    # The account churned at the first month end it did not pay, the one after its last paying.
    churned_on = month_end_days(np.maximum(last_paid, 0) + 1)
    returned_on = month_end_days(months[1:])[None, :]
    late = np.zeros(returning.shape, dtype=bool)
    late[rows] = returning[rows] & (returned_on - churned_on > days)
    return late


@dataclass(frozen=True)
class Totals:
    """Sums over accounts: MRR and paying accounts per column, movements per month."""

    mrr: np.ndarray  # (columns,)
    paying: np.ndarray  # (columns,)
    amounts: dict[Movement, np.ndarray]  # (columns − 1,) per kind
    accounts: dict[Movement, np.ndarray]  # (columns − 1,) accounts with that movement


def total_movements(matrix: MrrMatrix, movements: Movements) -> Totals:
    """Sum MRR, paying accounts and each kind of movement over the accounts."""
    amounts: dict[Movement, np.ndarray] = {}
    accounts: dict[Movement, np.ndarray] = {}
    for kind in Movement:
        if kind is Movement.NONE:
            continue
        mask = movements.kind == kind
        amounts[kind] = movements.amount.sum(axis=0, where=mask)
        accounts[kind] = mask.sum(axis=0)
    return Totals(
        mrr=matrix.mrr.sum(axis=0),
        paying=(matrix.mrr > 0).sum(axis=0),
        amounts=amounts,
        accounts=accounts,
    )


# --- a period's metrics --------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodMetrics:
    """Every revenue metric of one period of whole months; money in minor units."""

    first_month: int
    last_month: int
    mrr_start: float
    mrr_end: float
    new: float
    expansion: float
    contraction: float
    churn: float
    reactivation: float
    net_new: float
    accounts_start: int
    accounts_end: int
    new_accounts: int
    reactivated_accounts: int
    churned_accounts: int
    lost_accounts: int
    gross_mrr_churn_rate: float | None
    net_mrr_churn_rate: float | None
    grr: float | None
    nrr: float | None
    logo_churn_rate: float | None
    logo_churn_rate_stripe: float | None
    expansion_rate: float | None
    quick_ratio: float | None
    quick_ratio_with_reactivation: float | None
    arpa: float | None
    nrr_cohort: float | None
    grr_cohort: float | None
    trailing_logo_churn_rate: float | None
    ltv: float | None
    ltv_without_margin: float | None
    spend: float | None
    cac: float | None
    cac_payback_months: float | None
    ltv_to_cac: float | None


def period_metrics(
    matrix: MrrMatrix,
    movements: Movements,
    totals: Totals,
    *,
    first_month: int,
    last_month: int,
    gross_margin: float,
    spend: float | None = None,
) -> PeriodMetrics:
    """Compute the metrics of the months first_month…last_month (the matrix holds the month
    before the first as the start; cohort NRR needs 12 months before the last; LTV 6).

    `spend` is the sales and marketing spend of the period in minor units, None when unknown.
    """
    start, end = matrix.column(first_month - 1), matrix.column(last_month)
    # Movement index j is the month of column j + 1: the period's months are start…end − 1.
    months = slice(start, end)
    s = float(totals.mrr[start])
    new, expansion, contraction, churn, reactivation = (
        float(totals.amounts[kind][months].sum())
        for kind in (
            Movement.NEW,
            Movement.EXPANSION,
            Movement.CONTRACTION,
            Movement.CHURN,
            Movement.REACTIVATION,
        )
    )
    new_accounts = int(totals.accounts[Movement.NEW][months].sum())
    paying_start, paying_end = matrix.mrr[:, start] > 0, matrix.mrr[:, end] > 0
    accounts_start, accounts_end = int(paying_start.sum()), int(paying_end.sum())
    lost = int((paying_start & ~paying_end).sum())
    period_kinds = movements.kind[:, months]
    joined = ~paying_start & (
        (period_kinds == Movement.NEW) | (period_kinds == Movement.REACTIVATION)
    ).any(axis=1)
    lost_or_joined_lost = int(((paying_start | joined) & ~paying_end).sum())
    mrr_end = float(totals.mrr[end])
    arpa = ratio(mrr_end, accounts_end)
    nrr_cohort, grr_cohort = _ttm_cohort(matrix, end)
    churn_rate = _trailing_logo_churn(matrix, totals, end)
    ltv = ltv_without_margin = None
    if arpa is not None and churn_rate:
        ltv = arpa * gross_margin / churn_rate
        ltv_without_margin = arpa / churn_rate
    cac = ratio(spend, new_accounts) if spend is not None else None
    average_new_mrr = ratio(new, new_accounts)
    payback = None
    if cac is not None and average_new_mrr:
        payback = cac / (average_new_mrr * gross_margin)
    return PeriodMetrics(
        first_month=first_month,
        last_month=last_month,
        mrr_start=s,
        mrr_end=mrr_end,
        new=new,
        expansion=expansion,
        contraction=contraction,
        churn=churn,
        reactivation=reactivation,
        net_new=new + expansion + reactivation - contraction - churn,
        accounts_start=accounts_start,
        accounts_end=accounts_end,
        new_accounts=new_accounts,
        reactivated_accounts=int(totals.accounts[Movement.REACTIVATION][months].sum()),
        churned_accounts=int(totals.accounts[Movement.CHURN][months].sum()),
        lost_accounts=lost,
        gross_mrr_churn_rate=ratio(churn + contraction, s),
        net_mrr_churn_rate=ratio(churn + contraction - expansion - reactivation, s),
        grr=ratio(s - churn - contraction, s),
        nrr=ratio(s + expansion + reactivation - churn - contraction, s),
        logo_churn_rate=ratio(lost, accounts_start),
        logo_churn_rate_stripe=ratio(lost_or_joined_lost, accounts_start + int(joined.sum())),
        expansion_rate=ratio(expansion, s),
        quick_ratio=ratio(new + expansion, churn + contraction),
        quick_ratio_with_reactivation=ratio(new + expansion + reactivation, churn + contraction),
        arpa=arpa,
        nrr_cohort=nrr_cohort,
        grr_cohort=grr_cohort,
        trailing_logo_churn_rate=churn_rate,
        ltv=ltv,
        ltv_without_margin=ltv_without_margin,
        spend=spend,
        cac=cac,
        cac_payback_months=payback,
        ltv_to_cac=ratio(ltv, cac) if ltv is not None and cac is not None else None,
    )


def _ttm_cohort(matrix: MrrMatrix, end: int) -> tuple[float | None, float | None]:
    then_column = end - TTM_MONTHS
    if then_column < 0:
        return None, None
    then = matrix.mrr[:, then_column]
    cohort = then > 0
    now = matrix.mrr[cohort, end]
    base = float(then[cohort].sum())
    return (
        ratio(float(now.sum()), base),
        ratio(float(np.minimum(now, then[cohort]).sum()), base),
    )


def _trailing_logo_churn(matrix: MrrMatrix, totals: Totals, end: int) -> float | None:
    # Monthly logo churn of each of the trailing months that has paying accounts at its start.
    rates = [
        float(totals.accounts[Movement.CHURN][column - 1]) / float(totals.paying[column - 1])
        for column in range(max(1, end - LTV_CHURN_MONTHS + 1), end + 1)
        if totals.paying[column - 1] > 0
    ]
    return sum(rates) / len(rates) if rates else None


# --- cohorts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortRow:
    """One cohort: its accounts, their starting MRR, and what was retained k periods later."""

    first_month: int  # the first month of the cohort's month or quarter
    accounts: int
    starting_mrr: float
    retention: list[float | None]  # k = 0, 1, … up to the last complete period


def cohort_retention(
    matrix: MrrMatrix,
    *,
    by: CohortPeriod,
    measure: CohortMeasure,
    first_cohort: int,
    last_cohort: int,
) -> list[CohortRow]:
    """Group accounts by the month (or quarter) they first paid; measure each group's logos
    (or MRR) still paying at the end of each later month (or quarter) up to the matrix's end.

    Cohort k measures at the end of the cohort's month + k (or its quarter + k); the base is the
    cohort's accounts (or the sum of each account's MRR at the end of its first paying month).
    """
    step = 3 if by is CohortPeriod.QUARTER else 1
    first_cohort -= first_cohort % step
    last_cohort -= last_cohort % step
    matrix.column(first_cohort)
    cohort_of = matrix.first_paid - matrix.first_paid % step
    rows = np.flatnonzero(
        (cohort_of >= first_cohort)
        & (cohort_of <= last_cohort)
        & (matrix.first_paid <= matrix.last_month)
    )
    groups = (last_cohort - first_cohort) // step + 1
    group = (cohort_of[rows] - first_cohort) // step
    sizes = np.bincount(group, minlength=groups)
    first_values = matrix.mrr[rows, matrix.first_paid[rows] - matrix.first_month]
    starting = np.bincount(group, weights=first_values, minlength=groups)
    values = matrix.mrr[rows] if measure is CohortMeasure.MRR else (matrix.mrr[rows] > 0) * 1.0
    sums = np.zeros((groups, matrix.mrr.shape[1]))
    if len(rows):
        order = np.argsort(group, kind="stable")
        ordered = group[order]
        firsts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        sums[ordered[firsts]] = np.add.reduceat(values[order], firsts, axis=0)
    result: list[CohortRow] = []
    for g in range(groups):
        cohort = first_cohort + g * step
        base = float(starting[g]) if measure is CohortMeasure.MRR else float(sizes[g])
        measured = range(cohort + step - 1, matrix.last_month + 1, step)
        retention = [ratio(float(sums[g, month - matrix.first_month]), base) for month in measured]
        result.append(CohortRow(cohort, int(sizes[g]), float(starting[g]), retention))
    return result


# --- one account ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountMonth:
    """One month of one account: its MRR at the previous and at this month end, and the move."""

    month: int
    mrr_start: float
    mrr_end: float
    movement: Movement
    amount: float


def account_months(matrix: MrrMatrix, movements: Movements, row: int) -> list[AccountMonth]:
    """List one account's months (matrix columns after the first) with their movements."""
    return [
        AccountMonth(
            month=matrix.first_month + j + 1,
            mrr_start=float(matrix.mrr[row, j]),
            mrr_end=float(matrix.mrr[row, j + 1]),
            movement=Movement(int(movements.kind[row, j])),
            amount=float(movements.amount[row, j]),
        )
        for j in range(movements.kind.shape[1])
    ]


# --- definitions ---------------------------------------------------------------------------


def revenue_definitions(
    *, reactivation_window_days: int | None, gross_margin: float
) -> dict[str, tuple[str, str]]:
    """Name the variant and the definition behind every revenue figure: key → (variant, text)."""
    if reactivation_window_days is None:
        window = ("reactivation-any-time", "a return after churn is reactivation, however late")
    else:
        window = (
            f"reactivation-window-{reactivation_window_days}-days",
            f"a return more than {reactivation_window_days} days after churning counts as new",
        )
    margin = f"gross margin {gross_margin:g}"
    return {
        "mrr": (
            "month-end",
            "Σ monthly amount (yearly ÷ 12) × quantity of subscriptions with start ≤ day < end, "
            "on the month's last day; other currencies at the latest rate on or before that day",
        ),
        "movements": (
            window[0],
            "per account, MRR at the end of the previous month → MRR at the end of the month: "
            "0 → x new (never paid before) or reactivation, x → 0 churn, else expansion or "
            f"contraction; {window[1]}",
        ),
        "mrr_start": ("default", "MRR on the day before the period's first day"),
        "mrr_end": ("default", "MRR on the period's last day"),
        "net_new": ("default", "new + expansion + reactivation − contraction − churn"),
        "gross_mrr_churn_rate": ("default", "(churn + contraction) ÷ mrr_start"),
        "net_mrr_churn_rate": (
            "default",
            "(churn + contraction − expansion − reactivation) ÷ mrr_start; can be negative",
        ),
        "grr": ("period", "(mrr_start − churn − contraction) ÷ mrr_start"),
        "nrr": (
            "period",
            "(mrr_start + expansion + reactivation − churn − contraction) ÷ mrr_start",
        ),
        "logo_churn_rate": (
            "chartmogul",
            "accounts paying at the period's start and not at its end ÷ accounts paying at its "
            "start (accounts joining and leaving inside the period are not counted)",
        ),
        "logo_churn_rate_stripe": (
            "stripe",
            "accounts paying at the start or joining (new or reactivated) in the period and not "
            "paying at its end ÷ (accounts paying at the start + accounts joining)",
        ),
        "expansion_rate": ("default", "expansion ÷ mrr_start"),
        "quick_ratio": ("without-reactivation", "(new + expansion) ÷ (churn + contraction)"),
        "quick_ratio_with_reactivation": (
            "with-reactivation",
            "(new + expansion + reactivation) ÷ (churn + contraction)",
        ),
        "arpa": ("default", "mrr_end ÷ accounts paying at the period's end"),
        "nrr_cohort": (
            "ttm",
            "MRR at the period's end of the accounts paying 12 months before ÷ their MRR then "
            "(accounts new since excluded)",
        ),
        "grr_cohort": (
            "ttm",
            "Σ min(MRR now, MRR 12 months before) ÷ Σ MRR 12 months before, over the accounts "
            "paying 12 months before the period's end",
        ),
        "ltv": (
            "simple-with-margin",
            f"ARPA × {margin} ÷ monthly logo churn rate averaged over the 6 months ending with "
            "the period's last month",
        ),
        "ltv_without_margin": (
            "simple-without-margin",
            "ARPA ÷ monthly logo churn rate averaged over the 6 months ending with the period's "
            "last month (ChartMogul)",
        ),
        "cac": (
            "default",
            "sales and marketing spend of the period ÷ new accounts of the period; needs spend "
            "recorded for every month of the period and no account filter",
        ),
        "cac_payback_months": (
            "default",
            f"CAC ÷ (new MRR ÷ new accounts × {margin})",
        ),
        "ltv_to_cac": ("default", "LTV ÷ CAC (healthy ≥ 3)"),
    }
