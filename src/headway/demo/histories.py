"""Subscription histories: every account simulated month by month, all accounts at once.

Each month an account's latent engagement (a standard normal score z) and its current segment
set the odds of what happens at its billing date: churn and contraction (only at a renewal for
yearly contracts), expansion (any month), reactivation after a churn. High engagement lowers
churn and contraction and raises expansion, so later analytics have real signal to find.
Outcomes move churn too: a customer leaves more often until it reaches first value, and once
its first expected outcome falls due, less often if it reached it and more often if it missed it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.segments import (
    ADD_ON,
    ENTERPRISE,
    STARTER,
    TEAM,
    annual_value,
    seat_price,
    segment_of_arr,
)

# Monthly odds at average engagement, by current segment (high, mid, tech).
CHURN_PER_MONTH = np.array([0.004, 0.009, 0.02])
CONTRACTION_PER_MONTH = np.array([0.006, 0.007, 0.005])
EXPANSION_PER_MONTH = np.array([0.022, 0.017, 0.011])
REACTIVATION_PER_MONTH = 0.025
# How strongly engagement moves the odds: odds × exp(weight × z).
CHURN_ENGAGEMENT_WEIGHT = -0.9
CONTRACTION_ENGAGEMENT_WEIGHT = -0.6
EXPANSION_ENGAGEMENT_WEIGHT = 0.7
REACTIVATION_ENGAGEMENT_WEIGHT = 0.4
# Customers who have not yet reached first value leave more often.
BEFORE_VALUE_CHURN_FACTOR = 1.5
# Once the first expected outcome is due: churn odds × these, reached or missed.
OUTCOME_REACHED_CHURN_FACTOR = 0.55
OUTCOME_MISSED_CHURN_FACTOR = 1.6
# A churned account is not won back within this many months.
MIN_MONTHS_CHURNED = 3

# Lifecycle events the stage path is built from.
STARTED, CHURNED, REACTIVATED = 0, 1, 2


@dataclass(frozen=True)
class NewCustomers:
    """How each account starts paying (arrays, one entry per account)."""

    paid_start: np.ndarray  # day number (days since 1970-01-01); day of month ≤ 28
    trial_days: np.ndarray  # 0 = no trial before paying
    plan: np.ndarray
    yearly: np.ndarray  # bool
    seats: np.ndarray
    engagement_z: np.ndarray  # latent engagement, standard normal
    value_day: np.ndarray  # day the customer reaches first value (after as_of = never)
    outcome_day: np.ndarray  # day its first expected outcome falls due
    outcome_reached: np.ndarray  # bool: whether it reaches that outcome by then
    rollout_day: np.ndarray  # from this day it adds seats for every team (after as_of = never)


@dataclass(frozen=True)
class Histories:
    """Subscription rows, lifecycle events and where each account ended up."""

    # Subscriptions, sorted by account then start.
    account: np.ndarray
    plan: np.ndarray
    trial: np.ndarray  # bool: a zero-amount trial before paying
    amount_minor: np.ndarray  # per seat per interval
    yearly: np.ndarray
    quantity: np.ndarray
    start: np.ndarray  # day number
    end: np.ndarray  # day number, exclusive; -1 = ongoing
    # Lifecycle events, sorted by account then day.
    event_account: np.ndarray
    event_day: np.ndarray
    event_kind: np.ndarray
    # Per account: ARR now, or just before the last churn; whether churned now; the day it
    # last entered the segment of that ARR (while paying).
    final_arr: np.ndarray
    churned: np.ndarray
    segment_since: np.ndarray


class _Rows:
    """Columns collected month by month, joined once at the end."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, *columns: np.ndarray) -> None:
        if len(columns[0]):
            self.parts.append(tuple(np.asarray(c) for c in columns))

    def join(self) -> list[np.ndarray]:
        if not self.parts:
            return [np.zeros(0, dtype=np.int64) for _ in range(self.width)]
        return [np.concatenate([part[i] for part in self.parts]) for i in range(self.width)]


def month_number(day: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each day number."""
    return day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def first_day_of_month(month: np.ndarray | int) -> np.ndarray:
    """Day number of the first day of each month number."""
    return np.asarray(month).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


class _Simulation:
    """The state of every account's subscriptions, moved forward one month at a time."""

    def __init__(self, rng: np.random.Generator, customers: NewCustomers, as_of_day: int):
        n = len(customers.paid_start)
        self.rng, self.n, self.as_of_day = rng, n, as_of_day
        self.z = customers.engagement_z
        self.value_day = customers.value_day
        self.outcome_day = customers.outcome_day
        self.outcome_reached = customers.outcome_reached.astype(bool)
        self.rollout_day = customers.rollout_day
        self.rolled_out = np.zeros(n, dtype=bool)
        self.start_month = month_number(customers.paid_start)
        # Every change happens on the account's billing day (≤ 28, so every month has it).
        self.billing_day = customers.paid_start - first_day_of_month(self.start_month)
        self.active = np.zeros(n, dtype=bool)
        self.churned = np.zeros(n, dtype=bool)
        self.plan = customers.plan.astype(np.int64).copy()
        self.yearly = customers.yearly.astype(bool).copy()
        self.seats = customers.seats.astype(np.int64).copy()
        self.base_start = np.zeros(n, dtype=np.int64)
        self.term_month = self.start_month.copy()  # when the current term began (renewals)
        self.churned_month = np.zeros(n, dtype=np.int64)
        self.addon = np.zeros(n, dtype=bool)
        self.addon_seats = np.zeros(n, dtype=np.int64)
        self.addon_start = np.zeros(n, dtype=np.int64)
        self.addon_yearly = np.zeros(n, dtype=bool)
        self.final_arr = np.zeros(n, dtype=np.int64)
        self.segment = np.full(n, -1, dtype=np.int64)  # while paying; kept while churned
        self.segment_since = np.full(n, -1, dtype=np.int64)
        # account, plan, trial, amount per seat, yearly, quantity, start, end
        self.rows = _Rows(8)
        self.events = _Rows(3)  # account, day, kind

        trial = np.flatnonzero(customers.trial_days > 0)
        self.rows.add(
            trial,
            self.plan[trial],
            np.ones(len(trial), bool),
            np.zeros(len(trial), np.int64),
            np.zeros(len(trial), bool),
            self.seats[trial],
            customers.paid_start[trial] - customers.trial_days[trial],
            customers.paid_start[trial],
        )
        first_start = customers.paid_start - customers.trial_days
        self.events.add(np.arange(n), first_start, np.full(n, STARTED))

    # --- what an account pays -------------------------------------------------------------

    def arr_of(self, idx: np.ndarray) -> np.ndarray:
        """ARR in minor units of the accounts idx (base plan and add-on)."""
        base = annual_value(self.plan[idx], self.yearly[idx], self.seats[idx])
        extra = annual_value(
            np.full(len(idx), ADD_ON), self.addon_yearly[idx], self.addon_seats[idx]
        )
        return base + np.where(self.addon[idx], extra, 0)

    def end_base(self, idx: np.ndarray, day: np.ndarray) -> None:
        """Close the base subscription of the accounts idx on day (-1 = still ongoing)."""
        plan, yearly = self.plan[idx], self.yearly[idx]
        self.rows.add(
            idx,
            plan,
            np.zeros(len(idx), bool),
            seat_price(plan, yearly),
            yearly,
            self.seats[idx],
            self.base_start[idx],
            day,
        )

    def end_addon(self, idx: np.ndarray, day: np.ndarray) -> None:
        """Close the add-on subscription of those of idx that have one."""
        has = self.addon[idx]
        idx, day = idx[has], day[has]
        addon_plan = np.full(len(idx), ADD_ON)
        self.rows.add(
            idx,
            addon_plan,
            np.zeros(len(idx), bool),
            seat_price(addon_plan, self.addon_yearly[idx]),
            self.addon_yearly[idx],
            self.addon_seats[idx],
            self.addon_start[idx],
            day,
        )
        self.addon[idx] = False

    def replace_base(self, idx: np.ndarray, day: np.ndarray, month: int) -> None:
        """End the base subscriptions of idx today; the caller then sets the new terms."""
        self.end_base(idx, day)
        self.base_start[idx] = day
        self.term_month[idx] = month

    # --- one month --------------------------------------------------------------------------

    def step(self, month: int) -> None:
        """Everything that happens on each account's billing day of one month."""
        rng, n, z = self.rng, self.n, self.z
        day = first_day_of_month(month) + self.billing_day
        due = day <= self.as_of_day

        starting = np.flatnonzero(due & (self.start_month == month))
        self.active[starting] = True
        self.base_start[starting] = day[starting]

        segment = segment_of_arr(self.arr_of(np.arange(n)))
        renewal = ~self.yearly | ((month - self.term_month) % 12 == 0)
        live = self.active & due & (month > self.term_month)
        churn = CHURN_PER_MONTH[segment] * np.exp(CHURN_ENGAGEMENT_WEIGHT * z)
        churn = _per_term(churn * self.outcome_factor(day), self.yearly)
        contraction = _per_term(
            CONTRACTION_PER_MONTH[segment] * np.exp(CONTRACTION_ENGAGEMENT_WEIGHT * z), self.yearly
        )
        expansion = EXPANSION_PER_MONTH[segment] * np.exp(EXPANSION_ENGAGEMENT_WEIGHT * z)
        draw = rng.random(n)
        leaving = live & renewal & (draw < churn)
        shrinking = live & renewal & ~leaving & (draw < churn + contraction)
        growing = live & ~leaving & ~shrinking & (rng.random(n) < expansion)

        self.churn(np.flatnonzero(leaving), day, month)
        self.contract(np.flatnonzero(shrinking), day, month)
        self.expand(np.flatnonzero(growing), day, month)
        rolling = live & ~leaving & ~shrinking & ~growing & ~self.rolled_out
        self.roll_out(np.flatnonzero(rolling & (day >= self.rollout_day)), day, month)

        odds = REACTIVATION_PER_MONTH * np.exp(REACTIVATION_ENGAGEMENT_WEIGHT * z)
        waited = month - self.churned_month >= MIN_MONTHS_CHURNED
        self.reactivate(
            np.flatnonzero(self.churned & due & waited & (rng.random(n) < odds)), day, month
        )
        self.track_segments(day)

    def outcome_factor(self, day: np.ndarray) -> np.ndarray:
        """How each account's outcomes so far scale its churn odds on its billing day."""
        factor = np.where(day < self.value_day, BEFORE_VALUE_CHURN_FACTOR, 1.0)
        judged = np.where(
            self.outcome_reached, OUTCOME_REACHED_CHURN_FACTOR, OUTCOME_MISSED_CHURN_FACTOR
        )
        return factor * np.where(day >= self.outcome_day, judged, 1.0)

    def track_segments(self, day: np.ndarray) -> None:
        """Note the day each paying account entered the segment its ARR now falls in."""
        paying = np.flatnonzero(self.active)
        segment = segment_of_arr(self.arr_of(paying))
        moved = segment != self.segment[paying]
        self.segment[paying[moved]] = segment[moved]
        self.segment_since[paying[moved]] = day[paying[moved]]

    def churn(self, idx: np.ndarray, day: np.ndarray, month: int) -> None:
        """Every subscription ends; the ARR the account had is kept for its segment."""
        self.final_arr[idx] = self.arr_of(idx)
        self.end_base(idx, day[idx])
        self.end_addon(idx, day[idx])
        self.active[idx], self.churned[idx], self.churned_month[idx] = False, True, month
        self.events.add(idx, day[idx], np.full(len(idx), CHURNED))

    def contract(self, idx: np.ndarray, day: np.ndarray, month: int) -> None:
        """Cancel the add-on, move down a plan, or drop seats."""
        rng = self.rng
        kind = rng.random(len(idx))
        cancel = self.addon[idx] & (kind < 0.4)
        self.end_addon(idx[cancel], day[idx[cancel]])
        rest = idx[~cancel]
        kind = kind[~cancel]
        downgrade = rest[(self.plan[rest] > STARTER) & (kind < 0.6)]
        fewer = np.setdiff1d(rest, downgrade)
        fewer = fewer[self.seats[fewer] > 1]
        changed = np.concatenate([downgrade, fewer])
        self.replace_base(changed, day[changed], month)
        self.plan[downgrade] -= 1
        self.seats[fewer] = np.maximum(
            1, np.round(self.seats[fewer] * rng.uniform(0.55, 0.9, len(fewer)))
        )

    def expand(self, idx: np.ndarray, day: np.ndarray, month: int) -> None:
        """Add the add-on, move up a plan, or add seats (monthly payers may go yearly)."""
        rng = self.rng
        kind = rng.random(len(idx))
        add = idx[~self.addon[idx] & (self.plan[idx] >= TEAM) & (kind < 0.3)]
        self.addon[add] = True
        self.addon_start[add] = day[add]
        self.addon_yearly[add] = self.yearly[add]
        self.addon_seats[add] = np.maximum(
            1, np.round(self.seats[add] * rng.uniform(0.3, 1.0, len(add)))
        )
        rest = np.setdiff1d(idx, add)
        kind = rng.random(len(rest))
        upgrade = rest[(self.plan[rest] < ENTERPRISE) & (kind < 0.35)]
        more = np.setdiff1d(rest, upgrade)
        changed = np.concatenate([upgrade, more])
        self.replace_base(changed, day[changed], month)
        self.plan[upgrade] += 1
        self.seats[more] = np.round(self.seats[more] * rng.uniform(1.15, 1.8, len(more))) + 1
        to_yearly = changed[~self.yearly[changed] & (rng.random(len(changed)) < 0.15)]
        self.yearly[to_yearly] = True

    def roll_out(self, idx: np.ndarray, day: np.ndarray, month: int) -> None:
        """Add seats for every team: a third more at least (the onboarding plan's rollout)."""
        self.replace_base(idx, day[idx], month)
        grown = np.ceil(self.seats[idx] * self.rng.uniform(1.35, 1.8, len(idx)))
        self.seats[idx] = np.maximum(self.seats[idx] + 1, grown).astype(np.int64)
        self.rolled_out[idx] = True

    def reactivate(self, idx: np.ndarray, day: np.ndarray, month: int) -> None:
        """A churned account pays again, usually for less than before."""
        rng = self.rng
        self.plan[idx] = np.maximum(self.plan[idx] - (rng.random(len(idx)) < 0.3), STARTER)
        self.seats[idx] = np.maximum(1, np.round(self.seats[idx] * rng.uniform(0.5, 1.0, len(idx))))
        self.active[idx], self.churned[idx] = True, False
        self.base_start[idx], self.term_month[idx] = day[idx], month
        self.events.add(idx, day[idx], np.full(len(idx), REACTIVATED))

    def finish(self) -> Histories:
        """Close the books at as_of: ongoing subscriptions have no end."""
        still = np.flatnonzero(self.active)
        self.final_arr[still] = self.arr_of(still)
        no_end = np.full(len(still), -1, dtype=np.int64)
        self.end_base(still, no_end)
        self.end_addon(still, no_end)
        account, plan, trial, amount, yearly, quantity, start, end = self.rows.join()
        order = np.lexsort((plan, start, account))
        event_account, event_day, event_kind = self.events.join()
        event_order = np.lexsort((event_kind, event_day, event_account))
        return Histories(
            account=account[order].astype(np.int64),
            plan=plan[order].astype(np.int64),
            trial=trial[order].astype(bool),
            amount_minor=amount[order].astype(np.int64),
            yearly=yearly[order].astype(bool),
            quantity=quantity[order].astype(np.int64),
            start=start[order].astype(np.int64),
            end=end[order].astype(np.int64),
            event_account=event_account[event_order].astype(np.int64),
            event_day=event_day[event_order].astype(np.int64),
            event_kind=event_kind[event_order].astype(np.int64),
            final_arr=self.final_arr,
            churned=self.churned.copy(),
            segment_since=self.segment_since.copy(),
        )


def _per_term(monthly_odds: np.ndarray, yearly: np.ndarray) -> np.ndarray:
    """Odds of an event at a yearly renewal, from its monthly odds."""
    return np.where(yearly, 1 - (1 - np.minimum(monthly_odds, 0.9)) ** 12, monthly_odds)


def simulate_histories(
    rng: np.random.Generator, customers: NewCustomers, as_of_day: int
) -> Histories:
    """Simulate every account's subscriptions from its first payment up to as_of."""
    simulation = _Simulation(rng, customers, as_of_day)
    first = int(simulation.start_month.min()) if len(customers.paid_start) else 0
    last = int(month_number(np.array([as_of_day]))[0])
    for month in range(first, last + 1):
        simulation.step(month)
    return simulation.finish()
