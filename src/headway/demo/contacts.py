"""People at the demo customers: 2–6 per account, more at large ones, each with a persona."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.segments import HIGH_TOUCH, TECH_TOUCH
from headway.demo.words import FIRST_NAMES, LAST_NAMES, TITLES_BY_PERSONA

PERSONAS = ("decision_maker", "champion", "admin", "end_user")
DECISION_MAKER, CHAMPION, ADMIN, END_USER = range(4)
# Small companies' decision makers are their founders: the first titles of the list.
SMALL_COMPANY_TITLES = 2
# Mean days after the account's first contact that later contacts become known.
LATER_CONTACT_DAYS = 120


@dataclass(frozen=True)
class DemoContacts:
    """Contacts of the demo company (arrays, one entry per contact), by account."""

    account: np.ndarray
    external_id: np.ndarray  # object (str)
    email: np.ndarray  # object (str)
    name: np.ndarray  # object (str)
    title: np.ndarray  # object (str)
    persona: np.ndarray  # index into PERSONAS
    created_at: np.ndarray  # datetime64[s]

    def __len__(self) -> int:
        return len(self.account)


def contact_counts(rng: np.random.Generator, segment: np.ndarray, seats: np.ndarray) -> np.ndarray:
    """How many contacts each account has: 2–6, and 4–10 at high-touch accounts."""
    small = np.clip(2 + rng.poisson(0.4 + 0.5 * np.log10(np.maximum(seats, 1))), 2, 6)
    large = np.clip(4 + rng.poisson(2.5, len(segment)), 4, 10)
    return np.where(segment == HIGH_TOUCH, large, small).astype(np.int64)


def draw_contacts(
    rng: np.random.Generator,
    *,
    counts: np.ndarray,
    segment: np.ndarray,
    domain: np.ndarray,
    account_created: np.ndarray,
    as_of: np.datetime64,
) -> DemoContacts:
    """Draw every account's contacts with unique emails at the account's domain."""
    account = np.repeat(np.arange(len(counts)), counts)
    total = len(account)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    position = np.arange(total) - np.repeat(offsets, counts)

    persona = np.full(total, END_USER, dtype=np.int64)
    persona[position == 0] = DECISION_MAKER
    persona[position == 1] = CHAMPION
    persona[(position == 2) & (rng.random(total) < 0.75)] = ADMIN
    # Large accounts often have a second champion in another team.
    persona[(position == 3) & (segment[account] == HIGH_TOUCH) & (rng.random(total) < 0.5)] = (
        CHAMPION
    )

    title = np.empty(total, dtype=object)
    for key, name in enumerate(PERSONAS):
        titles = TITLES_BY_PERSONA[name]
        where = np.flatnonzero(persona == key)
        small = segment[account[where]] == TECH_TOUCH
        low = np.where(small | (key != DECISION_MAKER), 0, SMALL_COMPANY_TITLES)
        high = np.where(small & (key == DECISION_MAKER), SMALL_COMPANY_TITLES, len(titles))
        pick = low + np.floor(rng.random(len(where)) * (high - low)).astype(np.int64)
        title[where] = np.array(titles, dtype=object)[pick]

    first = rng.integers(0, len(FIRST_NAMES), total)
    last = rng.integers(0, len(LAST_NAMES), total)
    duplicate = _repeat_number(account, first * len(LAST_NAMES) + last)
    first_names, last_names = np.array(FIRST_NAMES, object), np.array(LAST_NAMES, object)
    names, emails = [], []
    for f, la, dup, dom in zip(
        first_names[first].tolist(),
        last_names[last].tolist(),
        duplicate.tolist(),
        domain[account].tolist(),
        strict=True,
    ):
        names.append(f"{f} {la}")
        emails.append(f"{f}.{la}{dup + 1 if dup else ''}@{dom}".lower())

    # The first contact is the account's first contact; the others come to be known later.
    later = (rng.exponential(LATER_CONTACT_DAYS, total) * 86_400).astype("timedelta64[s]")
    created = account_created[account] + np.where(position == 0, np.timedelta64(0, "s"), later)
    created = np.minimum(created, as_of)
    return DemoContacts(
        account=account,
        external_id=np.array([f"DEMO-C-{i + 1:07d}" for i in range(total)], dtype=object),
        email=np.array(emails, dtype=object),
        name=np.array(names, dtype=object),
        title=title,
        persona=persona,
        created_at=created,
    )


def _repeat_number(account: np.ndarray, key: np.ndarray) -> np.ndarray:
    """0 for the first contact of an account with a name, 1 for the second namesake, …"""
    order = np.lexsort((np.arange(len(key)), key, account))
    sorted_account, sorted_key = account[order], key[order]
    starts = np.ones(len(key), dtype=bool)
    starts[1:] = (sorted_account[1:] != sorted_account[:-1]) | (sorted_key[1:] != sorted_key[:-1])
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(key)), 0))
    number = np.empty(len(key), dtype=np.int64)
    number[order] = np.arange(len(key)) - group_start
    return number
