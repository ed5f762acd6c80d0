"""How well each demo customer does, drawn before its subscriptions are simulated.

Outcomes come first in Headway's view of the world, so they come first here too: each CSM has
a diligence (how much of what the Appropriate Experience asks they deliver: 1 = exactly it,
above 1 over-covers, below under-covers), each account a latent success score from its
engagement and its onboarding CSM's diligence. Success sets when the account reaches first
value and whether it reaches its first expected outcome; the subscription histories then churn
accounts by those (see histories.py), and the success plans show them as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.catalogue import FIRST_OUTCOME_DAYS, FIRST_VALUE_DAYS
from headway.demo.people import DemoPerson
from headway.demo.segments import HIGH_TOUCH

# Diligence of the CSMs, from the most under-covering to the most over-covering; each team
# gets the spread in its own shuffled order, jittered.
DILIGENCE_RANGE = (0.55, 1.5)
DILIGENCE_JITTER = 0.05
# Unowned tech-touch accounts are served by automated programs, which run as configured.
PROGRAM_DILIGENCE = 1.0
# success_z = engagement × w + diligence (log, scaled) × w + noise × w: roughly standard normal.
SUCCESS_ENGAGEMENT_WEIGHT = 0.7
SUCCESS_DILIGENCE_WEIGHT = 0.4
SUCCESS_NOISE_WEIGHT = 0.6
DILIGENCE_LOG_SCALE = 0.3  # log(diligence) ÷ this ≈ a standard normal score
# Odds of reaching the first expected outcome: logistic in success_z.
OUTCOME_INTERCEPT, OUTCOME_SLOPE = 0.45, 1.7
# Odds that a high-touch account rolls out to every team (adds a third more seats or so)
# between these many days after its start: logistic in success_z.
ROLLOUT_INTERCEPT, ROLLOUT_SLOPE = -0.1, 1.4
ROLLOUT_DAYS = (15, 50)
# Below this (success_z plus noise) an account never reaches first value.
NEVER_VALUE_BELOW = -1.6
# No value is ever reached this far in the future (day numbers are days since 1970).
NEVER = 10**6


@dataclass(frozen=True)
class EarlySuccess:
    """Outcomes of each account drawn before its history (arrays, one entry per account)."""

    diligence: np.ndarray  # per member of the team; 1.0 for people without a book
    onboarding_owner: np.ndarray  # index into the team; -1 = an automated program
    care: np.ndarray  # diligence of whoever onboards the account
    success_z: np.ndarray  # latent success, roughly standard normal
    first_start: np.ndarray  # day number the account first started (a trial included)
    value_day: np.ndarray  # day number it reaches first value; NEVER = not at all
    outcome_day: np.ndarray  # day number its first expected outcome falls due
    outcome_reached: np.ndarray  # bool
    rollout_day: np.ndarray  # day number from which it adds seats for every team; NEVER = not


def draw_diligence(rng: np.random.Generator, team: tuple[DemoPerson, ...]) -> np.ndarray:
    """Each team member's diligence: the CSMs spread from under- to over-covering."""
    diligence = np.ones(len(team))
    csms = np.array([i for i, person in enumerate(team) if person.role == "csm"], dtype=np.int64)
    spread = np.linspace(*DILIGENCE_RANGE, num=len(csms)) if len(csms) > 1 else np.ones(1)
    jitter = rng.normal(0, DILIGENCE_JITTER, len(csms))
    diligence[csms] = np.round(rng.permutation(spread[: len(csms)]) + jitter, 2)
    return diligence


def care_of(diligence: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """The diligence each account is served with (automated programs for unowned ones)."""
    return np.where(owner >= 0, diligence[np.maximum(owner, 0)], PROGRAM_DILIGENCE)


def draw_early_success(
    rng: np.random.Generator,
    *,
    diligence: np.ndarray,
    onboarding_owner: np.ndarray,
    first_segment: np.ndarray,
    engagement_z: np.ndarray,
    first_start: np.ndarray,
) -> EarlySuccess:
    """Draw each account's success, first value day and first expected outcome."""
    n = len(engagement_z)
    care = care_of(diligence, onboarding_owner)
    care_z = np.log(care) / DILIGENCE_LOG_SCALE
    success_z = (
        SUCCESS_ENGAGEMENT_WEIGHT * engagement_z
        + SUCCESS_DILIGENCE_WEIGHT * care_z
        + SUCCESS_NOISE_WEIGHT * rng.standard_normal(n)
    )
    # First value comes sooner to successful accounts; a few never get there.
    planned = np.array(FIRST_VALUE_DAYS)[first_segment]
    pace = np.exp(0.35 * rng.standard_normal(n) - 0.3 * success_z)
    value_offset = np.maximum(2, np.round(planned * pace)).astype(np.int64)
    never = success_z + 0.5 * rng.standard_normal(n) < NEVER_VALUE_BELOW
    value_day = np.where(never, NEVER, first_start + value_offset)
    odds = 1 / (1 + np.exp(-(OUTCOME_INTERCEPT + OUTCOME_SLOPE * success_z)))
    reached = (rng.random(n) < odds) & ~never
    outcome_day = first_start + np.array(FIRST_OUTCOME_DAYS)[first_segment]
    # Rolling out to every team is a goal of high-touch onboarding plans only.
    rollout_odds = 1 / (1 + np.exp(-(ROLLOUT_INTERCEPT + ROLLOUT_SLOPE * success_z)))
    rolls_out = (first_segment == HIGH_TOUCH) & (rng.random(n) < rollout_odds) & ~never
    rollout_day = np.where(rolls_out, first_start + rng.integers(*ROLLOUT_DAYS, n), NEVER)
    return EarlySuccess(
        diligence=diligence,
        onboarding_owner=onboarding_owner,
        care=care,
        success_z=success_z,
        first_start=first_start,
        value_day=value_day.astype(np.int64),
        outcome_day=outcome_day.astype(np.int64),
        outcome_reached=reached,
        rollout_day=rollout_day.astype(np.int64),
    )
