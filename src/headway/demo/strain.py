"""How each demo account's relationship stands on a given day, from the latent variables.

Tickets and survey answers follow the same drivers as the subscriptions and usage: engagement,
success (engagement plus the onboarding CSM's care), first value, the first expected outcome
reached or missed, the first weeks of onboarding, and the approach of a churn. This module
gives those drivers per account and day; tickets.py and surveys.py weigh them each their own
way (more tickets and slower answers at strained accounts, lower scores before a churn).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Day numbers are below this, so account × SPAN + day orders (account, day) pairs.
SPAN = 10**7


@dataclass(frozen=True)
class Drivers:
    """Per account, and per customer period (sorted by account and start)."""

    engagement_z: np.ndarray
    success_z: np.ndarray
    value_day: np.ndarray  # success.NEVER = never
    outcome_day: np.ndarray
    outcome_reached: np.ndarray  # bool
    period_account: np.ndarray
    period_start: np.ndarray
    period_end: np.ndarray  # exclusive
    as_of_day: int

    def period_of(self, account: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The customer period each (account, day) falls in; -1 when not a customer."""
        keys = self.period_account * SPAN + self.period_start
        found = np.searchsorted(keys, account * SPAN + day, side="right") - 1
        index = np.maximum(found, 0)
        inside = (
            (found >= 0)
            & (self.period_account[index] == account)
            & (day < self.period_end[index])
            & (day >= self.period_start[index])
        )
        return np.where(inside, found, -1)

    def churn_approach(self, period: np.ndarray, day: np.ndarray, window: np.ndarray) -> np.ndarray:
        """0 far from a churn, rising to 1 on the day a period ends in a churn.

        A period ending after as_of has not ended: those customers are not approaching one.
        """
        end = self.period_end[period]
        churns = end <= self.as_of_day
        closeness = 1 - (end - day) / np.maximum(window, 1)
        return np.where(churns, np.clip(closeness, 0, 1), 0.0)

    def outcome_standing(self, account: np.ndarray, day: np.ndarray) -> np.ndarray:
        """+1 once the first expected outcome is reached, -1 once it is missed, 0 before."""
        due = day >= self.outcome_day[account]
        return np.where(due, np.where(self.outcome_reached[account], 1, -1), 0)

    def tenure(self, period: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Days since the customer period began."""
        return day - self.period_start[period]

    def waiting_for_value(self, account: np.ndarray, day: np.ndarray) -> np.ndarray:
        """True while an account has not reached first value (it may never)."""
        return day < self.value_day[account]


def customer_periods(
    account: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customer periods sorted by account and start (Drivers.period_of needs that order)."""
    order = np.lexsort((start, account))
    return account[order], start[order], end[order]
