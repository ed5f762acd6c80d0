"""MRR of subscriptions at a date: the pure functions, against hand-computed values."""

from __future__ import annotations

from datetime import date

import pytest

from headway.revenue.mrr import Charge, month_end, month_ends, monthly_minor, mrr_on


@pytest.mark.parametrize(
    ("amount", "interval", "quantity", "expected"),
    [
        (10_000, "month", 1, 10_000),
        (10_000, "month", 3, 30_000),
        (120_000, "year", 1, 10_000),  # yearly ÷ 12
        (100_000, "year", 2, 200_000 / 12),
        (0, "month", 5, 0),
    ],
)
def test_charges_are_normalised_to_a_month(amount, interval, quantity, expected):
    assert monthly_minor(amount, interval, quantity) == pytest.approx(expected)


def test_a_subscription_counts_from_its_start_until_the_day_before_its_end():
    charge = Charge(5_000, "USD", "month", 1, date(2025, 3, 1), date(2025, 6, 1))
    assert mrr_on([charge], date(2025, 2, 28)) == {}
    assert mrr_on([charge], date(2025, 3, 1)) == {"USD": 5_000}
    assert mrr_on([charge], date(2025, 5, 31)) == {"USD": 5_000}
    assert mrr_on([charge], date(2025, 6, 1)) == {}  # end is exclusive


def test_mrr_is_kept_per_currency():
    charges = [
        Charge(5_000, "USD", "month", 1, date(2025, 1, 1), None),
        Charge(2_500, "USD", "month", 2, date(2025, 1, 1), None),
        Charge(120_000, "EUR", "year", 1, date(2025, 1, 1), None),
    ]
    assert mrr_on(charges, date(2025, 7, 1)) == {"USD": 10_000, "EUR": 10_000}


def test_month_ends_cover_every_month_including_february_of_a_leap_year():
    assert month_end(date(2024, 2, 10)) == date(2024, 2, 29)
    assert month_ends(date(2023, 12, 15), date(2024, 3, 1)) == [
        date(2023, 12, 31),
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
    ]
