"""MRR of subscriptions at a date: plain functions over plain data, no session, no clock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS_PER_INTERVAL = {"month": 1, "year": 12}


@dataclass(frozen=True)
class Charge:
    """The part of a subscription MRR needs."""

    amount_minor: int
    currency: str
    interval: str
    quantity: int
    start_date: date
    end_date: date | None  # exclusive


def monthly_minor(amount_minor: int, interval: str, quantity: int) -> float:
    """Normalise a charge to a month, in minor units: yearly ÷ 12, times the quantity."""
    return amount_minor * quantity / MONTHS_PER_INTERVAL[interval]


def is_active(charge: Charge, on: date) -> bool:
    """A subscription counts on day d when start ≤ d < end (no end = ongoing)."""
    return charge.start_date <= on and (charge.end_date is None or on < charge.end_date)


def mrr_on(charges: Iterable[Charge], on: date) -> dict[str, float]:
    """Return MRR on a date per currency, in minor units."""
    totals: dict[str, float] = {}
    for c in charges:
        if is_active(c, on):
            totals[c.currency] = totals.get(c.currency, 0.0) + monthly_minor(
                c.amount_minor, c.interval, c.quantity
            )
    return totals


def month_end(day: date) -> date:
    """Return the last day of the month of a date."""
    first_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_next - timedelta(days=1)


def month_ends(first: date, last: date) -> list[date]:
    """Return the last day of each month from the month of `first` to the month of `last`."""
    ends: list[date] = []
    current = month_end(first)
    while current <= month_end(last):
        ends.append(current)
        current = month_end(current + timedelta(days=1))
    return ends
