"""How much each demo customer uses the product, day by day: what usage is drawn from.

Usage follows the latent variables the rest of the company follows. Engagement and success
(engagement plus the onboarding CSM's care) set the share of seats that take the product up
and how much their users do. Usage stays low until the account reaches first value and ramps
up after it; it rises once the first expected outcome is reached and falls when it is missed;
it declines in the months before each churn and stops at the churn until a reactivation.
A slow drift and a few dips that recover keep healthy accounts from looking perfectly smooth,
so usage predicts churn well, but not perfectly.

Both usage generators draw from the same per-account, per-day figures (`account_days`): the
database demo user by user (usage.py), the benchmark files event by event (events.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.company import CustomerBase, DemoCompany, day_number, history_start, stream
from headway.demo.success import NEVER

EVENTS = (
    "Signed In",
    "Dashboard Viewed",
    "Report Created",
    "Report Shared",
    "Alert Configured",
    "Integration Connected",
    "Export Downloaded",
    "User Invited",
)
(
    SIGNED_IN,
    DASHBOARD_VIEWED,
    REPORT_CREATED,
    REPORT_SHARED,
    ALERT_CONFIGURED,
    INTEGRATION_CONNECTED,
    EXPORT_DOWNLOADED,
    USER_INVITED,
) = range(len(EVENTS))
# The default scorecard's key event and the default TTFV value event: an account's first one
# is its first value.
KEY_EVENT = EVENTS[REPORT_CREATED]
# Mean times per active user and day at typical intensity; Signed In counts the sessions.
EVENT_RATES = np.array([0.0, 1.0, 0.6, 0.1, 0.04, 0.01, 0.15, 0.02])
# In the first ONBOARDING_DAYS of a customer period, setting up is most of the work.
ONBOARDING_DAYS = 60
ONBOARDING_BOOST = np.array([1.0, 1.0, 1.0, 1.0, 2.0, 12.0, 1.0, 8.0])
AFTER_ONBOARDING = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.3, 1.0, 0.7])
# Activity by weekday, Monday first: a working tool, quiet at weekends.
WEEKDAY_FACTOR = np.array([1.0, 1.08, 1.05, 1.0, 0.85, 0.12, 0.08], dtype=np.float32)

# Share of seats taken up at maturity: logistic in engagement and success, clipped.
ADOPTION_INTERCEPT, ADOPTION_ENGAGEMENT, ADOPTION_SUCCESS, ADOPTION_NOISE = 0.35, 0.9, 0.5, 0.45
ADOPTION_RANGE = (0.06, 0.95)
INTENSITY_ENGAGEMENT, INTENSITY_SUCCESS, INTENSITY_NOISE = 0.25, 0.2, 0.25
# Before first value a few users try it out; after it usage ramps up over about a month.
BEFORE_VALUE_LEVEL = 0.25
RAMP_DAYS = 25.0
NEVER_VALUE_FADE_DAYS = 240.0
REACTIVATED_LEVEL = 0.5
OUTCOME_REACHED_FACTOR, OUTCOME_MISSED_FACTOR = 1.15, 0.75
# Before a churn: a decline over these many days to 1 − depth of the usual level.
CHURN_DECLINE_DAYS = (45, 120)
CHURN_DECLINE_DEPTH = (0.55, 0.95)
# Some accounts dip for a while and recover (a reorganisation, a holiday season).
RECOVERING_DIP_SHARE = 0.3
RECOVERING_DIP_DAYS = (30, 90)
RECOVERING_DIP_DEPTH = (0.3, 0.7)
# A slow mean-reverting drift of each account's level, one knot every DRIFT_DAYS.
DRIFT_DAYS = 28
DRIFT_KEEP, DRIFT_STEP = 0.8, 0.2
# engagement = logistic(ENGAGEMENT_LOGIT_SCALE × z) in company.py.
ENGAGEMENT_LOGIT_SCALE = 1.7
# Hour (UTC) the working day starts, by the currency an account pays in (USD, EUR, GBP).
WORKDAY_START_HOUR = np.array([13, 7, 8])


@dataclass(frozen=True)
class UsageProfiles:
    """What each account's usage follows; per-account arrays, and rows sorted by account."""

    first_day: int  # day number of the first day with usage (the history's first)
    last_day: int  # day number of the last day with usage (the day before as_of)
    adoption: np.ndarray  # share of seats taken up at maturity
    intensity: np.ndarray  # how much an engaged user does, 1 = typical
    value_day: np.ndarray  # first value (success.NEVER = never)
    outcome_day: np.ndarray
    outcome_reached: np.ndarray
    workday_start: np.ndarray  # UTC hour
    drift: np.ndarray  # (accounts, knots): log level
    # Subscriptions (trials and add-ons included): seats licensed from start to end.
    seat_account: np.ndarray
    seat_start: np.ndarray
    seat_end: np.ndarray  # exclusive; NEVER = ongoing
    seat_quantity: np.ndarray
    # Customer periods, from a start (or a reactivation) to a churn (or after as_of).
    period_account: np.ndarray
    period_start: np.ndarray
    period_end: np.ndarray
    period_first: np.ndarray  # bool: the account's first period
    # Declines before each churn, and dips that recover.
    dip_account: np.ndarray
    dip_start: np.ndarray
    dip_end: np.ndarray
    dip_depth: np.ndarray
    dip_recovers: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.adoption)


@dataclass(frozen=True)
class AccountDays:
    """Per account (rows) and day (columns) of one stretch: what its users do."""

    first_day: int
    seats: np.ndarray  # licensed seats (0 = not a customer)
    engaged: np.ndarray  # share of seats whose users use the product
    intensity: np.ndarray  # how much an engaged user does
    tenure: np.ndarray  # days since the customer period began (-1 = not a customer)
    weekday: np.ndarray  # per column: WEEKDAY_FACTOR of the day

    @property
    def days(self) -> np.ndarray:
        """Day numbers of the columns."""
        return self.first_day + np.arange(self.seats.shape[1], dtype=np.int64)


def weekday_of(days: np.ndarray) -> np.ndarray:
    """Monday = 0 … Sunday = 6 of day numbers (1970-01-01 was a Thursday)."""
    return (days + 3) % 7


def draw_profiles(
    rng: np.random.Generator,
    *,
    first_day: int,
    last_day: int,
    engagement_z: np.ndarray,
    success_z: np.ndarray,
    value_day: np.ndarray,
    outcome_day: np.ndarray,
    outcome_reached: np.ndarray,
    currency: np.ndarray,
    periods: tuple[np.ndarray, np.ndarray, np.ndarray],
    subscriptions: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> UsageProfiles:
    """Draw each account's usage levels, declines and dips.

    `periods` are (account, start, end) of the customer periods, sorted by account and start;
    `subscriptions` (account, start, end or -1, seats) of every subscription.
    """
    n = len(engagement_z)
    logit = (
        ADOPTION_INTERCEPT
        + ADOPTION_ENGAGEMENT * engagement_z
        + ADOPTION_SUCCESS * success_z
        + ADOPTION_NOISE * rng.standard_normal(n)
    )
    adoption = np.clip(1 / (1 + np.exp(-logit)), *ADOPTION_RANGE)
    intensity = np.exp(
        INTENSITY_ENGAGEMENT * engagement_z
        + INTENSITY_SUCCESS * success_z
        + INTENSITY_NOISE * rng.standard_normal(n)
    )

    knots = (last_day - first_day) // DRIFT_DAYS + 2
    drift = np.zeros((n, knots), dtype=np.float32)
    level = rng.standard_normal(n) * DRIFT_STEP / np.sqrt(1 - DRIFT_KEEP**2)
    for k in range(knots):
        drift[:, k] = level
        level = DRIFT_KEEP * level + DRIFT_STEP * rng.standard_normal(n)

    p_account, p_start, p_end = periods
    first = np.ones(len(p_account), dtype=bool)
    first[1:] = p_account[1:] != p_account[:-1]
    churned = np.flatnonzero(p_end <= last_day + 1)
    length = rng.integers(*CHURN_DECLINE_DAYS, len(churned), endpoint=True)
    churn_depth = rng.uniform(*CHURN_DECLINE_DEPTH, len(churned))
    dipping = np.flatnonzero(rng.random(n) < RECOVERING_DIP_SHARE)
    dip_days = rng.integers(*RECOVERING_DIP_DAYS, len(dipping), endpoint=True)
    dip_start = first_day + np.floor(
        rng.random(len(dipping)) * max(1, last_day - first_day)
    ).astype(np.int64)
    dip_depth = rng.uniform(*RECOVERING_DIP_DEPTH, len(dipping))
    dip_account = np.concatenate([p_account[churned], dipping])
    dip_order = np.argsort(dip_account, kind="stable")

    # Seats as Headway counts them: every subscription's, the add-on's too.
    s_account, s_start, s_end, s_seats = subscriptions
    return UsageProfiles(
        first_day=first_day,
        last_day=last_day,
        adoption=adoption,
        intensity=intensity,
        value_day=value_day,
        outcome_day=outcome_day,
        outcome_reached=outcome_reached.astype(bool),
        workday_start=WORKDAY_START_HOUR[currency],
        drift=drift,
        seat_account=s_account,
        seat_start=s_start,
        seat_end=np.where(s_end >= 0, s_end, NEVER),
        seat_quantity=s_seats,
        period_account=p_account,
        period_start=p_start,
        period_end=p_end,
        period_first=first,
        dip_account=dip_account[dip_order],
        dip_start=np.concatenate(
            [np.maximum(p_start[churned], p_end[churned] - length), dip_start]
        )[dip_order],
        dip_end=np.concatenate([p_end[churned], dip_start + dip_days])[dip_order],
        dip_depth=np.concatenate([churn_depth, dip_depth])[dip_order],
        dip_recovers=np.concatenate(
            [np.zeros(len(churned), dtype=bool), np.ones(len(dipping), dtype=bool)]
        )[dip_order],
    )


def _rows_of(account: np.ndarray, low: int, high: int) -> slice:
    """The rows of accounts low ≤ a < high in arrays sorted by account."""
    start, stop = np.searchsorted(account, [low, high])
    return slice(int(start), int(stop))


@dataclass(frozen=True)
class _Cells:
    """The (row, column) cells of stretches of days, clipped to the columns."""

    row: np.ndarray
    column: np.ndarray
    into: np.ndarray  # days since the stretch's start
    per_stretch: np.ndarray  # how many cells each stretch has

    def spread(self, values: np.ndarray) -> np.ndarray:
        """A value per stretch, repeated for each of its cells."""
        return np.repeat(values, self.per_stretch)


def _cells(
    rows: np.ndarray, start: np.ndarray, end: np.ndarray, first_day: int, count: int
) -> _Cells:
    lo = np.clip(start - first_day, 0, count)
    lengths = np.maximum(np.clip(end - first_day, 0, count) - lo, 0)
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    column = np.arange(int(lengths.sum()), dtype=np.int64) - offsets + np.repeat(lo, lengths)
    into = column + first_day - np.repeat(start, lengths)
    return _Cells(np.repeat(rows, lengths), column, into, lengths)


def account_days(
    profiles: UsageProfiles, low: int, high: int, first_day: int, count: int
) -> AccountDays:
    """Seats, engaged share and intensity of accounts low…high−1 over `count` days."""
    n = high - low
    days = first_day + np.arange(count, dtype=np.int64)

    seats_diff = np.zeros((n, count + 1), dtype=np.int64)
    s = _rows_of(profiles.seat_account, low, high)
    rows = profiles.seat_account[s] - low
    lo = np.clip(profiles.seat_start[s] - first_day, 0, count)
    hi = np.clip(profiles.seat_end[s] - first_day, 0, count)
    np.add.at(seats_diff, (rows, lo), profiles.seat_quantity[s])
    np.add.at(seats_diff, (rows, hi), -profiles.seat_quantity[s])
    seats = np.cumsum(seats_diff[:, :count], axis=1)

    # Which customer period each cell is in (-1 = none).
    p = _rows_of(profiles.period_account, low, high)
    period = np.full((n, count), -1, dtype=np.int64)
    cells = _cells(
        profiles.period_account[p] - low,
        profiles.period_start[p],
        profiles.period_end[p],
        first_day,
        count,
    )
    period[cells.row, cells.column] = cells.spread(np.arange(p.start, p.stop))
    customer = period >= 0
    seats = np.where(customer, seats, 0)
    index = np.maximum(period, 0)
    tenure = np.where(customer, days[None, :] - profiles.period_start[index], -1)

    account = np.arange(low, high)[:, None]
    value = profiles.value_day[account]
    before_value = days[None, :] < value
    since_value = np.maximum(days[None, :] - value, 0)
    until_value = np.maximum(value - profiles.period_start[index], 1)
    trying = BEFORE_VALUE_LEVEL * (0.5 + 0.5 * np.clip(tenure / until_value, 0, 1))
    valued = 1 - (1 - BEFORE_VALUE_LEVEL) * np.exp(-since_value / RAMP_DAYS)
    never = BEFORE_VALUE_LEVEL * np.exp(-np.maximum(tenure, 0) / NEVER_VALUE_FADE_DAYS)
    first_period_ramp = np.where(value >= NEVER, never, np.where(before_value, trying, valued))
    again = 1 - (1 - REACTIVATED_LEVEL) * np.exp(-np.maximum(tenure, 0) / RAMP_DAYS)
    ramp = np.where(profiles.period_first[index], first_period_ramp, again)

    judged = np.where(
        profiles.outcome_reached[account], OUTCOME_REACHED_FACTOR, OUTCOME_MISSED_FACTOR
    )
    outcome = np.where(days[None, :] >= profiles.outcome_day[account], judged, 1.0)

    dips = np.ones((n, count))
    d = _rows_of(profiles.dip_account, low, high)
    cells = _cells(
        profiles.dip_account[d] - low, profiles.dip_start[d], profiles.dip_end[d], first_day, count
    )
    x = cells.into / cells.spread(np.maximum(profiles.dip_end[d] - profiles.dip_start[d], 1))
    shape = np.where(cells.spread(profiles.dip_recovers[d]), np.sin(np.pi * x), x**1.1)
    np.minimum.at(dips, (cells.row, cells.column), 1 - cells.spread(profiles.dip_depth[d]) * shape)

    position = (days - profiles.first_day) / DRIFT_DAYS
    knot = np.clip(np.floor(position).astype(np.int64), 0, profiles.drift.shape[1] - 2)
    fraction = (position - knot)[None, :]
    drift_rows = profiles.drift[low:high]
    drift = drift_rows[:, knot] * (1 - fraction) + drift_rows[:, knot + 1] * fraction

    level = ramp * outcome * dips * np.exp(drift)
    engaged = np.clip(profiles.adoption[account] * level, 0, 0.97)
    intensity = (
        profiles.intensity[account]
        * (0.5 + 0.5 * ramp)
        * (0.4 + 0.6 * dips)
        * np.exp(0.5 * drift)
        * np.sqrt(outcome)
    )
    return AccountDays(
        first_day=first_day,
        seats=seats.astype(np.int32),
        engaged=np.where(customer, engaged, 0).astype(np.float32),
        intensity=np.where(customer, intensity, 0).astype(np.float32),
        tenure=tenure,
        weekday=WEEKDAY_FACTOR[weekday_of(days)],
    )


def profiles_of(company: DemoCompany | CustomerBase) -> UsageProfiles:
    """The usage profiles of a demo company's accounts (from its own random stream)."""
    accounts, early, subscriptions = company.accounts, company.early, company.subscriptions
    engagement = np.clip(accounts.engagement, 1e-9, 1 - 1e-9)
    as_of_day = day_number(company.as_of)
    return draw_profiles(
        stream(company.seed, "usage accounts"),
        first_day=day_number(history_start(company.as_of)),
        last_day=as_of_day - 1,
        engagement_z=np.log(engagement / (1 - engagement)) / ENGAGEMENT_LOGIT_SCALE,
        success_z=early.success_z,
        value_day=early.value_day,
        outcome_day=early.outcome_day,
        outcome_reached=early.outcome_reached,
        currency=accounts.currency,
        periods=company.lives.customer_periods(),
        subscriptions=(
            subscriptions.account,
            subscriptions.start_date.astype(np.int64),
            np.where(np.isnat(subscriptions.end_date), -1, subscriptions.end_date.astype(np.int64)),
            subscriptions.quantity,
        ),
    )
