"""Progress and status of outcome goals: tables of hand-computed cases, then properties.

Two goals serve every table. Both run 100 days, from 2026-01-01 to 2026-04-11, so a day is
one percent of the time and dates read as shares of it (2026-02-20 is day 50, half the time).
- REGISTRATIONS, an increasing KPI: 100 → 200 registrations a month.
- SUPPORT_COST, a decreasing KPI: 50 → 40 thousand dollars a month.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headway.outcomes.progress import (
    Direction,
    GoalStatus,
    GoalTerms,
    Measurement,
    check_terms,
    elapsed_share,
    first_achievement,
    goal_progress,
    progress_of,
    reaches_target,
)

START = date(2026, 1, 1)
DUE = date(2026, 4, 11)
REGISTRATIONS = GoalTerms(Direction.INCREASE, 100.0, START, 200.0, DUE)
SUPPORT_COST = GoalTerms(Direction.DECREASE, 50.0, START, 40.0, DUE)


def day(n: int) -> date:
    """Day n of the goals' 100 days (day 0 is the baseline date, day 100 the due date)."""
    return START + timedelta(days=n)


def measured(*pairs: tuple[int, float]) -> list[Measurement]:
    return [Measurement(day(n), value) for n, value in pairs]


NOT_STARTED = GoalStatus.NOT_STARTED
ON_TRACK = GoalStatus.ON_TRACK
AT_RISK = GoalStatus.AT_RISK
ACHIEVED = GoalStatus.ACHIEVED
MISSED = GoalStatus.MISSED


# --- status, progress and the trajectory still needed ----------------------------------------
#
# needed per week = (target − latest value, or the baseline without one) ÷ (days left ÷ 7).


@pytest.mark.parametrize(
    ("terms", "measurements", "as_of", "status", "progress", "needed_per_week"),
    [
        # Missing evidence: not started while less than half the time is gone, then at risk.
        pytest.param(REGISTRATIONS, [], 30, NOT_STARTED, None, 100 / 10, id="no-evidence-day-30"),
        pytest.param(
            REGISTRATIONS, [], 49, NOT_STARTED, None, 100 / (51 / 7), id="no-evidence-day-49"
        ),
        pytest.param(REGISTRATIONS, [], 50, AT_RISK, None, 100 / (50 / 7), id="no-evidence-half"),
        pytest.param(REGISTRATIONS, [], 0, NOT_STARTED, None, 7.0, id="no-evidence-day-0"),
        pytest.param(
            SUPPORT_COST, [], 80, AT_RISK, None, -10 / (20 / 7), id="decrease-no-evidence"
        ),
        # Evidence after as_of is not known yet.
        pytest.param(
            REGISTRATIONS, measured((60, 200)), 31, NOT_STARTED, None, 100 / (69 / 7), id="future"
        ),
        # On the straight line, behind it by exactly the tolerance, and by more.
        pytest.param(
            REGISTRATIONS, measured((30, 130)), 40, ON_TRACK, 0.3, 70 / (60 / 7), id="on-the-line"
        ),
        pytest.param(
            REGISTRATIONS, measured((50, 140)), 50, ON_TRACK, 0.4, 60 / (50 / 7), id="lag-0.10"
        ),
        pytest.param(
            REGISTRATIONS, measured((50, 139)), 50, AT_RISK, 0.39, 61 / (50 / 7), id="lag-0.11"
        ),
        pytest.param(
            REGISTRATIONS, measured((80, 170)), 80, ON_TRACK, 0.7, 30 / (20 / 7), id="lag-0.10-late"
        ),
        pytest.param(
            REGISTRATIONS, measured((80, 169)), 80, AT_RISK, 0.69, 31 / (20 / 7), id="lag-0.11-late"
        ),
        # Ahead of the line; the latest measurement counts, not the best.
        pytest.param(
            REGISTRATIONS, measured((10, 190)), 20, ON_TRACK, 0.9, 10 / (80 / 7), id="ahead"
        ),
        pytest.param(
            REGISTRATIONS,
            measured((10, 190), (60, 140)),
            60,
            AT_RISK,
            0.4,
            60 / (40 / 7),
            id="fell-behind",
        ),
        # Going backwards clamps progress at 0.
        pytest.param(
            REGISTRATIONS, measured((31, 80)), 31, AT_RISK, 0.0, 120 / (69 / 7), id="backwards"
        ),
        pytest.param(
            REGISTRATIONS, measured((5, 95)), 5, ON_TRACK, 0.0, 105 / (95 / 7), id="early-dip"
        ),
        # Decreasing KPI: on the line, worse than the baseline, behind.
        pytest.param(
            SUPPORT_COST, measured((50, 45)), 50, ON_TRACK, 0.5, -5 / (50 / 7), id="decrease-line"
        ),
        pytest.param(
            SUPPORT_COST, measured((20, 55)), 20, AT_RISK, 0.0, -15 / (80 / 7), id="decrease-worse"
        ),
        pytest.param(
            SUPPORT_COST,
            measured((90, 42)),
            95,
            ON_TRACK,
            0.8,
            -2 / (5 / 7),
            id="decrease-lag-0.10",
        ),
        pytest.param(
            SUPPORT_COST, measured((90, 43)), 95, AT_RISK, 0.7, -3 / (5 / 7), id="decrease-lag-0.20"
        ),
        # The due date itself, not reached: needed over one day.
        pytest.param(
            REGISTRATIONS, measured((100, 150)), 100, AT_RISK, 0.5, 50 * 7, id="due-day-short"
        ),
        # Overshoot clamps progress at 1 and the goal is achieved.
        pytest.param(REGISTRATIONS, measured((59, 250)), 60, ACHIEVED, 1.0, None, id="overshoot"),
        pytest.param(SUPPORT_COST, measured((59, 30)), 60, ACHIEVED, 1.0, None, id="decrease-over"),
        # Exactly the target, exactly on the due date.
        pytest.param(REGISTRATIONS, measured((100, 200)), 100, ACHIEVED, 1.0, None, id="on-due"),
        pytest.param(SUPPORT_COST, measured((100, 40)), 120, ACHIEVED, 1.0, None, id="dec-on-due"),
        # Achieved before the due date, then fell back: stays achieved, progress shows the fall.
        pytest.param(
            REGISTRATIONS,
            measured((59, 200), (90, 150)),
            109,
            ACHIEVED,
            0.5,
            None,
            id="achieved-then-fell-back",
        ),
        # Past due: missed, with or without evidence, also when the target came a day late.
        pytest.param(REGISTRATIONS, [], 101, MISSED, None, None, id="past-due-no-evidence"),
        pytest.param(REGISTRATIONS, measured((90, 190)), 101, MISSED, 0.9, None, id="past-due"),
        pytest.param(
            REGISTRATIONS, measured((101, 210)), 110, MISSED, 1.0, None, id="target-after-due"
        ),
        pytest.param(SUPPORT_COST, measured((102, 39)), 102, MISSED, 1.0, None, id="dec-late"),
    ],
)
def test_goal_status_progress_and_needed_trajectory(
    terms, measurements, as_of, status, progress, needed_per_week
):
    standing = goal_progress(terms, measurements, as_of=day(as_of))
    assert standing.status is status
    assert standing.progress == (None if progress is None else pytest.approx(progress))
    assert standing.needed_per_week == (
        None if needed_per_week is None else pytest.approx(needed_per_week)
    )
    assert standing.days_left == 100 - as_of
    assert standing.expected_progress == pytest.approx(min(1.0, as_of / 100))


def test_the_latest_known_measurement_is_the_current_value():
    standing = goal_progress(
        REGISTRATIONS, measured((40, 150), (10, 120), (70, 300)), as_of=day(50)
    )
    assert (standing.current, standing.measured_on) == (150.0, day(40))


def test_an_achieved_goal_remembers_the_first_day_it_reached_the_target():
    standing = goal_progress(
        REGISTRATIONS, measured((30, 150), (45, 205), (60, 230), (70, 180)), as_of=day(80)
    )
    assert standing.achieved_on == day(45)
    assert (standing.current, standing.progress) == (180.0, 0.8)


def test_a_goal_reached_only_after_its_due_date_has_no_achievement_day():
    assert first_achievement(REGISTRATIONS, measured((101, 250), (120, 260))) is None
    standing = goal_progress(REGISTRATIONS, measured((101, 250)), as_of=day(130))
    assert standing.achieved_on is None and standing.days_left == -30


@pytest.mark.parametrize(
    ("terms", "value", "reaches", "progress"),
    [
        (REGISTRATIONS, 200.0, True, 1.0),
        (REGISTRATIONS, 199.99, False, 0.9999),
        (REGISTRATIONS, 125.0, False, 0.25),
        (REGISTRATIONS, 100.0, False, 0.0),
        (REGISTRATIONS, -50.0, False, 0.0),
        (REGISTRATIONS, 1e6, True, 1.0),
        (SUPPORT_COST, 40.0, True, 1.0),
        (SUPPORT_COST, 40.01, False, 0.999),
        (SUPPORT_COST, 47.5, False, 0.25),
        (SUPPORT_COST, 60.0, False, 0.0),
        (SUPPORT_COST, 0.0, True, 1.0),
    ],
)
def test_reaching_the_target_and_progress_follow_the_kpis_direction(
    terms, value, reaches, progress
):
    assert reaches_target(terms, value) is reaches
    assert progress_of(terms, value) == pytest.approx(progress)


@pytest.mark.parametrize(
    ("on", "share"),
    [(-10, 0.0), (0, 0.0), (25, 0.25), (100, 1.0), (150, 1.0)],
)
def test_the_share_of_time_gone_is_clamped(on, share):
    assert elapsed_share(REGISTRATIONS, day(on)) == share


# --- terms that make no sense --------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "baseline_date", "due_date", "problem"),
    [
        (Direction.INCREASE, 100, 100, START, DUE, "must be above its baseline"),
        (Direction.INCREASE, 100, 90, START, DUE, "must be above its baseline"),
        (Direction.DECREASE, 50, 50, START, DUE, "must be below its baseline"),
        (Direction.DECREASE, 50, 60, START, DUE, "must be below its baseline"),
        (Direction.INCREASE, 100, 200, START, START, "due date must come after the baseline"),
        (Direction.DECREASE, 50, 40, DUE, START, "due date must come after the baseline"),
        (Direction.INCREASE, 100, 200, START, START + timedelta(days=1), None),
        (Direction.INCREASE, -10, 0, START, DUE, None),
        (Direction.DECREASE, 0, -5, START, DUE, None),
    ],
)
def test_check_terms_refuses_goals_that_cannot_be_met_or_measured(
    direction, baseline, target, baseline_date, due_date, problem
):
    terms = GoalTerms(direction, float(baseline), baseline_date, float(target), due_date)
    found = check_terms(terms)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


# --- properties ----------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def goals_with_evidence(draw: st.DrawFn) -> tuple[GoalTerms, list[Measurement], date]:
    direction = draw(st.sampled_from(Direction))
    baseline = draw(finite)
    gap = draw(st.floats(min_value=1e-3, max_value=1e6, allow_nan=False))
    target = baseline + gap if direction is Direction.INCREASE else baseline - gap
    baseline_date = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)))
    due_date = baseline_date + timedelta(days=draw(st.integers(1, 800)))
    days = st.integers(-100, 1000).map(lambda n: baseline_date + timedelta(days=n))
    measurements = draw(st.lists(st.builds(Measurement, days, finite), max_size=12))
    as_of = draw(days)
    return GoalTerms(direction, baseline, baseline_date, target, due_date), measurements, as_of


@given(goals_with_evidence())
def test_progress_and_expected_progress_stay_between_zero_and_one(case):
    terms, measurements, as_of = case
    standing = goal_progress(terms, measurements, as_of=as_of)
    assert standing.progress is None or 0.0 <= standing.progress <= 1.0
    assert 0.0 <= standing.expected_progress <= 1.0


@given(goals_with_evidence())
def test_a_goal_is_achieved_exactly_when_a_known_measurement_by_its_due_date_reached_target(case):
    terms, measurements, as_of = case
    standing = goal_progress(terms, measurements, as_of=as_of)
    proof = [
        m
        for m in measurements
        if m.on <= min(terms.due_date, as_of) and reaches_target(terms, m.value)
    ]
    assert (standing.status is GoalStatus.ACHIEVED) == bool(proof)
    assert standing.achieved_on == min((m.on for m in proof), default=None)
    if not proof:
        assert (standing.status is GoalStatus.MISSED) == (as_of > terms.due_date)
    if standing.status in (GoalStatus.ACHIEVED, GoalStatus.MISSED):
        assert standing.needed_per_week is None
    else:
        assert standing.needed_per_week is not None
