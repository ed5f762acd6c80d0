"""Outcome attainment and outputs vs outcomes arithmetic: tables of hand-computed cases.

Every case is judged over Q1 2026 (1 January to 31 March) as of 31 March, unless it says so.
"""

from __future__ import annotations

from datetime import date

import pytest

from headway.reports.attainment import (
    ActivityTotals,
    Attainment,
    GoalFacts,
    Period,
    accounts_with_achievement,
    attainment,
    attainment_by,
    is_due,
    outputs_vs_outcomes,
    ratio,
    reached_by_due_date,
)

Q1 = Period(date(2026, 1, 1), date(2026, 3, 31), as_of=date(2026, 3, 31))
Q1_AS_OF_FEB_28 = Period(date(2026, 1, 1), date(2026, 3, 31), as_of=date(2026, 2, 28))


def goal(
    due: date,
    achieved: date | None = None,
    *,
    at_risk: bool = False,
    account: int = 1,
    segment: str | None = "high-touch",
    owner: int | None = 10,
    template: str = "custom",
) -> GoalFacts:
    return GoalFacts(
        account_id=account,
        segment=segment,
        owner_id=owner,
        template=template,
        due_date=due,
        achieved_on=achieved,
        at_risk=at_risk,
    )


@pytest.mark.parametrize(
    ("due", "period", "expected"),
    [
        (date(2026, 1, 1), Q1, True),  # the first day is in
        (date(2025, 12, 31), Q1, False),  # before the period
        (date(2026, 3, 31), Q1, True),  # the last day, which is as_of: decided
        (date(2026, 4, 1), Q1, False),  # after the period
        (date(2026, 2, 28), Q1_AS_OF_FEB_28, True),  # due on as_of
        (date(2026, 3, 1), Q1_AS_OF_FEB_28, False),  # in the period, but not decided yet
    ],
)
def test_a_goal_is_due_when_its_due_date_is_in_the_period_and_has_come(due, period, expected):
    assert is_due(goal(due), period) is expected


@pytest.mark.parametrize(
    ("achieved", "expected"),
    [
        (None, False),
        (date(2026, 2, 1), True),  # early
        (date(2026, 2, 15), True),  # on the due date
        (date(2026, 2, 16), False),  # late does not count
    ],
)
def test_a_goal_counts_as_achieved_only_by_its_due_date(achieved, expected):
    assert reached_by_due_date(goal(date(2026, 2, 15), achieved)) is expected


@pytest.mark.parametrize(
    ("goals", "period", "due", "achieved", "rate", "at_risk"),
    [
        ([], Q1, 0, 0, None, 0),  # nothing due: the rate is undefined, not 0
        ([goal(date(2026, 2, 15), date(2026, 2, 10))], Q1, 1, 1, 1.0, 0),
        # 2 of 5 due reached their target in time; one due before the period, one after it.
        (
            [
                goal(date(2026, 1, 31), date(2026, 1, 20)),
                goal(date(2026, 2, 15), date(2026, 2, 10)),
                goal(date(2026, 3, 10)),
                goal(date(2026, 3, 20)),
                goal(date(2026, 2, 28)),
                goal(date(2025, 12, 15), date(2025, 12, 1)),
                goal(date(2026, 4, 30), date(2026, 3, 5)),
            ],
            Q1,
            5,
            2,
            0.4,
            0,
        ),
        # As of 28 February only the three goals due by then are decided: 2 of 3.
        (
            [
                goal(date(2026, 1, 31), date(2026, 1, 20)),
                goal(date(2026, 2, 15), date(2026, 2, 10)),
                goal(date(2026, 2, 28)),
                goal(date(2026, 3, 10), at_risk=True),
            ],
            Q1_AS_OF_FEB_28,
            3,
            2,
            0.666667,
            1,
        ),
        # At risk counts open goals whatever their due date, beside the decided ones.
        (
            [goal(date(2026, 3, 1)), goal(date(2026, 6, 30), at_risk=True)],
            Q1,
            1,
            0,
            0.0,
            1,
        ),
    ],
)
def test_attainment_of_goals(goals, period, due, achieved, rate, at_risk):
    total = attainment(goals, period)
    assert (total.goals_due, total.goals_achieved, total.attainment_rate, total.at_risk) == (
        due,
        achieved,
        rate,
        at_risk,
    )


def test_attainment_by_group_leaves_out_groups_with_nothing_due_or_at_risk():
    goals = [
        goal(date(2026, 2, 15), date(2026, 2, 10), segment="high-touch"),
        goal(date(2026, 3, 10), segment="high-touch"),
        goal(date(2026, 1, 31), date(2026, 1, 20), segment="tech-touch"),
        goal(date(2026, 6, 30), at_risk=True, segment="tech-touch"),
        goal(date(2026, 6, 30), segment="mid-touch"),  # open, on track: nothing to count
        goal(date(2026, 2, 1), segment=None),
    ]
    assert attainment_by(goals, Q1, lambda g: g.segment) == {
        "high-touch": Attainment(goals_due=2, goals_achieved=1, at_risk=0),
        "tech-touch": Attainment(goals_due=1, goals_achieved=1, at_risk=1),
        None: Attainment(goals_due=1, goals_achieved=0, at_risk=0),
    }


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(0, 0, None), (0, 3, 0.0), (1, 3, 0.333333), (2, 3, 0.666667), (3, 3, 1.0)],
)
def test_ratios_keep_six_decimals_and_are_undefined_over_zero(part, whole, expected):
    assert ratio(part, whole) == expected


def test_accounts_with_an_achievement_on_a_day_of_the_period_up_to_as_of():
    achievements = [
        (1, date(2026, 2, 10)),
        (2, date(2025, 12, 31)),  # before the period
        (3, date(2026, 3, 5)),  # after as_of 28 February
        (4, date(2026, 1, 1)),
    ]
    assert accounts_with_achievement(achievements, Q1) == {1, 3, 4}
    assert accounts_with_achievement(achievements, Q1_AS_OF_FEB_28) == {1, 4}


def test_outputs_vs_outcomes_puts_each_csms_results_side_by_side():
    # CSM 10 owns accounts 1 and 2 (and churned 5, not current); CSM 20 owns 3 and 4.
    goals = [
        goal(date(2026, 2, 15), date(2026, 2, 10), account=1, owner=10),
        goal(date(2026, 3, 10), account=1, owner=10),
        goal(date(2026, 1, 31), date(2026, 1, 20), account=2, owner=10),
        goal(date(2026, 2, 28), account=5, owner=10),
        goal(date(2026, 3, 20), account=3, owner=20),
        goal(date(2026, 6, 30), at_risk=True, account=4, owner=20),
        goal(date(2026, 3, 1), account=6, owner=None),  # nobody's: not a CSM's row
    ]
    results = outputs_vs_outcomes(
        goals,
        Q1,
        current_accounts=[(10, 1), (10, 2), (20, 3), (20, 4), (None, 6)],
        achievements=[(1, date(2026, 2, 10)), (2, date(2026, 1, 20)), (3, date(2026, 3, 5))],
        activities={
            10: ActivityTotals(2, 150),
            20: ActivityTotals(3, 90),
            30: ActivityTotals(1, 45),
        },
    )
    assert set(results) == {10, 20, 30}  # 30 only took part in an activity
    bob, erin, helper = results[10], results[20], results[30]
    assert bob.attainment == Attainment(goals_due=4, goals_achieved=2, at_risk=0)
    assert (bob.accounts, bob.accounts_with_achievement, bob.achievement_share) == (2, 2, 1.0)
    assert (bob.activities, bob.minutes, bob.hours) == (2, 150, 2.5)
    assert erin.attainment == Attainment(goals_due=1, goals_achieved=0, at_risk=1)
    assert (erin.accounts, erin.accounts_with_achievement, erin.achievement_share) == (2, 1, 0.5)
    assert (erin.activities, erin.hours) == (3, 1.5)
    assert helper.attainment == Attainment()
    assert (helper.accounts, helper.achievement_share, helper.hours) == (0, None, 0.75)
