"""`headway outcomes sample-metrics`: the day's value of goals whose KPI Headway computes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from typer.testing import CliRunner

from headway.cli import app
from headway.outcomes.goals import get_goal, list_evidence
from tests.helpers import make_account, make_goal, make_plan, subscribe

runner = CliRunner()


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime(2026, 2, 20, 9, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def goals(session, bob):
    """Acme has 12 seats at 50 USD a month each (600 MRR) since Jan 1, and three goals:
    seats 10 → 20, MRR 500 → 1000 USD, and a manual one."""
    acme = make_account(session, "acme", owner=bob, segment="mid-touch")
    subscribe(session, acme, "a-1", "50", date(2026, 1, 1), quantity=12)
    plan = make_plan(session, acme)
    seats = make_goal(
        session, plan, name="Rolled out", unit="seats", source="seats", baseline=10, target=20
    )
    mrr = make_goal(
        session, plan, name="Grown", unit="USD", source="mrr", baseline=500, target=1000
    )
    manual = make_goal(session, plan, name="Registrations")
    return {"acme": acme, "seats": seats, "mrr": mrr, "manual": manual}


def values(session, goal) -> list[tuple[date, float, str]]:
    session.expire_all()
    return [
        (e.measured_on, e.value, e.source) for e in list_evidence(session=session, goal_id=goal.id)
    ]


def test_sample_metrics_records_today_for_goals_measured_by_headway(session, goals):
    result = runner.invoke(app, ["outcomes", "sample-metrics", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"sampled": 2}
    assert values(session, goals["seats"]) == [(date(2026, 2, 20), 12.0, "seats")]
    assert values(session, goals["mrr"]) == [(date(2026, 2, 20), 600.0, "mrr")]
    assert values(session, goals["manual"]) == []
    assert get_goal(session=session, goal_id=goals["seats"].id).evidence[0].recorded_by == (
        "rule: sample metrics"
    )


def test_sampling_the_same_day_again_adds_nothing(session, goals):
    for _ in range(2):
        result = runner.invoke(app, ["outcomes", "sample-metrics", "--as-of", "2026-02-01"])
        assert result.exit_code == 0, result.output
        assert "Sampled 2 goals on 2026-02-01." in result.stdout
    assert values(session, goals["seats"]) == [(date(2026, 2, 1), 12.0, "seats")]


def test_goals_not_yet_begun_or_achieved_are_not_sampled(session, goals):
    # Before the baseline date (Jan 1) there is nothing to sample.
    early = runner.invoke(app, ["outcomes", "sample-metrics", "--as-of", "2025-12-31", "--json"])
    assert json.loads(early.stdout) == {"sampled": 0}
    # 8 more seats at 1 USD from Feb 1: 20 seats reach the seats goal; MRR 608 is short of 1000.
    subscribe(session, goals["acme"], "a-2", "1", date(2026, 2, 1), quantity=8)
    runner.invoke(app, ["outcomes", "sample-metrics", "--as-of", "2026-02-10"])
    session.expire_all()
    assert get_goal(session=session, goal_id=goals["seats"].id).achieved_on == date(2026, 2, 10)
    assert values(session, goals["mrr"]) == [(date(2026, 2, 10), 608.0, "mrr")]
    later = runner.invoke(app, ["outcomes", "sample-metrics", "--json"])
    assert json.loads(later.stdout) == {"sampled": 1}  # only the MRR goal is still open


def test_a_day_that_is_not_an_iso_date_is_refused(session):
    result = runner.invoke(app, ["outcomes", "sample-metrics", "--as-of", "20/02/2026"])
    assert result.exit_code == 2
