"""Measure sources: hand-computed values from small accounts, read as of past days, in batches."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import event
from sqlalchemy.orm import Session

from headway.core.errors import InvalidInput
from headway.health.sources import get_measure_source, measure_sources
from tests.health.support import rolled_up_usage
from tests.helpers import log_touch, make_account, make_goal, make_plan, measure, subscribe

TODAY = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
MAR_31 = date(2026, 3, 31)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def read(session: Session, key: str, ids: list[int], as_of: date, **params: Any) -> dict:
    return get_measure_source(key).read(session, ids, as_of, params)


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    """Collect the SQL statements the session sends."""
    statements: list[str] = []
    engine = session.get_bind()

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_every_source_the_default_scorecard_uses_is_registered() -> None:
    keys = {s.key for s in measure_sources()}
    assert {
        "usage.dau",
        "usage.wau",
        "usage.mau",
        "usage.stickiness",
        "usage.seat_utilisation",
        "usage.key_event_frequency",
        "usage.feature_breadth",
        "usage.days_since_last_seen",
        "usage.events_trend",
        "revenue.mrr_change",
        "outcomes.goals_on_track",
        "activities.coverage",
    } <= keys
    assert all(s.description and s.label and s.unit for s in measure_sources())


# --- usage ---------------------------------------------------------------------------------
# Acme has 10 seats and the usage of tests/health/support.py.


@pytest.fixture
def acme(session: Session):
    account = make_account(session, "acme", "Acme")
    subscribe(session, account, "a-1", "500", date(2026, 1, 1), quantity=10)
    rolled_up_usage(session, "acme")
    return account


@pytest.fixture
def quiet(session: Session):
    return make_account(session, "quiet", "Quiet")  # never seen


@pytest.mark.parametrize(
    ("key", "params", "expected"),
    [
        ("usage.dau", {}, 1),  # u1 on 31 March
        ("usage.wau", {}, 2),  # u1, u2 in 25–31 March
        ("usage.mau", {}, 3),  # u1, u2, u3 in 2–31 March
        ("usage.stickiness", {}, 1 / 3),
        ("usage.seat_utilisation", {}, 0.3),  # 3 of 10 seats
        ("usage.feature_breadth", {}, 3),  # Report Created, Login, Export
        ("usage.days_since_last_seen", {}, 0),
        ("usage.events_trend", {}, 35 / 15 - 1),
        # 6 reports in the 28 days 4–31 March: 1.5 a week; in 7 days: 6; in 14 days: 3.
        ("usage.key_event_frequency", {"event": "Report Created"}, 1.5),
        ("usage.key_event_frequency", {"event": "Report Created", "days": 7}, 6.0),
        ("usage.key_event_frequency", {"event": "Report Created", "days": 14}, 3.0),
        ("usage.key_event_frequency", {"event": "Invite Sent"}, 0.0),
    ],
)
def test_usage_sources_read_the_adoption_measures(
    session: Session, acme, quiet, key: str, params: dict, expected: float
) -> None:
    values = read(session, key, [acme.id, quiet.id], MAR_31, **params)
    assert values == {acme.id: pytest.approx(expected)}  # the quiet account has no data


@pytest.mark.parametrize(
    ("key", "params", "expected"),
    [
        ("usage.dau", {}, 0),
        ("usage.wau", {}, 0),  # nobody in 21–27 March
        ("usage.mau", {}, 1),  # u3 in 26 February–27 March
        ("usage.days_since_last_seen", {}, 7),  # last seen 20 March
        ("usage.key_event_frequency", {"event": "Report Created"}, 0.0),
        ("usage.feature_breadth", {}, 1),  # Export
    ],
)
def test_usage_sources_see_only_the_days_up_to_as_of(
    session: Session, acme, key: str, params: dict, expected: float
) -> None:
    assert read(session, key, [acme.id], date(2026, 3, 27), **params) == {acme.id: expected}


def test_an_account_first_seen_after_the_day_has_no_usage_data(session: Session, acme) -> None:
    assert read(session, "usage.days_since_last_seen", [acme.id], date(2026, 2, 14)) == {}


def test_the_key_event_source_asks_for_its_event(session: Session, acme) -> None:
    with pytest.raises(InvalidInput, match="needs the parameter 'event'"):
        read(session, "usage.key_event_frequency", [acme.id], MAR_31)
    with pytest.raises(InvalidInput, match=r"'days' of source 'usage\.key_event_frequency'"):
        read(session, "usage.key_event_frequency", [acme.id], MAR_31, event="Login", days=0)


# --- revenue -------------------------------------------------------------------------------


def test_mrr_change_compares_mrr_with_the_days_before(session: Session) -> None:
    # 90 days before 31 March is 31 December.
    grows = make_account(session, "grows")
    subscribe(session, grows, "g-1", "100", date(2025, 12, 1))
    subscribe(session, grows, "g-2", "50", date(2026, 2, 1))  # 100 → 150: +50 %
    new = make_account(session, "new")
    subscribe(session, new, "n-1", "100", date(2026, 2, 1))  # nothing on 31 December
    gone = make_account(session, "gone")
    subscribe(session, gone, "x-1", "200", date(2025, 10, 1), date(2026, 3, 1))  # −100 %
    yearly = make_account(session, "yearly")
    subscribe(session, yearly, "y-1", "1200", date(2025, 6, 1), interval="year")
    subscribe(session, yearly, "y-2", "25", date(2026, 3, 1))  # 100 → 125: +25 %
    ids = [grows.id, new.id, gone.id, yearly.id]
    assert read(session, "revenue.mrr_change", ids, MAR_31, days=90) == {
        grows.id: pytest.approx(0.5),
        gone.id: pytest.approx(-1.0),
        yearly.id: pytest.approx(0.25),
    }
    # 30 days before (1 March): gone had already ended, the others stood still or grew.
    assert read(session, "revenue.mrr_change", ids, MAR_31, days=30) == {
        grows.id: pytest.approx(0.0),
        new.id: pytest.approx(0.0),
        yearly.id: pytest.approx(0.0),
    }
    # As of 31 January, 90 days back is 2 November: only gone and yearly paid then.
    assert read(session, "revenue.mrr_change", ids, date(2026, 1, 31), days=90) == {
        gone.id: pytest.approx(0.0),
        yearly.id: pytest.approx(0.0),
    }


def test_mrr_change_compares_each_currency_with_itself(session: Session) -> None:
    both = make_account(session, "both")
    subscribe(session, both, "e-1", "100", date(2025, 10, 1), currency="EUR")
    subscribe(session, both, "e-2", "100", date(2026, 3, 1), currency="EUR")  # +100 %
    subscribe(session, both, "u-1", "70", date(2025, 10, 1))  # 0 %
    assert read(session, "revenue.mrr_change", [both.id], MAR_31, days=90) == {
        both.id: pytest.approx(0.5)
    }


# --- outcomes ------------------------------------------------------------------------------
# As of 20 February 2026 (day 50 of goals running 1 January → 11 April from 100 to 200).


@pytest.fixture
def goals_account(session: Session):
    account = make_account(session, "goals")
    plan = make_plan(session, account)
    on_track = make_goal(session, plan, name="On track")
    measure(session, on_track, 145, date(2026, 2, 10))  # 0.45 of the way at 0.40 of the time
    at_risk = make_goal(session, plan, name="At risk")
    measure(session, at_risk, 120, date(2026, 2, 10))  # 0.20 at 0.40: lags by more than 0.1
    measure(session, at_risk, 250, date(2026, 3, 2))  # reached after the day: not seen then
    achieved = make_goal(session, plan, name="Achieved")
    measure(session, achieved, 210, date(2026, 1, 31))
    # Not started by then: its baseline date is later.
    make_goal(
        session,
        plan,
        name="Later",
        baseline_date=date(2026, 3, 1),
        due_date=date(2026, 6, 1),
    )
    # Missed long ago (due 1 June 2025): settled more than 90 days before, left out.
    make_goal(session, plan, name="Old", baseline_date=date(2025, 1, 1), due_date=date(2025, 6, 1))
    # Missed recently (due 15 January 2026): still counts, against.
    make_goal(
        session, plan, name="Missed", baseline_date=date(2025, 10, 1), due_date=date(2026, 1, 15)
    )
    return account


def test_goals_on_track_is_the_share_of_current_goals_achieved_or_on_track(
    session: Session, goals_account, quiet
) -> None:
    ids = [goals_account.id, quiet.id]
    # On track and achieved, of on track, at risk, achieved and the recent miss.
    assert read(session, "outcomes.goals_on_track", ids, date(2026, 2, 20)) == {
        goals_account.id: pytest.approx(2 / 4)
    }
    # Counting only goals settled in the last 30 days drops the miss of 16 January.
    assert read(session, "outcomes.goals_on_track", ids, date(2026, 2, 20), days=30) == {
        goals_account.id: pytest.approx(2 / 3)
    }


def test_goals_on_track_reads_the_evidence_known_on_the_day(
    session: Session, goals_account
) -> None:
    # On 5 March the at-risk goal had reached 250 (on 2 March): achieved. The on-track goal,
    # last measured on 10 February at 0.45, is judged there and stays on track; the goal that
    # started on 1 March has no evidence with 4 of its 92 days gone: not started, so against.
    assert read(session, "outcomes.goals_on_track", [goals_account.id], date(2026, 3, 5)) == {
        goals_account.id: pytest.approx(3 / 5)
    }
    # Before any goal had started there is no data.
    assert read(session, "outcomes.goals_on_track", [goals_account.id], date(2024, 12, 1)) == {}


# --- activities ----------------------------------------------------------------------------
# Initech, high-touch in adoption, customer since 1 October 2025: a business review every 90
# days and a check-in every 30. A review on 10 January counts for both: the check-in is due
# on 9 February.


@pytest.fixture
def initech(session: Session):
    account = make_account(session, "initech", "Initech", segment="high-touch", stage="adoption")
    subscribe(session, account, "i-1", "5000", date(2025, 10, 1))
    log_touch(session, account, "business_review", datetime(2026, 1, 10, 15, tzinfo=UTC))
    log_touch(session, account, "check_in", datetime(2026, 2, 18, 10, tzinfo=UTC))
    return account


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 2, 5), 1.0),  # both met
        (date(2026, 2, 15), 0.5),  # the check-in is overdue; the one of 18 February is ahead
        (date(2026, 2, 20), 1.0),  # the check-in of 18 February closed the gap
    ],
)
def test_coverage_is_the_share_of_required_touches_met_on_the_day(
    session: Session, initech, as_of: date, expected: float
) -> None:
    assert read(session, "activities.coverage", [initech.id], as_of) == {initech.id: expected}


def test_an_account_no_touch_applies_to_has_no_coverage_data(session: Session, initech) -> None:
    loyal_tech = make_account(session, "tt", segment="tech-touch", stage="loyal")
    no_segment = make_account(session, "ns")
    ids = [initech.id, loyal_tech.id, no_segment.id]
    assert read(session, "activities.coverage", ids, date(2026, 2, 20)) == {initech.id: 1.0}


# --- many accounts at once -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "params"),
    [
        ("usage.seat_utilisation", {}),
        ("usage.key_event_frequency", {"event": "Report Created"}),
        ("revenue.mrr_change", {"days": 90}),
        ("outcomes.goals_on_track", {}),
        ("activities.coverage", {}),
    ],
)
def test_a_source_reads_many_accounts_in_as_many_queries_as_one(
    session: Session, key: str, params: dict
) -> None:
    accounts = []
    for n in range(12):
        account = make_account(session, f"a{n}", segment="high-touch", stage="adoption")
        subscribe(session, account, f"s{n}", "100", date(2025, 10, 1), quantity=5)
        rolled_up_usage(session, account.external_id)
        make_goal(session, make_plan(session, account))
        log_touch(session, account, "check_in", datetime(2026, 3, 1, tzinfo=UTC))
        accounts.append(account.id)
    with counted(session) as one:
        read(session, key, accounts[:1], MAR_31, **params)
    with counted(session) as many:
        values = read(session, key, accounts, MAR_31, **params)
    assert len(values) == 12
    assert len(many) == len(one)
