"""The demo company's product users and their usage, day by day, for the database.

Each account has as many users as the most seats it licensed. User k of an account is
licensed while the account has more than k seats, and has taken the product up while the
account's engaged share (usage_model) is above the user's own threshold; so both how many use
it and how much they do follow the account's life. A user's chance to be active on a day
follows its own propensity, the account's intensity and the weekday. The account's first
"Report Created" (the default value event) falls on the day it reached first value, by its
first user. Some users are the account's contacts (the champion most often), the others have
emails at the account's domain too.

What is drawn here is one row per user active on a day with its counts of each event: the
daily rollups are sums of those rows, and the raw events of the last days are those counts
spread over the day (raw_events.py), so rollups and raw events agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.company import DemoCompany, stream
from headway.demo.contacts import ADMIN, CHAMPION, DECISION_MAKER, END_USER
from headway.demo.usage_model import (
    AFTER_ONBOARDING,
    EVENT_RATES,
    ONBOARDING_BOOST,
    ONBOARDING_DAYS,
    REPORT_CREATED,
    SIGNED_IN,
    UsageProfiles,
    account_days,
    profiles_of,
)
from headway.demo.words import FIRST_NAMES, LAST_NAMES

# Users drawn at once: a (users × days) table of chances is the largest array.
USERS_PER_CHUNK = 4_000
# Chance a typical engaged user is active on a weekday at typical intensity; users who have
# not taken the product up still sign in now and then.
ACTIVE_CHANCE = 0.06
LURKER_CHANCE = 0.004
MAX_CHANCE = 0.9
PROPENSITY_SIGMA = 0.6
EXTRA_SESSIONS = 0.15
# Chance a contact is also a user of the product, by persona.
CONTACT_USER_SHARE = {DECISION_MAKER: 0.35, CHAMPION: 0.9, ADMIN: 0.8, END_USER: 0.6}
# Contacts who use the product take the first seats: champions first, decision makers last.
CONTACT_SEAT_ORDER = {CHAMPION: 0, ADMIN: 1, END_USER: 2, DECISION_MAKER: 3}
# A working session: minutes per session, and the hours after the workday starts it begins.
SESSION_MINUTES = (5, 50)
WORKDAY_HOURS = 9
LAST_SECOND = 86_399
# Days at the end of the history kept as raw events as well as rolled up.
RAW_DAYS = 30


@dataclass(frozen=True)
class DemoUsers:
    """Users of the product at the demo customers, by account then seat."""

    account: np.ndarray
    seat: np.ndarray  # k: licensed while the account has more than k seats
    user_id: np.ndarray  # object (str)
    email: np.ndarray  # object (str)
    name: np.ndarray  # object (str)
    title: np.ndarray  # object (str or None)
    contact: np.ndarray  # index into the company's contacts; -1 = not a contact
    threshold: np.ndarray  # uses the product while the engaged share is above this
    propensity: np.ndarray  # how active, 1 = typical

    def __len__(self) -> int:
        return len(self.account)


@dataclass(frozen=True)
class ActiveDays:
    """One row per user active on a day, by account, day and user."""

    account: np.ndarray
    day: np.ndarray  # day number
    user: np.ndarray  # index into DemoUsers
    counts: np.ndarray  # (rows, len(EVENTS)): times each event was sent; Signed In = sessions
    first_second: np.ndarray  # the day's first event, seconds after midnight UTC
    last_second: np.ndarray  # the day's last event

    def __len__(self) -> int:
        return len(self.account)

    @property
    def events(self) -> np.ndarray:
        """Events per row."""
        return self.counts.sum(axis=1)

    @property
    def sessions(self) -> np.ndarray:
        """Sessions per row: each begins with a Signed In."""
        return self.counts[:, SIGNED_IN]


@dataclass(frozen=True)
class DemoUsage:
    """The users and their active days over the history (days up to the day before as_of)."""

    first_day: int
    last_day: int
    raw_from_day: int  # the first day also kept as raw events
    users: DemoUsers
    active: ActiveDays


def draw_usage(company: DemoCompany) -> DemoUsage:
    """Draw the users and usage of a demo company: the same company, the same usage."""
    profiles = profiles_of(company)
    users = draw_users(stream(company.seed, "usage users"), company, profiles)
    active = draw_active_days(stream(company.seed, "usage days"), profiles, users)
    return DemoUsage(
        first_day=profiles.first_day,
        last_day=profiles.last_day,
        raw_from_day=max(profiles.first_day, profiles.last_day - RAW_DAYS + 1),
        users=users,
        active=active,
    )


def most_seats(profiles: UsageProfiles) -> np.ndarray:
    """The most seats each account licensed at once (at least one)."""
    account = np.concatenate([profiles.seat_account, profiles.seat_account])
    day = np.concatenate([profiles.seat_start, profiles.seat_end])
    change = np.concatenate([profiles.seat_quantity, -profiles.seat_quantity])
    order = np.lexsort((change, day, account))  # a day's ends before its starts
    account, change = account[order], change[order]
    # Every start has its end, so each account's changes add up to nothing: one running total
    # across accounts is each account's own.
    seats = np.ones(len(profiles), dtype=np.int64)
    np.maximum.at(seats, account, np.cumsum(change))
    return seats


def user_id_of(account: np.ndarray, seat: np.ndarray) -> list[str]:
    """The product's user id of each user: opaque to Headway, stable per account and seat."""
    return [
        f"usr_{a + 1:06d}_{s + 1:04d}" for a, s in zip(account.tolist(), seat.tolist(), strict=True)
    ]


def draw_users(
    rng: np.random.Generator, company: DemoCompany, profiles: UsageProfiles
) -> DemoUsers:
    """One user per seat the account ever licensed; contacts who use the product first."""
    per_account = most_seats(profiles)
    total = int(per_account.sum())
    account = np.repeat(np.arange(len(per_account)), per_account)
    first_user = np.cumsum(per_account) - per_account
    seat = np.arange(total) - first_user[account]

    contacts = company.contacts
    share = np.array([CONTACT_USER_SHARE[p] for p in range(4)])
    order_of = np.array([CONTACT_SEAT_ORDER[p] for p in range(4)])
    using = np.flatnonzero(rng.random(len(contacts)) < share[contacts.persona])
    using = using[np.lexsort((order_of[contacts.persona[using]], contacts.account[using]))]
    using_account = contacts.account[using]
    heads = np.flatnonzero(np.r_[True, using_account[1:] != using_account[:-1]])
    rank = np.arange(len(using)) - np.repeat(heads, np.diff(np.r_[heads, len(using)]))
    fits = rank < per_account[using_account]
    contact = np.full(total, -1, dtype=np.int64)
    contact[first_user[using_account[fits]] + rank[fits]] = using[fits]

    first = np.array(FIRST_NAMES, dtype=object)[rng.integers(0, len(FIRST_NAMES), total)]
    last = np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), total)]
    local = np.array(
        [f"{f[0]}{la}".lower() for f, la in zip(first.tolist(), last.tolist(), strict=True)],
        dtype=object,
    )
    number = _repeat_number(account, local)
    domain = company.accounts.domain[account]
    email = np.array(
        [
            f"{name}{n + 1 if n else ''}@{d}"
            for name, n, d in zip(local.tolist(), number.tolist(), domain.tolist(), strict=True)
        ],
        dtype=object,
    )
    name = first + " " + last
    title = np.full(total, None, dtype=object)
    is_contact = contact >= 0
    email[is_contact] = contacts.email[contact[is_contact]]
    name[is_contact] = contacts.name[contact[is_contact]]
    title[is_contact] = contacts.title[contact[is_contact]]

    # Early seats take the product up first: thresholds rise with the seat, jittered.
    position = (seat + rng.random(total)) / per_account[account]
    threshold = np.clip(0.7 * position + 0.3 * rng.random(total), 0, 1)
    propensity = rng.lognormal(-(PROPENSITY_SIGMA**2) / 2, PROPENSITY_SIGMA, total)
    return DemoUsers(
        account=account,
        seat=seat,
        user_id=np.array(user_id_of(account, seat), dtype=object),
        email=email,
        name=name,
        title=title,
        contact=contact,
        threshold=threshold,
        propensity=propensity,
    )


def _repeat_number(account: np.ndarray, key: np.ndarray) -> np.ndarray:
    """0 for the first user of an account with a key, 1 for the second, …"""
    codes = np.unique(key, return_inverse=True)[1]
    order = np.lexsort((np.arange(len(key)), codes, account))
    sorted_account, sorted_code = account[order], codes[order]
    starts = np.r_[
        True, (sorted_account[1:] != sorted_account[:-1]) | (sorted_code[1:] != sorted_code[:-1])
    ]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(key)), 0))
    number = np.empty(len(key), dtype=np.int64)
    number[order] = np.arange(len(key)) - group_start
    return number


def _chunks(per_account: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive ranges of accounts with about USERS_PER_CHUNK users each."""
    bounds, users, low = [], 0, 0
    for account, count in enumerate(per_account.tolist()):
        users += count
        if users >= USERS_PER_CHUNK:
            bounds.append((low, account + 1))
            low, users = account + 1, 0
    if low < len(per_account):
        bounds.append((low, len(per_account)))
    return bounds


def draw_active_days(
    rng: np.random.Generator, profiles: UsageProfiles, users: DemoUsers
) -> ActiveDays:
    """Draw which users were active on which days, and what they did."""
    per_account = np.bincount(users.account, minlength=len(profiles))
    first_user = np.cumsum(per_account) - per_account
    count = profiles.last_day - profiles.first_day + 1
    bounds = np.r_[first_user, len(users)]
    parts = [
        _draw_chunk(rng, profiles, users, low, high, slice(bounds[low], bounds[high]), count)
        for low, high in _chunks(per_account)
    ]
    joined = [np.concatenate([part[i] for part in parts]) for i in range(6)]
    account, day, user, counts, first_second, last_second = joined
    order = np.lexsort((user, day, account))
    return ActiveDays(
        account=account[order],
        day=day[order],
        user=user[order],
        counts=counts[order],
        first_second=first_second[order],
        last_second=last_second[order],
    )


def _draw_chunk(
    rng: np.random.Generator,
    profiles: UsageProfiles,
    users: DemoUsers,
    low: int,
    high: int,
    chunk: slice,
    count: int,
) -> tuple[np.ndarray, ...]:
    days = account_days(profiles, low, high, profiles.first_day, count)
    row = users.account[chunk] - low
    seat = users.seat[chunk]
    propensity = users.propensity[chunk]
    # (users × days) tables, float32 and in place: they are the bulk of the work.
    busy = days.intensity * days.weekday
    chance = busy[row] * (ACTIVE_CHANCE * propensity).astype(np.float32)[:, None]
    np.minimum(chance, MAX_CHANCE, out=chance)
    idle = users.threshold[chunk][:, None] >= days.engaged[row]
    np.copyto(chance, LURKER_CHANCE * days.weekday[None, :], where=idle)
    unlicensed = seat[:, None] >= days.seats[row]
    chance[unlicensed] = 0
    # The account's first user reaches first value on its day: it is active then.
    value_column = profiles.value_day[low:high] - days.first_day
    on_value = (seat == 0) & (value_column[row] >= 0) & (value_column[row] < count)
    value_user, value_col = np.flatnonzero(on_value), value_column[row[on_value]]
    chance[value_user, value_col] = np.where(unlicensed[value_user, value_col], 0.0, 1.0)

    user_index, column = np.nonzero(rng.random(chance.shape, dtype=np.float32) < chance)
    account_row = row[user_index]
    account = account_row + low
    day = days.first_day + column
    # Active users are the keener ones already: what they do grows slower than how often.
    strength = np.sqrt(propensity[user_index] * days.intensity[account_row, column])
    onboarding = days.tenure[account_row, column] < ONBOARDING_DAYS
    rates = EVENT_RATES[None, :] * np.where(
        onboarding[:, None], ONBOARDING_BOOST[None, :], AFTER_ONBOARDING[None, :]
    )
    counts = rng.poisson(rates * strength[:, None]).astype(np.int32)
    counts[:, SIGNED_IN] = 1 + rng.poisson(EXTRA_SESSIONS * strength)
    counts[day < profiles.value_day[account], REPORT_CREATED] = 0
    reaching = (seat[user_index] == 0) & (day == profiles.value_day[account])
    counts[reaching, REPORT_CREATED] = np.maximum(counts[reaching, REPORT_CREATED], 1)

    sessions = counts[:, SIGNED_IN]
    first_second = profiles.workday_start[account] * 3_600 + rng.integers(
        0, WORKDAY_HOURS * 3_600, len(day)
    )
    minutes = rng.integers(*SESSION_MINUTES, len(day), endpoint=True)
    last_second = np.minimum(first_second + sessions * minutes * 60, LAST_SECOND)
    first_second = np.minimum(first_second, last_second)
    return (
        account.astype(np.int64),
        day.astype(np.int64),
        (user_index + chunk.start).astype(np.int64),
        counts,
        first_second.astype(np.int64),
        last_second.astype(np.int64),
    )
