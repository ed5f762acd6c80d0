"""Support tickets of the demo company: the reactive side, drawn within each customer period.

Volume grows with seats (more people, more questions): high-touch accounts send many tickets a
month, tech-touch ones a few a year, while per seat they are alike. Strain raises it: low
engagement, a failing success, a missed first outcome, waiting for first value, the first weeks
of onboarding and the months before a churn all bring more tickets, more incidents and
problems, higher priorities, slower resolutions, more reopens and worse ratings. Customers
write in their own working hours; agents reply in the support team's business hours (the
seeded Monday–Friday 09:00–17:00 UTC), urgent tickets around the clock. Tickets still open at
as_of are new, open, pending or on hold; solved ones close four days after being solved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.contacts import ADMIN, CHAMPION, DECISION_MAKER, END_USER, DemoContacts
from headway.demo.segments import HIGH_TOUCH
from headway.demo.strain import Drivers
from headway.demo.support_words import TICKET_SUBJECTS, TICKET_TYPES

CHANNELS = ("email", "web", "chat", "phone", "api")
PRIORITIES = ("low", "normal", "high", "urgent")
LOW, NORMAL, HIGH, URGENT = range(4)
STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
NEW, OPEN, PENDING, HOLD, SOLVED, CLOSED = range(6)
QUESTION, INCIDENT, PROBLEM, TASK = range(len(TICKET_TYPES))
# Every subject of every type, flattened: (type, subject, tag).
SUBJECTS = tuple(
    (kind, subject, tag)
    for kind, name in enumerate(TICKET_TYPES)
    for subject, tag in TICKET_SUBJECTS[name]
)

# Tickets per month = scale × seats^exponent × exp(strain × weight) × noise, drawn per block.
BLOCK_DAYS = 28
DAYS_PER_MONTH = 30.44
VOLUME_SCALE, SEAT_EXPONENT = 0.06, 0.9
VOLUME_STRAIN = 0.45
ACCOUNT_SPREAD = 0.35  # lognormal sigma of each account's own ticket habit
BLOCK_NOISE_SHAPE = 3.0  # gamma shape of the month-to-month swing
# Strain = − engagement × w − success × w ± outcome … (roughly standard normal at maturity).
STRAIN_ENGAGEMENT, STRAIN_SUCCESS = 0.55, 0.35
STRAIN_MISSED_OUTCOME, STRAIN_REACHED_OUTCOME = 0.5, -0.2
STRAIN_WAITING_FOR_VALUE = 0.5
STRAIN_ONBOARDING, ONBOARDING_DAYS = 0.6, 60
STRAIN_BEFORE_CHURN = 1.4
CHURN_WINDOW_DAYS = (60, 150)  # tickets rise over these many days before a churn
STRAIN_TYPICAL = 0.4  # subtracted, so a typical ticket's strain is about 0

# Type mix at no strain, and how strain shifts it (log weight per unit of strain).
TYPE_SHARES = np.array([0.45, 0.28, 0.10, 0.17])
TYPE_STRAIN = np.array([0.0, 0.3, 0.5, -0.1])
# Priority: an ordered logit on strain and type; cut points give 20/60/16/4 % at no strain.
PRIORITY_CUTS = np.array([-1.386, 1.386, 3.178])
PRIORITY_STRAIN = 0.4
PRIORITY_TYPE_SHIFT = np.array([-0.4, 0.6, 0.4, -0.6])
# Channel shares by segment (high, mid, tech): email, web, chat, phone, api.
CHANNEL_SHARES = np.array(
    [
        [0.40, 0.22, 0.15, 0.15, 0.08],
        [0.45, 0.28, 0.20, 0.05, 0.02],
        [0.35, 0.35, 0.30, 0.0, 0.0],
    ]
)
# Who writes in, by persona: admins and champions mostly, decision makers rarely.
REQUESTER_WEIGHT = {DECISION_MAKER: 0.1, CHAMPION: 1.0, ADMIN: 1.2, END_USER: 0.6}
# Customers write in their working hours: the UTC hour their day starts (USD, EUR, GBP).
CUSTOMER_DAY_START_HOUR = np.array([13, 7, 8])
CUSTOMER_DAY_HOURS = 9
WEEKEND_MOVED_SHARE = 0.8  # share of weekend tickets that really came in on the Friday

# The support team's business hours (the seeded ones): Monday–Friday, 09:00–17:00 UTC.
OPENS_MINUTE, BUSINESS_DAY_MINUTES = 9 * 60, 8 * 60
BUSINESS_WEEK_MINUTES = 5 * BUSINESS_DAY_MINUTES
# Median first reply in business minutes (urgent: calendar minutes, on call) by priority.
FIRST_REPLY_MEDIAN = np.array([180.0, 90.0, 40.0, 20.0])
FIRST_REPLY_SIGMA, FIRST_REPLY_STRAIN = 0.9, 0.2
# Median resolution in business minutes by type, scaled by priority (urgent: calendar).
RESOLUTION_MEDIAN = np.array([240.0, 480.0, 1_920.0, 720.0])
RESOLUTION_PRIORITY = np.array([1.5, 1.0, 0.6, 0.5])
RESOLUTION_SIGMA, RESOLUTION_STRAIN = 0.8, 0.4
# Agent replies: 1 + Poisson(mean by type × exp(strain × w)), at most MAX_REPLIES.
EXTRA_REPLIES = np.array([0.4, 1.1, 2.2, 0.6])
REPLIES_STRAIN, MAX_REPLIES = 0.25, 6
# Reopens: logistic in strain; a reopen costs 1–5 more business days.
REOPEN_INTERCEPT, REOPEN_STRAIN, REOPEN_PROBLEM = -2.8, 0.6, 0.8
REOPEN_EXTRA_MINUTES = (BUSINESS_DAY_MINUTES, 5 * BUSINESS_DAY_MINUTES)
TWICE_REOPENED_SHARE = 0.2
# A solved ticket closes this many days later; a rating comes with this share of them.
CLOSE_AFTER_DAYS = 4
RATED_SHARE = 0.3
# How a requester felt about the handling (read by the ratings and the surveys after it).
EXPERIENCE_BASE, EXPERIENCE_NOISE = 0.8, 0.6
EXPERIENCE_STRAIN, EXPERIENCE_REOPENED, EXPERIENCE_SLOW, EXPERIENCE_ONE_TOUCH = 0.4, 0.9, 0.45, 0.3
GOOD_INTERCEPT, GOOD_SLOPE = 1.3, 1.1
SATISFACTION = ("bad", "good")


@dataclass(frozen=True)
class DemoTickets:
    """Tickets of the demo company (arrays, one entry per ticket), by creation time."""

    account: np.ndarray
    contact: np.ndarray  # index into DemoContacts: the requester
    subject: np.ndarray  # index into SUBJECTS
    type: np.ndarray  # index into TICKET_TYPES
    channel: np.ndarray  # index into CHANNELS
    priority: np.ndarray  # index into PRIORITIES
    status: np.ndarray  # index into STATUSES, as of as_of
    created_at: np.ndarray  # datetime64[s]
    first_reply_at: np.ndarray  # datetime64[s]; NaT = no reply yet
    solved_at: np.ndarray  # datetime64[s]; NaT = not solved yet
    closed_at: np.ndarray  # datetime64[s]; NaT = not closed yet
    agent_replies: np.ndarray
    reopens: np.ndarray
    satisfaction: np.ndarray  # -1 = not rated, else index into SATISFACTION
    vip: np.ndarray  # bool: a high-touch account's (tagged "vip")
    strain: np.ndarray  # the account's strain when it wrote in
    experience: np.ndarray  # how the handling felt, roughly standard normal

    def __len__(self) -> int:
        return len(self.account)

    @property
    def external_id(self) -> np.ndarray:
        """demo:T1, demo:T2 … in order of creation."""
        return np.array([f"demo:T{i + 1}" for i in range(len(self))], dtype=object)


@dataclass(frozen=True)
class Seats:
    """Seats licensed by each paid (non add-on) subscription, sorted by account."""

    account: np.ndarray
    start: np.ndarray  # day number
    end: np.ndarray  # day number, exclusive; -1 = ongoing
    quantity: np.ndarray


def business_position(seconds: np.ndarray) -> np.ndarray:
    """Business minutes elapsed at each moment, counted from a Monday long ago."""
    day, second = np.divmod(seconds, 86_400)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
    week = (day + 3) // 7
    within = np.clip(second / 60 - OPENS_MINUTE, 0, BUSINESS_DAY_MINUTES)
    passed_days = np.minimum(weekday, 5)
    return (
        week * BUSINESS_WEEK_MINUTES
        + passed_days * BUSINESS_DAY_MINUTES
        + np.where(weekday < 5, within, 0)
    )


def moment_of_position(position: np.ndarray) -> np.ndarray:
    """The moment (seconds since 1970) at a business position: inverse of business_position."""
    week, rest = np.divmod(position, BUSINESS_WEEK_MINUTES)
    weekday = np.minimum(rest // BUSINESS_DAY_MINUTES, 4)
    minute = rest - weekday * BUSINESS_DAY_MINUTES
    day = week * 7 - 3 + weekday
    return np.round(day * 86_400 + (OPENS_MINUTE + minute) * 60).astype(np.int64)


def strain_of(
    drivers: Drivers, period: np.ndarray, day: np.ndarray, window: np.ndarray
) -> np.ndarray:
    """Each account's strain on a day of one of its customer periods."""
    account = drivers.period_account[period]
    tenure = drivers.tenure(period, day)
    return (
        -STRAIN_ENGAGEMENT * drivers.engagement_z[account]
        - STRAIN_SUCCESS * drivers.success_z[account]
        + np.select(
            [
                drivers.outcome_standing(account, day) < 0,
                drivers.outcome_standing(account, day) > 0,
            ],
            [STRAIN_MISSED_OUTCOME, STRAIN_REACHED_OUTCOME],
            0.0,
        )
        + STRAIN_WAITING_FOR_VALUE * (drivers.waiting_for_value(account, day) & (tenure > 30))
        + STRAIN_ONBOARDING * np.clip(1 - tenure / ONBOARDING_DAYS, 0, 1)
        + STRAIN_BEFORE_CHURN * drivers.churn_approach(period, day, window)
        - STRAIN_TYPICAL
    )


def _blocks(drivers: Drivers, first_day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stretches of customer days cut at every BLOCK_DAYS: (period, first day, end day)."""
    start = np.maximum(drivers.period_start, first_day)
    end = np.minimum(drivers.period_end, drivers.as_of_day)
    keep = np.flatnonzero(end > start)
    first_block = (start[keep] - first_day) // BLOCK_DAYS
    last_block = (end[keep] - 1 - first_day) // BLOCK_DAYS
    count = last_block - first_block + 1
    period = np.repeat(keep, count)
    block = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    block += np.repeat(first_block, count)
    lo = np.maximum(first_day + block * BLOCK_DAYS, start[period])
    hi = np.minimum(first_day + (block + 1) * BLOCK_DAYS, end[period])
    return period, lo, hi


def _seats_on(seats: Seats, account: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Seats licensed by each account on a day (rows sorted by account)."""
    lo = np.searchsorted(account, seats.account, side="left")
    hi = np.searchsorted(account, seats.account, side="right")
    count = hi - lo
    sub = np.repeat(np.arange(len(seats.account)), count)
    row = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    row += np.repeat(lo, count)
    end = np.where(seats.end[sub] >= 0, seats.end[sub], np.iinfo(np.int64).max)
    active = (seats.start[sub] <= day[row]) & (day[row] < end)
    return np.bincount(row[active], weights=seats.quantity[sub][active], minlength=len(account))


def _choose(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One column index per row, with probability proportional to the row's weights."""
    cumulative = np.cumsum(weights, axis=1)
    target = rng.random(len(weights)) * cumulative[:, -1]
    return np.minimum((cumulative < target[:, None]).sum(axis=1), weights.shape[1] - 1)


def _requesters(
    rng: np.random.Generator, contacts: DemoContacts, account: np.ndarray, created: np.ndarray
) -> np.ndarray:
    """A contact of each ticket's account, by persona; the first contact when the drawn one
    was not known yet."""
    weight = np.array([REQUESTER_WEIGHT[p] for p in range(4)])[contacts.persona]
    cumulative = np.cumsum(weight)
    first = np.searchsorted(contacts.account, account, side="left")
    last = np.searchsorted(contacts.account, account, side="right")
    before = np.where(first > 0, cumulative[np.maximum(first - 1, 0)], 0.0)
    total = cumulative[last - 1] - before
    target = before + rng.random(len(account)) * total
    chosen = np.clip(np.searchsorted(cumulative, target, side="right"), first, last - 1)
    known = contacts.created_at[chosen] <= created
    return np.where(known, chosen, first)


def draw_tickets(
    rng: np.random.Generator,
    *,
    drivers: Drivers,
    seats: Seats,
    segment: np.ndarray,
    currency: np.ndarray,
    contacts: DemoContacts,
    first_day: int,
) -> DemoTickets:
    """Draw every account's tickets over its customer periods up to as_of."""
    n_accounts = len(segment)
    habit = rng.normal(0, ACCOUNT_SPREAD, n_accounts)
    window = rng.integers(*CHURN_WINDOW_DAYS, len(drivers.period_account), endpoint=True)

    period, lo, hi = _blocks(drivers, first_day)
    account = drivers.period_account[period]
    middle = (lo + hi) // 2
    licensed = np.maximum(_seats_on(seats, account, middle), 1)
    expected = (
        VOLUME_SCALE
        * licensed**SEAT_EXPONENT
        * (hi - lo)
        / DAYS_PER_MONTH
        * np.exp(
            VOLUME_STRAIN * strain_of(drivers, period, middle, window[period]) + habit[account]
        )
        * rng.gamma(BLOCK_NOISE_SHAPE, 1 / BLOCK_NOISE_SHAPE, len(period))
    )
    count = rng.poisson(expected)
    block = np.repeat(np.arange(len(period)), count)
    total = len(block)

    day = lo[block] + np.floor(rng.random(total) * (hi - lo)[block]).astype(np.int64)
    weekday = (day + 3) % 7
    moved = (weekday >= 5) & (rng.random(total) < WEEKEND_MOVED_SHARE)
    day = np.where(moved, np.maximum(day - (weekday - 4), lo[block]), day)
    account = account[block]
    hour = CUSTOMER_DAY_START_HOUR[currency[account]] + rng.random(total) * CUSTOMER_DAY_HOURS
    created = day * 86_400 + np.round(hour * 3_600).astype(np.int64)
    order = np.argsort(created, kind="stable")
    block, day, account, created = block[order], day[order], account[order], created[order]
    strain = strain_of(drivers, period[block], day, window[period[block]])

    shares = TYPE_SHARES * np.exp(np.outer(strain, TYPE_STRAIN))
    kind = _choose(rng, shares)
    latent = PRIORITY_STRAIN * strain + PRIORITY_TYPE_SHIFT[kind] + rng.logistic(size=total)
    priority = np.searchsorted(PRIORITY_CUTS, latent)
    subject = _subjects(rng, kind)
    channel = _choose(rng, CHANNEL_SHARES[segment[account]])

    urgent = priority == URGENT
    reply_minutes = FIRST_REPLY_MEDIAN[priority] * np.exp(
        FIRST_REPLY_STRAIN * strain + FIRST_REPLY_SIGMA * rng.standard_normal(total)
    )
    replies = np.minimum(
        1 + rng.poisson(EXTRA_REPLIES[kind] * np.exp(REPLIES_STRAIN * strain)), MAX_REPLIES
    )
    reopen_odds = REOPEN_INTERCEPT + REOPEN_STRAIN * strain + REOPEN_PROBLEM * (kind == PROBLEM)
    reopens = (rng.random(total) < 1 / (1 + np.exp(-reopen_odds))).astype(np.int64)
    reopens += reopens * (rng.random(total) < TWICE_REOPENED_SHARE)
    replies = np.minimum(replies + reopens, MAX_REPLIES)
    work = RESOLUTION_MEDIAN[kind] * RESOLUTION_PRIORITY[priority]
    work = work * np.exp(RESOLUTION_STRAIN * strain + RESOLUTION_SIGMA * rng.standard_normal(total))
    work = work + reopens * rng.uniform(*REOPEN_EXTRA_MINUTES, total)
    # One reply that solves it: solved when the requester confirms, within the hour.
    work = np.where((replies == 1) & (reopens == 0), reply_minutes + rng.random(total) * 60, work)
    work = np.maximum(work, reply_minutes + 1)

    at_work = business_position(created)
    first_reply = np.where(
        urgent,
        created + np.round(reply_minutes * 60).astype(np.int64),
        moment_of_position(at_work + reply_minutes),
    )
    solved = np.where(
        urgent,
        created + np.round(work * 60).astype(np.int64),
        moment_of_position(at_work + work),
    )
    solved = np.maximum(solved, first_reply)

    hours_open = (solved - created) / 3_600
    experience = (
        EXPERIENCE_BASE
        - EXPERIENCE_STRAIN * strain
        - EXPERIENCE_REOPENED * (reopens > 0)
        - EXPERIENCE_SLOW * np.log2(1 + hours_open / 24)
        + EXPERIENCE_ONE_TOUCH * ((replies == 1) & (reopens == 0))
        + EXPERIENCE_NOISE * rng.standard_normal(total)
    )
    rated = rng.random(total) < RATED_SHARE
    good = rng.random(total) < 1 / (1 + np.exp(-(GOOD_INTERCEPT + GOOD_SLOPE * experience)))

    cutoff = drivers.as_of_day * 86_400
    waiting = rng.random(total)
    replied, done = first_reply < cutoff, solved < cutoff
    closed = solved + CLOSE_AFTER_DAYS * 86_400
    status = np.select(
        [closed < cutoff, done, ~replied, waiting < 0.45, waiting < 0.9],
        [CLOSED, SOLVED, NEW, PENDING, OPEN],
        HOLD,
    )
    # Replies so far: none before the first, and the last (solving) one still to come.
    replies = np.where(done, replies, np.where(replied, np.maximum(replies - 1, 1), 0))
    never = np.datetime64("NaT")
    return DemoTickets(
        account=account,
        contact=_requesters(rng, contacts, account, created.astype("datetime64[s]")),
        subject=subject,
        type=kind,
        channel=channel,
        priority=priority,
        status=status,
        created_at=created.astype("datetime64[s]"),
        first_reply_at=np.where(replied, first_reply.astype("datetime64[s]"), never),
        solved_at=np.where(done, solved.astype("datetime64[s]"), never),
        closed_at=np.where(closed < cutoff, closed.astype("datetime64[s]"), never),
        agent_replies=replies.astype(np.int64),
        reopens=np.where(done, reopens, 0).astype(np.int64),
        satisfaction=np.where(done & rated, good.astype(np.int64), -1),
        vip=segment[account] == HIGH_TOUCH,
        strain=strain,
        experience=experience,
    )


def _subjects(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    """A subject of each ticket's type (index into SUBJECTS)."""
    kinds = np.array([s[0] for s in SUBJECTS])
    first = np.searchsorted(kinds, kind, side="left")
    count = np.searchsorted(kinds, kind, side="right") - first
    return first + np.floor(rng.random(len(kind)) * count).astype(np.int64)
