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
from sqlalchemy import Float, Integer, case, cast, extract, func, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.revenue.fx import ExchangeRates
from headway.revenue.metrics import NEVER, NO_MONTH, MrrMatrix, month_end
from headway.revenue.models import Subscription

FOREVER = 10**8  # month number standing for "no end date": after every column
FETCH_ROWS = 50_000


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
    # Twelfths in double precision: exact for whole numbers below 2⁵³, and no 64-bit integer
    # overflow on PostgreSQL whatever the amount and quantity.
    twelfths = (
        cast(Subscription.amount_minor, Float)
        * Subscription.quantity
        * case((Subscription.interval == "year", 1), else_=12)
    )
    query = select(
        Subscription.account_id,
        twelfths,
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
    rows = _fetch_array(session, query)
    currencies, currency = np.unique(rows["currency"], return_inverse=True)
    return SubscriptionArrays(
        account_id=rows["account_id"],
        twelfths=rows["twelfths"],
        currency=currency.reshape(-1),
        currencies=tuple(str(c) for c in currencies),
        start_month=rows["start_month"],
        stop_month=rows["stop_month"],
    )


_ROW = np.dtype(
    [
        ("account_id", np.int64),
        ("twelfths", np.float64),
        ("currency", "U3"),
        ("start_month", np.int64),
        ("stop_month", np.int64),
    ]
)


def _fetch_array(session: Session, query: Any) -> np.ndarray:
    # The driver's plain tuples, not SQLAlchemy rows: at 100 k accounts this one read is most of
    # the time, and Row objects double it (bench/bench_revenue.py). Fetched in chunks, so the
    # Python tuples alive at once stay few. The statement holds only integers and constants,
    # so rendering them inline is safe.
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    parts = [np.empty(0, dtype=_ROW)]
    try:
        cursor.execute(sql)
        while chunk := cursor.fetchmany(FETCH_ROWS):
            parts.append(np.array(chunk, dtype=_ROW))
    finally:
        cursor.close()
    return np.concatenate(parts)


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
    # One row per account and currency (nearly every account pays in one): a single difference
    # array for all of them, then the rows of each other currency scaled by its rates.
    currencies = max(1, len(subscriptions.currencies))
    pairs, pair_rows = np.unique(rows * currencies + subscriptions.currency, return_inverse=True)
    native = _native_matrix(
        pair_rows.reshape(-1),
        subscriptions.twelfths,
        subscriptions.start_month - first_month,
        subscriptions.stop_month - first_month,
        len(pairs),
        width,
    )
    converted: list[str] = []
    if rates is not None:
        month_ends = [month_end(first_month + j) for j in range(width)]
        for index, currency in enumerate(subscriptions.currencies):
            if currency == rates.reporting_currency:
                continue
            chosen = np.flatnonzero(pairs % currencies == index)
            part = native[chosen]
            needed = np.flatnonzero(part.any(axis=0))
            if not len(needed):
                continue
            factors = np.zeros(width)
            factors[needed] = rates.minor_factors(currency, [month_ends[j] for j in needed])
            native[chosen] = part * factors
            converted.append(currency)
    # Divided last, so a monthly price in the reporting currency stays exact.
    native /= 12
    if len(pairs) == accounts:
        mrr = native
    else:
        firsts = np.flatnonzero(np.r_[True, np.diff(pairs // currencies) != 0])
        mrr = np.add.reduceat(native, firsts, axis=0)
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
    changes = changes.astype(np.float64, copy=False)  # integers when there is nothing to count
    changes = changes.reshape(accounts, stride)
    np.cumsum(changes, axis=1, out=changes)
    native: np.ndarray = changes[:, :width]
    return native
