"""The database path gives the numbers of a naive reference, for random ledgers.

The suite runs on SQLite and on PostgreSQL, so this also checks that both give the same
metrics. The reference walks every account and month end in plain Python, with the MRR of
headway.revenue.mrr (the definition of MRR at a date, tested on its own).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headway.revenue.metrics import month_end, month_number, month_start
from headway.revenue.mrr import Charge, mrr_on
from headway.revenue.schemas import Interval, revenue_report_read
from headway.revenue.service import RevenueOptions, revenue_metrics
from tests.helpers import make_account, subscribe

TODAY = datetime(2025, 1, 15, 12, tzinfo=UTC)
EARLIEST = date(2022, 6, 1)


@st.composite
def account_charges(draw: st.DrawFn) -> list[Charge]:
    """An account's subscriptions in stints: each stint a main plan, perhaps an add-on, then a
    gap before the next, so accounts expand, contract, churn and come back."""

    def price() -> tuple[int, str, int]:
        cents = draw(st.one_of(st.integers(1, 500_000), st.just(0)))
        return cents, draw(st.sampled_from(["month", "year"])), draw(st.sampled_from([1, 2, 0]))

    day = draw(st.dates(EARLIEST, date(2024, 6, 30)))
    result: list[Charge] = []
    for _ in range(draw(st.integers(1, 4))):
        length = draw(st.integers(1, 400))
        end = None if draw(st.integers(0, 4)) == 0 else day + timedelta(days=length)
        cents, interval, quantity = price()
        result.append(Charge(cents, "USD", interval, quantity, day, end))
        if draw(st.booleans()):
            add_on = day + timedelta(days=draw(st.integers(0, length)))
            cents, interval, quantity = price()
            result.append(Charge(cents, "USD", interval, quantity, add_on, end))
        if end is None:
            break
        day = end + timedelta(days=draw(st.integers(0, 200)))
    return result


ledgers = st.lists(account_charges(), min_size=1, max_size=6)
first_months = st.integers(month_number(date(2023, 1, 1)), month_number(date(2024, 6, 1)))


def naive_metrics(
    ledger: list[list[Charge]], first: int, last: int, window: int | None
) -> dict[str, float]:
    """Walk each account month by month from the earliest start: the definitions, literally."""
    since = month_number(EARLIEST) - 1
    ends = [month_end(m) for m in range(since, last + 1)]
    totals = dict.fromkeys(("new", "expansion", "contraction", "churn", "reactivation"), 0.0)
    start_mrr = end_mrr = 0.0
    paying_at_start = lost = 0
    for account in ledger:
        series = [mrr_on(account, day).get("USD", 0.0) for day in ends]
        last_paid: date | None = None
        for i in range(1, len(series)):
            before, after = series[i - 1], series[i]
            if before > 0:
                last_paid = ends[i - 1]
            if not first <= since + i <= last:
                continue
            if before == 0 and after > 0:
                if last_paid is None:
                    kind = "new"
                else:
                    churned_on = month_end(month_number(last_paid) + 1)
                    late = window is not None and (ends[i] - churned_on).days > window
                    kind = "new" if late else "reactivation"
                totals[kind] += after
            elif before > 0 and after == 0:
                totals["churn"] += before
            elif after > before:
                totals["expansion"] += after - before
            elif after < before:
                totals["contraction"] += before - after
        at_start, at_end = series[first - 1 - since], series[last - since]
        start_mrr += at_start
        end_mrr += at_end
        paying_at_start += at_start > 0
        lost += at_start > 0 and at_end == 0
    return {
        "mrr_start": start_mrr,
        "mrr_end": end_mrr,
        **totals,
        "logo_churn_rate": lost / paying_at_start if paying_at_start else None,
    }


@pytest.fixture
def fresh(empty_tables: Callable[[], None]) -> Callable[[], None]:
    """Empty the database between hypothesis examples (they share one test's fixtures)."""
    return empty_tables


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ledger=ledgers,
    first=first_months,
    months=st.integers(6, 24),
    window=st.one_of(st.none(), st.integers(0, 400)),
)
def test_the_database_path_agrees_with_a_naive_walk_of_every_account(
    session, fresh, ledger, first, months, window
):
    fresh()
    for number, account_charges in enumerate(ledger):
        account = make_account(session, f"account-{number}")
        for index, c in enumerate(account_charges):
            subscribe(
                session,
                account,
                f"s-{number}-{index}",
                f"{c.amount_minor / 100:.2f}",
                c.start_date,
                c.end_date,
                interval=Interval(c.interval),
                quantity=c.quantity,
            )
    last = min(first + months - 1, month_number(date(2024, 12, 1)))
    with time_machine.travel(TODAY, tick=False):
        report = revenue_metrics(
            session=session,
            options=RevenueOptions("USD", reactivation_window_days=window),
            first_month=month_start(first),
            last_month=month_start(last),
        )
    [got] = revenue_report_read(report)
    expected = naive_metrics(ledger, first, last, window)
    for name in ("mrr_start", "mrr_end", "new", "expansion", "contraction", "churn"):
        assert getattr(got, name) == pytest.approx(expected[name] / 100, abs=0.011), name
    assert got.reactivation == pytest.approx(expected["reactivation"] / 100, abs=0.011)
    if expected["logo_churn_rate"] is None:
        assert got.logo_churn_rate is None
    else:
        assert got.logo_churn_rate == pytest.approx(expected["logo_churn_rate"], abs=1e-6)
