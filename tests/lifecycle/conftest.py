"""Fixtures of the lifecycle tests: a frozen clock and a small book of accounts with TTFV."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from tests.helpers import make_account, subscribe
from tests.lifecycle.support import REPORT, first_value_milestone, used

D = date


@pytest.fixture(autouse=True)
def _frozen_clock():
    """Monday 2 March 2026, 06:00 UTC."""
    with time_machine.travel(datetime(2026, 3, 2, 6, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def book(session, bob):
    """Mid-touch (default rule, first report): 2, 4, 6, 8 and 20 days, one waiting 20 days,
    one churned before first value. High-touch (milestone): 30 days, one waiting 46 days."""
    mid = [
        ("m1", D(2026, 1, 1), D(2026, 1, 3)),
        ("m2", D(2026, 1, 1), D(2026, 1, 5)),
        ("m3", D(2026, 1, 10), D(2026, 1, 16)),
        ("m4", D(2026, 2, 1), D(2026, 2, 9)),
        ("m5", D(2026, 2, 1), D(2026, 2, 21)),
        ("m6", D(2026, 2, 10), None),
    ]
    accounts = {}
    for key, start, value in mid:
        account = accounts[key] = make_account(session, key, segment="mid-touch", owner=bob)
        subscribe(session, account, f"{key}-1", "50", start)
        if value:
            used(session, account, REPORT, value)
    gone = accounts["m7"] = make_account(session, "m7", segment="mid-touch", stage="churned")
    subscribe(session, gone, "m7-1", "50", D(2026, 1, 1), D(2026, 2, 1))
    for key, start, done in [("h1", D(2026, 1, 1), D(2026, 1, 31)), ("h2", D(2026, 1, 15), None)]:
        account = accounts[key] = make_account(session, key, segment="high-touch", owner=bob)
        subscribe(session, account, f"{key}-1", "900", start)
        first_value_milestone(session, account, done)
    return accounts
