"""The accounts × month-ends MRR matrix, built with numpy from one read of the subscriptions.

A subscription over [start, end) counts on the last day of month m exactly when
month(start) ≤ m < month(end): the last day of month(start) is on or after the start, and the
last day of month(end) is on or after the (exclusive) end. So each subscription adds its amount
to one contiguous range of columns: a difference array (+amount at the range's first column,
−amount after its last) summed along the months gives every account's MRR at every month end,
in time linear in subscriptions plus cells, with no loop over accounts.

Amounts are kept in twelfths of a minor unit until converted, so a yearly plan ÷ 12 stays a whole
number and float64 sums are exact (below 2⁵³): an account whose subscriptions all ended sits at
exactly zero, never at a rounding residue that would look like a paying account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Integer, case, cast, extract, func, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.revenue.fx import ExchangeRates
from headway.revenue.metrics import NEVER, NO_MONTH, MrrMatrix, month_end
from headway.revenue.models import Subscription

FOREVER = 10**8  # month number standing for "no end date": after every column


@dataclass(frozen=True)
class SubscriptionArrays:
    """Subscriptions as columns: one entry per subscription."""

    account_id: np.ndarray  # int64
    twelfths: np.ndarray  # float64: amount × quantity × 12 ÷ months per interval, minor units
    currency: np.ndarray  # int index into `currencies`
    currencies: tuple[str, ...]
    start_month: np.ndarray  # month number of the start date
    stop_month: np.ndarray  # month number of the end date (exclusive), FOREVER when none

    def __len__(self) -> int:
        return len(self.account_id)


def _month_of(column: Any) -> Any:
    # Both databases give plain integers: SQLite's strftime and PostgreSQL's extract, cast.
    return cast(extract("year", column), Integer) * 12 + cast(extract("month", column), Integer) - 1


def read_subscriptions(
    *,
    session: Session,
    segment_id: int | None = None,
    owner_id: int | None = None,
    account_id: int | None = None,
) -> SubscriptionArrays:
    """Read the subscriptions (of the accounts of a segment, an owner, or one account) in one
    query, as arrays."""
    query = select(
        Subscription.account_id,
        Subscription.amount_minor,
        Subscription.quantity,
        case((Subscription.interval == "year", 1), else_=12),
        Subscription.currency,
        _month_of(Subscription.start_date),
        func.coalesce(_month_of(Subscription.end_date), FOREVER),
    )
    if segment_id is not None or owner_id is not None:
        query = query.join(Account, Account.id == Subscription.account_id)
        if segment_id is not None:
            query = query.where(Account.segment_id == segment_id)
        if owner_id is not None:
            query = query.where(Account.owner_id == owner_id)
    if account_id is not None:
        query = query.where(Subscription.account_id == account_id)
    rows = session.execute(query).all()
    if not rows:
        empty = np.empty(0, dtype=np.int64)
        return SubscriptionArrays(empty, np.empty(0), empty, (), empty, empty)
    accounts, amounts, quantities, per_month, codes, starts, stops = zip(*rows, strict=True)
    currencies = tuple(sorted(set(codes)))
    index = {code: i for i, code in enumerate(currencies)}
    twelfths = (
        np.array(amounts, dtype=np.float64)
        * np.array(quantities, dtype=np.float64)
        * np.array(per_month, dtype=np.float64)
    )
    return SubscriptionArrays(
        account_id=np.array(accounts, dtype=np.int64),
        twelfths=twelfths,
        currency=np.fromiter((index[c] for c in codes), dtype=np.int16, count=len(codes)),
        currencies=currencies,
        start_month=np.array(starts, dtype=np.int64),
        stop_month=np.array(stops, dtype=np.int64),
    )


@dataclass(frozen=True)
class Ledger:
    """The MRR matrix in the reporting currency, and which currencies were converted into it."""

    matrix: MrrMatrix
    converted_currencies: list[str]


def build_ledger(
    subscriptions: SubscriptionArrays,
    *,
    first_month: int,
    last_month: int,
    rates: ExchangeRates | None,
) -> Ledger:
    """Build the month-end MRR matrix of months first_month…last_month in minor units of the
    reporting currency; a currency's rate is needed only at month ends where it has MRR.

    Without rates the amounts stay in each one's own currency: only who pays is meaningful then.
    """
    width = last_month - first_month + 1
    account_ids, rows = np.unique(subscriptions.account_id, return_inverse=True)
    rows = rows.reshape(-1)
    accounts = len(account_ids)
    paying = (subscriptions.twelfths > 0) & (subscriptions.start_month < subscriptions.stop_month)
    first_paid = np.full(accounts, NEVER, dtype=np.int64)
    np.minimum.at(first_paid, rows[paying], subscriptions.start_month[paying])
    earlier = paying & (subscriptions.start_month < first_month)
    last_paid_before = np.full(accounts, NO_MONTH, dtype=np.int64)
    np.maximum.at(
        last_paid_before,
        rows[earlier],
        np.minimum(subscriptions.stop_month[earlier] - 1, first_month - 1),
    )
    mrr = np.zeros((accounts, width))
    converted: list[str] = []
    month_ends = [month_end(first_month + j) for j in range(width)]
    for index, currency in enumerate(subscriptions.currencies):
        chosen = subscriptions.currency == index
        native = _native_matrix(
            rows[chosen],
            subscriptions.twelfths[chosen],
            subscriptions.start_month[chosen] - first_month,
            subscriptions.stop_month[chosen] - first_month,
            accounts,
            width,
        )
        needed = np.flatnonzero(native.any(axis=0))
        if not len(needed):
            continue
        if rates is None:
            native /= 12
        else:
            factors = np.zeros(width)
            days = [month_ends[j] for j in needed]
            factors[needed] = rates.minor_factors(currency, days) / 12
            native *= factors
            if currency != rates.reporting_currency:
                converted.append(currency)
        mrr += native
    matrix = MrrMatrix(account_ids, first_month, mrr, first_paid, last_paid_before)
    return Ledger(matrix=matrix, converted_currencies=converted)


def _native_matrix(
    rows: np.ndarray,
    values: np.ndarray,
    first_columns: np.ndarray,
    stop_columns: np.ndarray,
    accounts: int,
    width: int,
) -> np.ndarray:
    # One extra column takes the −amount of ranges running past the last month.
    stride = width + 1
    low = np.clip(first_columns, 0, width)
    high = np.clip(stop_columns, 0, width)
    kept = low < high  # ranges outside the months or empty (start and end in one month)
    flat = np.concatenate([rows[kept] * stride + low[kept], rows[kept] * stride + high[kept]])
    weights = np.concatenate([values[kept], -values[kept]])
    changes = np.bincount(flat, weights=weights, minlength=accounts * stride)
    changes = changes.reshape(accounts, stride)
    np.cumsum(changes, axis=1, out=changes)
    native: np.ndarray = changes[:, :width]
    return native
