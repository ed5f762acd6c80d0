"""The last days of demo usage as raw Segment messages: the active rows' counts spread over
each day, with identify and group calls of the users and accounts seen in those days.

Each active row (a user on a day) becomes its counts of events between its first and last
second: sessions split that stretch evenly, each beginning with its Signed In, and the row's
last event falls on its last second. So the daily rollups drawn from the same rows (events,
users, sessions, last seen) are exactly what rolling these messages up gives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.usage import DemoUsage
from headway.demo.usage_model import EVENTS, SIGNED_IN

TRACK, IDENTIFY, GROUP = 0, 1, 2
MESSAGE_TYPES = ("track", "identify", "group")
# Seconds between an event and its arrival at Headway.
DELIVERY_SECONDS = (1, 90)


@dataclass(frozen=True)
class RawEvents:
    """Raw messages, in the order they happened (their message ids follow it)."""

    type: np.ndarray  # index into MESSAGE_TYPES
    account: np.ndarray
    user: np.ndarray  # index into DemoUsers
    event: np.ndarray  # index into EVENTS; -1 for identify and group
    day: np.ndarray  # day number
    second: np.ndarray  # seconds after midnight UTC
    session: np.ndarray  # session number within the user's day; -1 for identify and group
    delay: np.ndarray  # seconds until Headway received it

    def __len__(self) -> int:
        return len(self.type)

    @property
    def timestamp(self) -> np.ndarray:
        """When each message happened, as datetime64[s]."""
        return (self.day * 86_400 + self.second).astype("datetime64[s]")

    @property
    def received_at(self) -> np.ndarray:
        """When each message arrived, as datetime64[s]."""
        return (self.day * 86_400 + self.second + self.delay).astype("datetime64[s]")


def draw_raw_events(rng: np.random.Generator, usage: DemoUsage) -> RawEvents:
    """Spread the active rows of the raw days into messages."""
    active = usage.active
    rows = np.flatnonzero(active.day >= usage.raw_from_day)
    counts = active.counts[rows]
    kinds = len(EVENTS)
    flat = counts.ravel().astype(np.int64)
    row = np.repeat(np.repeat(rows, kinds), flat)
    event = np.repeat(np.tile(np.arange(kinds), len(rows)), flat)
    sizes = flat[flat > 0]
    nth = np.arange(len(row)) - np.repeat(np.cumsum(sizes) - sizes, sizes)

    first, last = active.first_second[row], active.last_second[row]
    sessions = active.counts[row, SIGNED_IN].astype(np.int64)
    length = (last - first) / sessions
    signed_in = event == SIGNED_IN
    anywhen = first + np.floor(rng.random(len(row)) * (last - first + 1)).astype(np.int64)
    second = np.where(signed_in, first + np.floor(nth * length).astype(np.int64), anywhen)
    second = np.minimum(second, last)
    within = np.floor((second - first) / np.maximum(length, 1)).astype(np.int64)
    session = np.where(signed_in, nth, np.minimum(within, sessions - 1))
    # The row's last message is its last second's (the day's last seen comes from it).
    per_row = counts.sum(axis=1)
    ends = np.cumsum(per_row[per_row > 0]) - 1
    second[ends] = last[ends]
    session[ends] = np.where(signed_in[ends], session[ends], sessions[ends] - 1)

    # Each user seen in these days identifies once, at its first row; each account groups.
    raw_user = active.user[rows]
    first_of_user = rows[np.unique(raw_user, return_index=True)[1]]
    raw_account = active.account[rows]
    first_of_account = rows[np.unique(raw_account, return_index=True)[1]]
    described = np.concatenate([first_of_user, first_of_account])
    kind = np.concatenate(
        [
            np.full(len(row), TRACK),
            np.full(len(first_of_user), IDENTIFY),
            np.full(len(first_of_account), GROUP),
        ]
    )
    every_row = np.concatenate([row, described])
    day = active.day[every_row]
    seconds = np.concatenate([second, active.first_second[described]])
    order = np.lexsort((-kind, seconds, day))  # identify and group before the first event
    return RawEvents(
        type=kind[order],
        account=active.account[every_row][order],
        user=active.user[every_row][order],
        event=np.concatenate([event, np.full(len(described), -1)])[order],
        day=day[order],
        second=seconds[order],
        session=np.concatenate([session, np.full(len(described), -1)])[order],
        delay=rng.integers(*DELIVERY_SECONDS, len(order), endpoint=True),
    )
