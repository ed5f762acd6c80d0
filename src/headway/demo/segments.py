"""Segments and the price list of the demo company.

The ARR ranges are those migration 0001 seeds (minor units, min ≤ ARR < max):
tech-touch < $10k ≤ mid-touch < $100k ≤ high-touch.
"""

from __future__ import annotations

import numpy as np

HIGH_TOUCH, MID_TOUCH, TECH_TOUCH = 0, 1, 2
SEGMENT_KEYS = ("high-touch", "mid-touch", "tech-touch")
MID_TOUCH_MIN_ARR = 1_000_000
HIGH_TOUCH_MIN_ARR = 10_000_000

# Share of new customers in each segment: many small, few large (the customer pyramid).
SEGMENT_SHARES = (0.07, 0.25, 0.68)

# Initial ARR of a new customer in each segment, in minor units: (low, high, skew), drawn
# log-uniformly with more accounts near the low end as skew grows.
INITIAL_ARR = (
    (11_000_000, 90_000_000, 2.5),
    (1_100_000, 9_000_000, 1.6),
    (60_000, 900_000, 1.3),
)

STARTER, TEAM, BUSINESS, ENTERPRISE, ADD_ON = 0, 1, 2, 3, 4
PLAN_NAMES = ("Starter", "Team", "Business", "Enterprise", "Analytics add-on")
TRIAL_SUFFIX = " (trial)"
# Price per seat per month in minor units (the same figures in USD, EUR and GBP price lists).
MONTHLY_SEAT_PRICE = np.array([1_500, 3_500, 6_000, 9_500, 800], dtype=np.int64)
# A yearly plan costs ten months: two months free.
MONTHS_BILLED_PER_YEAR = 10

# Plans a new customer of each segment picks, with their probabilities.
PLAN_CHOICES = (
    ((BUSINESS, ENTERPRISE), (0.25, 0.75)),
    ((TEAM, BUSINESS), (0.3, 0.7)),
    ((STARTER, TEAM), (0.6, 0.4)),
)
# Share of yearly contracts per segment: larger accounts mostly pay yearly.
YEARLY_SHARE = (0.9, 0.6, 0.2)

CURRENCIES = ("USD", "EUR", "GBP")
CURRENCY_SHARES = (0.86, 0.09, 0.05)


def segment_of_arr(arr_minor: np.ndarray) -> np.ndarray:
    """The segment (index into SEGMENT_KEYS) of each ARR by the default rule."""
    return np.where(
        arr_minor >= HIGH_TOUCH_MIN_ARR,
        HIGH_TOUCH,
        np.where(arr_minor >= MID_TOUCH_MIN_ARR, MID_TOUCH, TECH_TOUCH),
    )


def seat_price(plan: np.ndarray, yearly: np.ndarray) -> np.ndarray:
    """Amount per seat per billing interval, in minor units."""
    monthly = MONTHLY_SEAT_PRICE[plan]
    return np.where(yearly, monthly * MONTHS_BILLED_PER_YEAR, monthly)


def annual_value(plan: np.ndarray, yearly: np.ndarray, seats: np.ndarray) -> np.ndarray:
    """ARR in minor units of a subscription of `seats` seats on a plan."""
    return np.where(yearly, seat_price(plan, yearly), seat_price(plan, yearly) * 12) * seats
