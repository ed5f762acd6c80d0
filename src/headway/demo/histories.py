"""Subscription histories: every account simulated month by month, all accounts at once.

Each month an account's latent engagement (a standard normal score z) and its current segment
set the odds of what happens at its billing date: churn and contraction (only at a renewal for
yearly contracts), expansion (any month), reactivation after a churn. High engagement lowers
churn and contraction and raises expansion, so later analytics have real signal to find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.segments import (
    ADD_ON,
    ENTERPRISE,
    HIGH_TOUCH,
    STARTER,
    TEAM,
    annual_value,
    seat_price,
    segment_of_arr,
)

# Monthly odds at average engagement, by current segment (high, mid, tech).
CHURN_PER_MONTH = np.array([0.004, 0.009, 0.02])
CONTRACTION_PER_MONTH = np.array([0.006, 0.007, 0.005])
EXPANSION_PER_MONTH = np.array([0.022, 0.017, 0.011])
REACTIVATION_PER_MONTH = 0.025
# How strongly engagement moves the odds: odds × exp(weight × z).
CHURN_ENGAGEMENT_WEIGHT = -0.9
CONTRACTION_ENGAGEMENT_WEIGHT = -0.6
EXPANSION_ENGAGEMENT_WEIGHT = 0.7
REACTIVATION_ENGAGEMENT_WEIGHT = 0.4
# Customers who have not yet reached value leave more often.
EARLY_CHURN_MONTHS, EARLY_CHURN_FACTOR = 6, 1.5
# A churned account is not won back within this many months.
MIN_MONTHS_CHURNED = 3

# Lifecycle events the stage path is built from.
STARTED, CHURNED, REACTIVATED = 0, 1, 2


@dataclass(frozen=True)
class NewCustomers:
    """How each account starts paying (arrays, one entry per account)."""

    paid_start: np.ndarray  # day number (days since 1970-01-01); day of month ≤ 28
    trial_days: np.ndarray  # 0 = no trial before paying
    plan: np.ndarray
    yearly: np.ndarray  # bool
    seats: np.ndarray
    engagement_z: np.ndarray  # latent engagement, standard normal


@dataclass(frozen=True)
class Histories:
    """Subscription rows, lifecycle events and where each account ended up."""

    # Subscriptions, sorted by account then start.
    account: np.ndarray
    plan: np.ndarray
    trial: np.ndarray  # bool: a zero-amount trial before paying
    amount_minor: np.ndarray  # per seat per interval
    yearly: np.ndarray
    quantity: np.ndarray
    start: np.ndarray  # day number
    end: np.ndarray  # day number, exclusive; -1 = ongoing
    # Lifecycle events, sorted by account then day.
    event_account: np.ndarray
    event_day: np.ndarray
    event_kind: np.ndarray
    # Per account: ARR now, or just before the last churn; whether churned now.
    final_arr: np.ndarray
    churned: np.ndarray


