"""The demo company's product usage: users per seat, usage that follows each account's life."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from headway.demo.company import DemoCompany, day_number, generate_company
from headway.demo.contacts import CHAMPION
from headway.demo.raw_events import TRACK, draw_raw_events
from headway.demo.usage import (
    RAW_DAYS,
    DemoUsage,
    draw_usage,
    most_seats,
)
from headway.demo.usage_model import (
    EVENTS,
    KEY_EVENT,
    REPORT_CREATED,
    SIGNED_IN,
    account_days,
    profiles_of,
    weekday_of,
)
from headway.demo.usage_rollups import daily_event_rollup, daily_rollup

AS_OF = date(2026, 6, 30)
ACCOUNTS = 300


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate_company(seed=5, as_of=AS_OF, accounts=ACCOUNTS)


@pytest.fixture(scope="module")
def usage(company: DemoCompany) -> DemoUsage:
    return draw_usage(company)


@pytest.fixture(scope="module")
def events_by_day(usage: DemoUsage) -> np.ndarray:
    """Events per account (rows) and day of the history (columns)."""
    table = np.zeros((ACCOUNTS, usage.last_day - usage.first_day + 1))
    np.add.at(
        table, (usage.active.account, usage.active.day - usage.first_day), usage.active.events
    )
    return table


def weekly(table: np.ndarray, usage: DemoUsage, account: int, first: int, last: int) -> float:
    """Mean events per week of an account over the days first…last−1."""
    columns = slice(first - usage.first_day, last - usage.first_day)
    return float(table[account, columns].sum()) / ((last - first) / 7)


def test_the_same_company_gives_the_same_usage_row_for_row() -> None:
    small = generate_company(seed=5, as_of=AS_OF, accounts=40)
    first, again = draw_usage(small), draw_usage(small)
    for name in ("account", "day", "user", "counts", "first_second", "last_second"):
        assert np.array_equal(getattr(again.active, name), getattr(first.active, name)), name
    assert again.users.email.tolist() == first.users.email.tolist()
    other = draw_usage(generate_company(seed=6, as_of=AS_OF, accounts=40))
    assert len(other.active) != len(first.active)


def test_usage_covers_the_history_up_to_the_day_before_as_of(usage: DemoUsage) -> None:
    assert usage.first_day == day_number(date(2023, 6, 30))
    assert usage.last_day == day_number(date(2026, 6, 29))
    assert usage.active.day.min() >= usage.first_day
    assert usage.active.day.max() == usage.last_day
    assert usage.raw_from_day == usage.last_day - RAW_DAYS + 1


def test_each_account_has_a_user_per_seat_it_ever_licensed(
    company: DemoCompany, usage: DemoUsage
) -> None:
    seats = most_seats(profiles_of(company))
    users = usage.users
    assert np.array_equal(np.bincount(users.account, minlength=ACCOUNTS), seats)
    assert len(set(users.user_id.tolist())) == len(users)
    # Volumes for the default demo's size: thousands of users, a few hundred thousand rows.
    assert 3_000 < len(users) < 40_000
    assert 50_000 < len(usage.active) < 600_000


def test_no_more_users_are_active_on_a_day_than_the_account_has_seats(
    company: DemoCompany, usage: DemoUsage
) -> None:
    profiles = profiles_of(company)
    days = account_days(
        profiles, 0, ACCOUNTS, usage.first_day, usage.last_day - usage.first_day + 1
    )
    daily = daily_rollup(usage.active)
    assert np.all(daily.active_users <= days.seats[daily.account, daily.day - usage.first_day])


def test_usage_stops_while_an_account_is_churned(
    company: DemoCompany, usage: DemoUsage, events_by_day: np.ndarray
) -> None:
    account, start, end = company.lives.customer_periods()
    customer = np.zeros(events_by_day.shape, dtype=bool)
    for a, s, e in zip(account.tolist(), start.tolist(), end.tolist(), strict=True):
        customer[a, max(s - usage.first_day, 0) : max(e - usage.first_day, 0)] = True
    assert events_by_day[~customer].sum() == 0
    assert events_by_day[customer].sum() == usage.active.events.sum()


def test_users_have_emails_at_their_accounts_domain_and_some_are_its_contacts(
    company: DemoCompany, usage: DemoUsage
) -> None:
    users = usage.users
    domains = company.accounts.domain[users.account]
    assert all(e.endswith("@" + d) for e, d in zip(users.email, domains, strict=True))
    pairs = set(zip(users.account.tolist(), users.email.tolist(), strict=True))
    assert len(pairs) == len(users)
    contacts = users.contact >= 0
    assert np.array_equal(company.contacts.email[users.contact[contacts]], users.email[contacts])
    assert np.array_equal(
        company.contacts.account[users.contact[contacts]], users.account[contacts]
    )
    assert 0.4 < contacts.sum() / len(company.contacts) < 0.9
    # Champions who use the product hold the account's first seat.
    personas = company.contacts.persona[users.contact[contacts]]
    first_seat = users.seat[contacts] == 0
    assert np.mean(personas[first_seat] == CHAMPION) > 0.7


def test_an_accounts_first_report_is_created_on_the_day_it_reached_first_value(
    company: DemoCompany, usage: DemoUsage
) -> None:
    active = usage.active
    made = active.counts[:, REPORT_CREATED] > 0
    first_report = np.full(ACCOUNTS, np.iinfo(np.int64).max)
    np.minimum.at(first_report, active.account[made], active.day[made])
    reported = np.unique(active.account[made])
    value_day = company.early.value_day
    in_window = (value_day >= usage.first_day) & (value_day <= usage.last_day)
    assert np.array_equal(first_report[reported], value_day[reported])
    assert in_window[reported].all()
    assert len(reported) > 0.6 * ACCOUNTS
    assert KEY_EVENT == EVENTS[REPORT_CREATED] == "Report Created"


def test_usage_declines_in_the_months_before_a_churn(
    company: DemoCompany, usage: DemoUsage, events_by_day: np.ndarray
) -> None:
    account, start, end = company.lives.customer_periods()
    # Churns after a year of use at least: the 60 days before against the 90 days before those.
    churned = (end <= usage.last_day + 1) & (end - start >= 365)
    declined = [
        weekly(events_by_day, usage, a, c - 60, c)
        < weekly(events_by_day, usage, a, c - 150, c - 60)
        for a, c in zip(account[churned].tolist(), end[churned].tolist(), strict=True)
    ]
    assert len(declined) >= 10
    assert np.mean(declined) > 0.8


def test_most_accounts_that_stay_keep_their_level(
    company: DemoCompany, usage: DemoUsage, events_by_day: np.ndarray
) -> None:
    account, start, end = company.lives.customer_periods()
    staying = (end > usage.last_day + 1) & (usage.last_day - start >= 365)
    last = usage.last_day + 1
    kept = [
        weekly(events_by_day, usage, a, last - 60, last)
        >= 0.8 * weekly(events_by_day, usage, a, last - 150, last - 60)
        for a in account[staying].tolist()
    ]
    assert len(kept) >= 30
    assert np.mean(kept) > 0.6


def test_engaged_accounts_take_up_more_of_their_seats(
    company: DemoCompany, usage: DemoUsage
) -> None:
    seats = np.bincount(usage.users.account, minlength=ACCOUNTS)
    users_seen = np.bincount(usage.users.account[np.unique(usage.active.user)], minlength=ACCOUNTS)
    share = users_seen / seats
    engagement = company.accounts.engagement
    assert np.corrcoef(engagement, share)[0, 1] > 0.3


def test_weekends_are_quiet(usage: DemoUsage) -> None:
    weekday = weekday_of(usage.active.day)
    per_day = np.bincount(weekday, weights=usage.active.events, minlength=7)
    assert per_day[5:].max() < 0.25 * per_day[:5].min()


def test_every_active_day_starts_with_a_sign_in(usage: DemoUsage) -> None:
    counts = usage.active.counts
    assert (counts[:, SIGNED_IN] >= 1).all()
    assert (usage.active.first_second <= usage.active.last_second).all()
    assert (usage.active.last_second < 86_400).all()


def test_the_rollups_add_up_the_active_rows(usage: DemoUsage) -> None:
    daily = daily_rollup(usage.active)
    per_event = daily_event_rollup(usage.active)
    assert daily.events.sum() == usage.active.events.sum() == per_event.events.sum()
    assert daily.active_users.sum() == len(usage.active)
    assert (per_event.users <= per_event.events).all()
    key = daily.account * 100_000 + daily.day
    assert len(np.unique(key)) == len(key)


def test_raw_events_roll_up_to_the_rollups_of_their_days(
    company: DemoCompany, usage: DemoUsage
) -> None:
    raw = draw_raw_events(np.random.default_rng(1), usage)
    assert raw.day.min() == usage.raw_from_day
    track = raw.type == TRACK
    daily = daily_rollup(usage.active)
    recent = daily.day >= usage.raw_from_day
    expected = {
        (a, d): (e, u, s, last)
        for a, d, e, u, s, last in zip(
            daily.account[recent].tolist(),
            daily.day[recent].tolist(),
            daily.events[recent].tolist(),
            daily.active_users[recent].tolist(),
            daily.sessions[recent].tolist(),
            daily.last_second[recent].tolist(),
            strict=True,
        )
    }
    rolled: dict[tuple[int, int], tuple[int, set[int], set[tuple[int, int]], int]] = {}
    for a, d, u, s, second in zip(
        raw.account[track].tolist(),
        raw.day[track].tolist(),
        raw.user[track].tolist(),
        raw.session[track].tolist(),
        raw.second[track].tolist(),
        strict=True,
    ):
        events, users, sessions, last = rolled.get((a, d), (0, set(), set(), -1))
        users.add(u)
        sessions.add((u, s))
        rolled[(a, d)] = (events + 1, users, sessions, max(last, second))
    assert {
        key: (e, len(users), len(sessions), last)
        for key, (e, users, sessions, last) in rolled.items()
    } == expected
    # Everyone seen in those days identified once; every account seen grouped once.
    identified = raw.user[raw.type == 1]
    assert sorted(identified.tolist()) == sorted(set(raw.user[track].tolist()))
    assert sorted(raw.account[raw.type == 2].tolist()) == sorted(set(raw.account[track].tolist()))
    assert (np.diff(raw.day * 86_400 + raw.second) >= 0).all()
