"""Periods of each demo account's life, the frame activities and success plans are drawn in.

A span is a stretch of days [start, end) of one account: in a lifecycle stage, a customer
(any stage but churned), or onboarding. Each account also has one or two eras: who looked after
it and in which segment. An account that grew (or shrank) into another segment was handed over
to a CSM of that segment on the day it got there; before, it was its first segment's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.lifecycle import (
    ADOPTION,
    CHURNED_STAGE,
    LOYAL,
    ONBOARDING,
    REACTIVATED_STAGE,
    StagePaths,
)


@dataclass(frozen=True)
class Spans:
    """Stretches of days of accounts' lives, by account then start."""

    account: np.ndarray
    start: np.ndarray  # day number
    end: np.ndarray  # day number, exclusive
    segment: np.ndarray  # the segment the account was served as
    owner: np.ndarray  # index into the team; -1 = none (an automated program)
    first_era: np.ndarray  # bool: before the account was handed over

    def __len__(self) -> int:
        return len(self.account)

    def take(self, keep: np.ndarray) -> Spans:
        """Only the spans where keep is true."""
        return Spans(
            self.account[keep],
            self.start[keep],
            self.end[keep],
            self.segment[keep],
            self.owner[keep],
            self.first_era[keep],
        )


@dataclass(frozen=True)
class Eras:
    """Who served each account and as which segment, before and after a hand-over."""

    handover_day: np.ndarray  # day number; -1 = never handed over
    first_segment: np.ndarray
    first_owner: np.ndarray
    segment: np.ndarray  # now
    owner: np.ndarray  # now

    def split(self, account: np.ndarray, start: np.ndarray, end: np.ndarray) -> Spans:
        """Cut stretches of days at each account's hand-over, with who served each part."""
        handover = self.handover_day[account]
        before_end = np.where(handover >= 0, np.minimum(end, handover), start)
        after_start = np.where(handover >= 0, np.maximum(start, handover), start)
        before = before_end > start
        after = end > after_start
        parts = (
            (account[before], start[before], before_end[before], True),
            (account[after], after_start[after], end[after], False),
        )
        accounts = np.concatenate([p[0] for p in parts])
        first = np.concatenate([np.full(len(p[0]), p[3]) for p in parts])
        starts = np.concatenate([p[1] for p in parts])
        order = np.lexsort((starts, accounts))
        accounts, starts, first = accounts[order], starts[order], first[order]
        return Spans(
            account=accounts,
            start=starts,
            end=np.concatenate([p[2] for p in parts])[order],
            segment=np.where(first, self.first_segment[accounts], self.segment[accounts]),
            owner=np.where(first, self.first_owner[accounts], self.owner[accounts]),
            first_era=first,
        )


@dataclass(frozen=True)
class Lives:
    """Every account's stage spans and the spans derived from them."""

    stage_account: np.ndarray
    stage: np.ndarray
    stage_start: np.ndarray
    stage_end: np.ndarray
    eras: Eras

    def spans(self, stages: tuple[int, ...], *, merge: bool = False) -> Spans:
        """The spans in any of these stages (merged when consecutive), split by era."""
        keep = np.isin(self.stage, stages)
        account, start, end = (
            self.stage_account[keep],
            self.stage_start[keep],
            self.stage_end[keep],
        )
        if merge and len(account):
            # A span that starts where the account's previous one ended continues it.
            continues = np.zeros(len(account), dtype=bool)
            continues[1:] = (account[1:] == account[:-1]) & (start[1:] == end[:-1])
            heads = np.flatnonzero(~continues)
            last = np.append(heads[1:], len(account)) - 1
            account, start, end = account[heads], start[heads], end[last]
        return self.eras.split(account, start, end)

    def customer_periods(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """When each account was a customer, whoever served it: (account, start, end)."""
        whole = Eras(
            handover_day=np.full(len(self.eras.handover_day), -1, dtype=np.int64),
            first_segment=self.eras.first_segment,
            first_owner=self.eras.first_owner,
            segment=self.eras.segment,
            owner=self.eras.owner,
        )
        merged = Lives(self.stage_account, self.stage, self.stage_start, self.stage_end, whole)
        spans = merged.spans((ONBOARDING, ADOPTION, LOYAL, REACTIVATED_STAGE), merge=True)
        return spans.account, spans.start, spans.end

    def customer_spans(self) -> Spans:
        """When each account was a customer: every stage but churned."""
        return self.spans((ONBOARDING, ADOPTION, LOYAL, REACTIVATED_STAGE), merge=True)

    def onboarding_spans(self) -> Spans:
        """When each account was onboarding, first or again after a reactivation."""
        return self.spans((ONBOARDING, REACTIVATED_STAGE))

    def value_spans(self) -> Spans:
        """When each account was onboarded and paying: adoption and loyal, merged."""
        return self.spans((ADOPTION, LOYAL), merge=True)

    def adoption_spans(self) -> Spans:
        """When each account was in the adoption stage."""
        return self.spans((ADOPTION,))


def account_lives(paths: StagePaths, eras: Eras, as_of_day: int) -> Lives:
    """Turn the stage changes into stage spans, each ending where the next begins."""
    account, stage, day = paths.account, paths.to_stage, paths.day
    end = np.full(len(account), as_of_day + 1, dtype=np.int64)
    same = account[1:] == account[:-1]
    end[:-1] = np.where(same, day[1:], as_of_day + 1)
    return Lives(account, stage, day, end, eras)


def churn_day(lives: Lives, accounts: int) -> np.ndarray:
    """The day each account last churned (-1 = it is a customer now)."""
    churned = np.full(accounts, -1, dtype=np.int64)
    last = np.full(accounts, -1, dtype=np.int64)
    last[lives.stage_account] = lives.stage  # the last stage of each account wins
    where = lives.stage == CHURNED_STAGE
    churned[lives.stage_account[where]] = lives.stage_start[where]
    churned[last != CHURNED_STAGE] = -1
    return churned
