"""Who the demo customers are: size, plan, start, name, domain, industry and hierarchy."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from headway.demo.segments import (
    CURRENCIES,
    CURRENCY_SHARES,
    HIGH_TOUCH,
    INITIAL_ARR,
    MID_TOUCH,
    PLAN_CHOICES,
    SEGMENT_SHARES,
    YEARLY_SHARE,
    annual_value,
)
from headway.demo.words import DIVISIONS, NAME_DESIGNATORS, NAME_NOUNS_BY_INDUSTRY, NAME_PREFIXES

# Acquisition grows over the three years: the last days see this many times the first's.
GROWTH = 2.5
# Share of new customers of each segment who trialled first (high, mid, tech).
TRIAL_SHARE = (0.05, 0.25, 0.45)
# Days from first contact to the first subscription: a fixed part plus an exponential one.
SALES_CYCLE_DAYS = ((30, 90), (7, 40), (0, 10))
# A name without a third word ("Northwind Logistics") is this many times likelier than each
# designated one ("Northwind Logistics Group").
PLAIN_NAME_WEIGHT = 150
EURO_DOMAINS = (".de", ".fr", ".nl", ".es", ".it", ".eu")
REGION_OF_CURRENCY = ("North America", "Europe", "United Kingdom")
# Shares of large early customers that are parents, and the most children each has.
PARENT_SHARE, MAX_CHILDREN = 0.2, 3
MIN_DAYS_PARENT_BEFORE_CHILD = 60


@dataclass(frozen=True)
class CompanyNames:
    """Unique names with their domain stems and industries."""

    name: np.ndarray  # object (str)
    slug: np.ndarray  # object (str): "northwind-logistics"
    industry: np.ndarray  # object (str)


def draw_segments(rng: np.random.Generator, n: int) -> np.ndarray:
    """The segment each customer starts in: many small, few large."""
    return rng.choice(len(SEGMENT_SHARES), size=n, p=SEGMENT_SHARES).astype(np.int64)


def draw_initial_arr(rng: np.random.Generator, segment: np.ndarray) -> np.ndarray:
    """Initial ARR in minor units: log-uniform within the segment, skewed to its low end."""
    low = np.array([r[0] for r in INITIAL_ARR], dtype=float)[segment]
    high = np.array([r[1] for r in INITIAL_ARR], dtype=float)[segment]
    skew = np.array([r[2] for r in INITIAL_ARR])[segment]
    position = rng.random(len(segment)) ** skew
    return np.exp(np.log(low) + position * (np.log(high) - np.log(low)))


def draw_first_plans(
    rng: np.random.Generator, segment: np.ndarray, arr: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Plan, billing interval (True = yearly) and seats that cost about the initial ARR."""
    n = len(segment)
    plan = np.zeros(n, dtype=np.int64)
    draw = rng.random(n)
    for key, (plans, shares) in enumerate(PLAN_CHOICES):
        where = segment == key
        plan[where] = np.where(draw[where] < shares[0], plans[0], plans[1])
    yearly = rng.random(n) < np.array(YEARLY_SHARE)[segment]
    per_seat = annual_value(plan, yearly, np.ones(n, dtype=np.int64))
    seats = np.maximum(1, np.round(arr / per_seat)).astype(np.int64)
    return plan, yearly, seats


def draw_paid_starts(
    rng: np.random.Generator, n: int, window_start_day: int, as_of_day: int
) -> np.ndarray:
    """Day of each first payment over the window, more of them lately; day of month ≤ 28.

    The first 35 days are left for trials (30 days at most, and a billing day moved back
    from the 31st to the 28th), so every subscription starts inside the window.
    """
    first, span = window_start_day + 35, max(1, as_of_day - window_start_day - 35)
    position = np.log1p(rng.random(n) * (GROWTH - 1)) / math.log(GROWTH)
    day = first + np.floor(position * span).astype(np.int64)
    dates = day.astype("datetime64[D]")
    month_start = dates.astype("datetime64[M]").astype("datetime64[D]")
    day_of_month = (dates - month_start).astype(np.int64)
    # Billing days 29–31 do not exist every month: such customers are billed on the 28th.
    return (month_start.astype(np.int64) + np.minimum(day_of_month, 27)).astype(np.int64)


def draw_trial_days(rng: np.random.Generator, segment: np.ndarray) -> np.ndarray:
    """Days of a free trial before paying (0 = none)."""
    trialled = rng.random(len(segment)) < np.array(TRIAL_SHARE)[segment]
    length = np.where(rng.random(len(segment)) < 0.6, 14, 30)
    return np.where(trialled, length, 0).astype(np.int64)


def draw_sales_cycles(rng: np.random.Generator, segment: np.ndarray) -> np.ndarray:
    """Seconds from the first contact to the first subscription."""
    fixed = np.array([c[0] for c in SALES_CYCLE_DAYS])[segment]
    mean = np.array([c[1] for c in SALES_CYCLE_DAYS])[segment]
    days = fixed + np.floor(rng.exponential(mean)) + 1
    # First contacts happen in office hours, the evening before the start at the latest.
    hours = 8 + rng.random(len(segment)) * 10
    return (days * 86_400 - hours * 3_600).astype(np.int64)


def draw_currencies(rng: np.random.Generator, n: int) -> np.ndarray:
    """Currency of each customer (index into CURRENCIES): mostly USD, some EUR and GBP."""
    return rng.choice(len(CURRENCIES), size=n, p=CURRENCY_SHARES).astype(np.int64)


def company_names(rng: np.random.Generator, n: int) -> CompanyNames:
    """Draw n unique company names: prefix + noun (+ designator), then a number if needed."""
    nouns = [noun for group in NAME_NOUNS_BY_INDUSTRY.values() for noun in group]
    industry_of_noun = [
        industry for industry, group in NAME_NOUNS_BY_INDUSTRY.items() for _ in group
    ]
    sizes = (len(NAME_PREFIXES), len(nouns), len(NAME_DESIGNATORS))
    per_series = sizes[0] * sizes[1] * sizes[2]
    series = max(1, math.ceil(n / per_series))
    # Weighted sampling without replacement (Gumbel top-k): plain names first, numbers last.
    designator_weight = np.where(np.arange(sizes[2]) == 0, PLAIN_NAME_WEIGHT, 1.0)
    series_weight = np.where(np.arange(series) == 0, 1.0, 1e-6)
    log_weight = np.log(np.multiply.outer(series_weight, designator_weight))
    log_weight = np.broadcast_to(
        log_weight[:, None, None, :], (series, sizes[0], sizes[1], sizes[2])
    ).ravel()
    keys = log_weight + rng.gumbel(size=log_weight.size)
    chosen = np.argpartition(-keys, n - 1)[:n] if n else np.zeros(0, dtype=np.int64)
    chosen = rng.permutation(np.sort(chosen))
    number, prefix, noun, designator = np.unravel_index(chosen, (series, *sizes))
    names, slugs, industries = [], [], []
    for s, p, o, d in zip(
        number.tolist(), prefix.tolist(), noun.tolist(), designator.tolist(), strict=True
    ):
        parts = [NAME_PREFIXES[p], nouns[o]]
        if d:
            parts.append(NAME_DESIGNATORS[d])
        if s:
            parts.append(str(s + 1))
        names.append(" ".join(parts))
        slugs.append("-".join(parts).lower())
        industries.append(industry_of_noun[o])
    return CompanyNames(
        name=np.array(names, dtype=object),
        slug=np.array(slugs, dtype=object),
        industry=np.array(industries, dtype=object),
    )


def domains(rng: np.random.Generator, slug: np.ndarray, currency: np.ndarray) -> np.ndarray:
    """A web domain per company, with a top-level domain that fits its country."""
    euro = np.array(EURO_DOMAINS, dtype=object)[rng.integers(0, len(EURO_DOMAINS), len(slug))]
    american = np.where(rng.random(len(slug)) < 0.1, ".io", ".com")
    tld = np.where(currency == 1, euro, np.where(currency == 2, ".co.uk", american))
    return np.array([s + t for s, t in zip(slug.tolist(), tld.tolist(), strict=True)], dtype=object)


def draw_hierarchy(
    rng: np.random.Generator,
    segment: np.ndarray,
    paid_start: np.ndarray,
    window_start_day: int,
    as_of_day: int,
) -> np.ndarray:
    """Make a few large early customers parents of 1–3 others; return each one's parent (-1)."""
    n = len(segment)
    parent = np.full(n, -1, dtype=np.int64)
    latest_parent_start = as_of_day - 2 * MIN_DAYS_PARENT_BEFORE_CHILD
    candidates = np.flatnonzero((segment == HIGH_TOUCH) & (paid_start < latest_parent_start))
    parents = candidates[rng.random(len(candidates)) < PARENT_SHARE]
    pool = np.flatnonzero(((segment == HIGH_TOUCH) | (segment == MID_TOUCH)) & (parent < 0))
    pool = rng.permutation(np.setdiff1d(pool, parents))
    taken = 0
    for p in parents.tolist():
        count = int(rng.integers(1, MAX_CHILDREN + 1))
        children = pool[taken : taken + count]
        taken += len(children)
        parent[children] = p
    return parent


def place_children(
    rng: np.random.Generator, parent: np.ndarray, paid_start: np.ndarray, as_of_day: int
) -> np.ndarray:
    """Start each child after its parent: divisions buy once headquarters is a customer."""
    start = paid_start.copy()
    children = np.flatnonzero(parent >= 0)
    earliest = paid_start[parent[children]] + MIN_DAYS_PARENT_BEFORE_CHILD
    room = np.maximum(1, as_of_day - earliest)
    day = earliest + np.floor(rng.random(len(children)) * room).astype(np.int64)
    dates = day.astype("datetime64[D]")
    month_start = dates.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    start[children] = month_start + np.minimum(day - month_start, 27)
    return start


def name_divisions(
    rng: np.random.Generator,
    parent: np.ndarray,
    name: np.ndarray,
    domain: np.ndarray,
    region: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Name children after their parent's division: 'Northwind Logistics Europe'.

    Returns the names, domains and regions of every account with the children's changed.
    """
    name, domain, region = name.copy(), domain.copy(), region.copy()
    divisions = list(DIVISIONS)
    for p in np.unique(parent[parent >= 0]).tolist():
        children = np.flatnonzero(parent == p)
        picked = rng.choice(len(divisions), size=len(children), replace=False)
        for child, index in zip(children.tolist(), picked.tolist(), strict=True):
            division = divisions[index]
            name[child] = f"{name[p]} {division}"
            domain[child] = f"{division.lower().replace(' ', '')}.{domain[p]}"
            region[child] = DIVISIONS[division] or region[p]
    return name, domain, region


def region_of(currency: np.ndarray) -> np.ndarray:
    """Where a customer is, from the currency it pays in."""
    return np.array(REGION_OF_CURRENCY, dtype=object)[currency]
