"""The demo's daily usage rollups, summed from its active rows (one per user and day).

The same three tables the rollup job writes from raw events: per account and day, per
account, day and event, and the active users (the active rows themselves).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.usage import ActiveDays
from headway.demo.usage_model import EVENTS


@dataclass(frozen=True)
class Groups:
    """Rows of ActiveDays grouped by account and day (a group's rows are consecutive)."""

    start: np.ndarray  # first row of each group
    account: np.ndarray
    day: np.ndarray

    def __len__(self) -> int:
        return len(self.start)


def account_day_groups(active: ActiveDays) -> Groups:
    """The (account, day) groups of active rows."""
    if not len(active):
        empty = np.zeros(0, dtype=np.int64)
        return Groups(empty, empty, empty)
    new = np.r_[
        True, (active.account[1:] != active.account[:-1]) | (active.day[1:] != active.day[:-1])
    ]
    start = np.flatnonzero(new)
    return Groups(start, active.account[start], active.day[start])


@dataclass(frozen=True)
class DailyRollup:
    """Per account and day: events, active users, sessions and the last event's second."""

    account: np.ndarray
    day: np.ndarray
    events: np.ndarray
    active_users: np.ndarray
    sessions: np.ndarray
    last_second: np.ndarray


@dataclass(frozen=True)
class DailyEventRollup:
    """Per account, day and event: how often, by how many users."""

    account: np.ndarray
    day: np.ndarray
    event: np.ndarray  # index into EVENTS
    events: np.ndarray
    users: np.ndarray


def daily_rollup(active: ActiveDays) -> DailyRollup:
    """Roll the active rows up per account and day."""
    groups = account_day_groups(active)
    if not len(groups):
        return DailyRollup(
            groups.account, groups.day, groups.day, groups.day, groups.day, groups.day
        )
    return DailyRollup(
        account=groups.account,
        day=groups.day,
        events=np.add.reduceat(active.events, groups.start),
        active_users=np.diff(np.r_[groups.start, len(active)]),
        sessions=np.add.reduceat(active.sessions, groups.start),
        last_second=np.maximum.reduceat(active.last_second, groups.start),
    )


def daily_event_rollup(active: ActiveDays) -> DailyEventRollup:
    """Roll the active rows up per account, day and event."""
    groups = account_day_groups(active)
    if not len(groups):
        empty = groups.day
        return DailyEventRollup(empty, empty, empty, empty, empty)
    events = np.add.reduceat(active.counts.astype(np.int64), groups.start, axis=0)
    users = np.add.reduceat((active.counts > 0).astype(np.int64), groups.start, axis=0)
    group, event = np.nonzero(events)
    return DailyEventRollup(
        account=groups.account[group],
        day=groups.day[group],
        event=event,
        events=events[group, event],
        users=users[group, event],
    )


def event_names() -> np.ndarray:
    """The event catalogue as an object array, to index by event number."""
    return np.array(EVENTS, dtype=object)
