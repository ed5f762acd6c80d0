"""Lifecycle stages that follow from each account's subscription history.

Onboarding from the first subscription (a trial included) for 60–90 days, then adoption;
long-tenured, engaged accounts become loyal; churned when every subscription has ended;
reactivated when a churned account pays again, back to adoption once re-onboarded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.histories import CHURNED, REACTIVATED, Histories

STAGE_KEYS = ("onboarding", "adoption", "loyal", "churned", "reactivated")
ONBOARDING, ADOPTION, LOYAL, CHURNED_STAGE, REACTIVATED_STAGE = range(5)
REASONS = (
    "First subscription started",
    "Onboarding complete",
    "Long-tenured and engaged",
    "Every subscription ended",
    "Paying again after churning",
)
# Engagement (0–1) an account needs to become loyal, and the days back to adoption after
# a reactivation.
LOYAL_MIN_ENGAGEMENT = 0.6
REONBOARDING_DAYS = 90


@dataclass(frozen=True)
class StagePaths:
    """Every stage change of every account, sorted by account then day."""

    account: np.ndarray
    from_stage: np.ndarray  # -1 = none (the first stage)
    to_stage: np.ndarray
    day: np.ndarray  # day number

    def current(self, accounts: int) -> tuple[np.ndarray, np.ndarray]:
        """Each account's current stage and the day it was entered (-1 when it has none)."""
        stage = np.full(accounts, -1, dtype=np.int64)
        entered = np.full(accounts, -1, dtype=np.int64)
        # The last change of each account wins: later rows overwrite earlier ones.
        stage[self.account] = self.to_stage
        entered[self.account] = self.day
        return stage, entered


def onboarding_days(rng: np.random.Generator, engagement: np.ndarray) -> np.ndarray:
    """How long each account takes to onboard: 60–90 days, longer when less engaged."""
    days = 60 + 30 * (1 - engagement) + rng.normal(0, 5, len(engagement))
    return np.clip(np.round(days), 55, 95).astype(np.int64)


def loyal_after_days(rng: np.random.Generator, engagement: np.ndarray) -> np.ndarray:
    """Days of tenure (a year at least) after which an engaged account turns loyal; -1 = never."""
    days = np.maximum(365, 365 + 365 * (1 - engagement) + rng.normal(0, 30, len(engagement)))
    return np.where(engagement >= LOYAL_MIN_ENGAGEMENT, np.round(days), -1).astype(np.int64)


def stage_paths(
    histories: Histories, onboarding: np.ndarray, loyal_after: np.ndarray, as_of_day: int
) -> StagePaths:
    """Walk each account's started/churned/reactivated events into dated stage changes."""
    accounts, from_stages, to_stages, days = [], [], [], []
    kinds = histories.event_kind.tolist()
    event_days = histories.event_day.tolist()
    bounds = np.searchsorted(histories.event_account, np.arange(len(onboarding) + 1)).tolist()
    onboarding_list, loyal_list = onboarding.tolist(), loyal_after.tolist()
    for account in range(len(onboarding)):
        first, last = bounds[account], bounds[account + 1]
        if first == last:
            continue
        path = _path(
            event_days[first:last],
            kinds[first:last],
            onboarding_list[account],
            loyal_list[account],
            as_of_day,
        )
        previous = -1
        for day, stage in path:
            accounts.append(account)
            from_stages.append(previous)
            to_stages.append(stage)
            days.append(day)
            previous = stage
    return StagePaths(
        account=np.array(accounts, dtype=np.int64),
        from_stage=np.array(from_stages, dtype=np.int64),
        to_stage=np.array(to_stages, dtype=np.int64),
        day=np.array(days, dtype=np.int64),
    )


def _path(
    event_days: list[int], kinds: list[int], onboarding: int, loyal_after: int, as_of_day: int
) -> list[tuple[int, int]]:
    """The stage changes of one account; the first event is its first subscription."""
    path = [(event_days[0], ONBOARDING)]
    stage, tenure_start = ONBOARDING, event_days[0]
    pending = list(zip(event_days[1:], kinds[1:], strict=True))
    while True:
        automatic = _next_automatic(stage, path[-1][0], tenure_start, onboarding, loyal_after)
        event = pending[0] if pending else None
        if automatic is not None and (event is None or automatic[0] < event[0]):
            day, stage = automatic
        elif event is not None:
            pending.pop(0)
            day = event[0]
            if event[1] == CHURNED:
                stage = CHURNED_STAGE
            elif event[1] == REACTIVATED:
                stage, tenure_start = REACTIVATED_STAGE, day
            else:
                continue
        else:
            break
        if day > as_of_day:
            break
        path.append((day, stage))
    return path


def _next_automatic(
    stage: int, entered: int, tenure_start: int, onboarding: int, loyal_after: int
) -> tuple[int, int] | None:
    """The stage an account moves to by itself, and when, if nothing else happens first."""
    if stage == ONBOARDING:
        return entered + onboarding, ADOPTION
    if stage == REACTIVATED_STAGE:
        return entered + REONBOARDING_DAYS, ADOPTION
    if stage == ADOPTION and loyal_after >= 0:
        return max(entered + 1, tenure_start + loyal_after), LOYAL
    return None
