"""Outcome attainment and coverage of the report company (tests/reports/company.py), computed by
hand from its tables."""

from __future__ import annotations

from datetime import date

import pytest

from headway.core.errors import InvalidInput, NotFound
from headway.reports.attainment import Attainment
from headway.reports.compliance import Compliance
from headway.reports.service import coverage_report, outcome_report, report_period

pytestmark = pytest.mark.usefixtures("frozen_today")


def groups(lines):
    return {line.name: line.figures for line in lines}


def test_the_default_period_is_the_90_days_to_today_as_of_today():
    period = report_period()
    assert (period.start, period.end, period.as_of) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        date(2026, 3, 31),
    )
    # Only --to given: the 90 days ending then, still judged as of today.
    earlier = report_period(end=date(2026, 2, 28))
    assert (earlier.start, earlier.as_of) == (date(2025, 12, 1), date(2026, 3, 31))


def test_a_period_must_start_before_it_ends_and_as_of_cannot_be_in_the_future():
    with pytest.raises(InvalidInput, match="starts"):
        report_period(start=date(2026, 3, 1), end=date(2026, 2, 1))
    with pytest.raises(InvalidInput, match="after today"):
        report_period(as_of=date(2026, 4, 1))


def test_attainment_counts_goals_due_in_the_period_that_reached_target_by_their_due_date(
    session, company
):
    report = outcome_report(session=session)
    # Due in Q1: G1 (achieved), G2 (missed), G3 (reached after its due date), G5 (achieved),
    # G9 (missed, Hooli). Not G4 (due in December) nor G8 (achieved early, due in April).
    # At risk: G6; G10 would be, but Hooli has churned.
    assert report.total == Attainment(goals_due=5, goals_achieved=2, at_risk=1)
    assert report.total.attainment_rate == 0.4
    assert [line.key for line in report.by_segment] == ["high-touch", "tech-touch"]
    assert groups(report.by_segment) == {
        "High-touch": Attainment(goals_due=4, goals_achieved=1, at_risk=0),  # G1 of G1 G2 G3 G9
        "Tech-touch": Attainment(goals_due=1, goals_achieved=1, at_risk=1),  # G5; G6 at risk
    }
    assert groups(report.by_csm) == {
        "Bob Brown": Attainment(goals_due=4, goals_achieved=2, at_risk=0),  # G1 G2 G5 G9
        "Erin Evans": Attainment(goals_due=1, goals_achieved=0, at_risk=1),  # G3; G6
    }
    assert [(line.key, line.name) for line in report.by_template] == [
        ("registrations", "More event registrations"),
        ("support-cost", "Support cost down 20 %"),
        ("custom", "Custom goals"),
    ]
    assert [line.figures for line in report.by_template] == [
        Attainment(goals_due=2, goals_achieved=1, at_risk=0),  # G1, G3
        Attainment(goals_due=1, goals_achieved=1, at_risk=0),  # G5
        Attainment(goals_due=2, goals_achieved=0, at_risk=1),  # G2, G9; G6
    ]


def test_the_goals_at_risk_list_names_goal_account_and_owner(session, company, erin):
    [g6] = outcome_report(session=session).goals_at_risk
    assert (g6.goal_id, g6.account_id, g6.account_name) == (
        company.goals["G6"].id,
        company.umbrella.id,
        "Umbrella",
    )
    assert (g6.owner_id, g6.owner_name, g6.due_date) == (erin.id, "Erin Evans", date(2026, 6, 30))
    # 105 of the way 100 → 200: 5 %; on 31 March 89 of its 180 days are gone.
    assert g6.progress == pytest.approx(0.05)
    assert g6.expected_progress == pytest.approx(89 / 180)


def test_outputs_vs_outcomes_per_csm(session, company, bob, erin):
    report = outcome_report(session=session)
    assert [line.key for line in report.csms] == [bob.id, erin.id]
    bobs, erins = (line.figures for line in report.csms)
    # Bob: 2 of 4 goals; Acme (G1) and Globex (G5) of his current accounts (Hooli churned);
    # activities 1 and 2 (120 + 30 minutes), not 3 (November).
    assert bobs.attainment == Attainment(goals_due=4, goals_achieved=2, at_risk=0)
    assert (bobs.accounts, bobs.accounts_with_achievement, bobs.achievement_share) == (2, 2, 1.0)
    assert (bobs.activities, bobs.hours) == (2, 2.5)
    # Erin: more activities (2, 5 and 6: 90 minutes), fewer outcomes: 0 of 1 goal due, and
    # only Initech (G8, achieved early on 5 March) of Initech and Umbrella.
    assert erins.attainment == Attainment(goals_due=1, goals_achieved=0, at_risk=1)
    assert (erins.accounts, erins.accounts_with_achievement, erins.achievement_share) == (2, 1, 0.5)
    assert (erins.activities, erins.hours) == (3, 1.5)


def test_a_report_as_of_an_earlier_day_knows_only_what_had_happened_by_then(session, company):
    report = outcome_report(
        session=session, start=date(2026, 1, 1), end=date(2026, 3, 31), as_of=date(2026, 2, 28)
    )
    # Decided by 28 February: G5 and G1 (achieved), G9 (missed).
    # At risk then: G2 (no evidence with 58 of its 68 days gone) and G3 (120 on 1 February:
    # 20 % of the way with 31 of 78 days, 40 %, gone). G6, G7 and G8 had not started.
    assert report.total == Attainment(goals_due=3, goals_achieved=2, at_risk=2)
    assert [g.name for g in report.goals_at_risk] == ["Newsletter reach", "Registrations up"]
    bobs, erins = (line.figures for line in report.csms)
    # Activities up to 28 February: none; achievements: G5 (Globex, 20 January), G1 (Acme).
    assert (bobs.activities, bobs.accounts_with_achievement) == (0, 2)
    assert (erins.activities, erins.accounts_with_achievement) == (0, 0)


def test_a_period_ending_after_as_of_leaves_goals_due_later_undecided(session, company):
    report = outcome_report(session=session, start=date(2026, 1, 1), end=date(2026, 4, 30))
    # G8 and G10 fall due on 30 April: not decided on 31 March.
    assert (report.total.goals_due, report.total.goals_achieved) == (5, 2)


def test_a_period_before_the_goals_has_nothing_due_and_an_undefined_rate(session, company):
    report = outcome_report(session=session, start=date(2025, 1, 1), end=date(2025, 6, 30))
    assert report.total == Attainment(goals_due=0, goals_achieved=0, at_risk=1)
    assert report.total.attainment_rate is None


def test_coverage_finds_the_gaps_of_current_accounts_most_overdue_first(session, company):
    report = coverage_report(session=session)
    # Acme: review on 10 March, check-in on 25 March: covered. Initech: no business review
    # since 1 October, due after 90 days (30 December): 91 days overdue. Globex: digital touch
    # due 90 days after 15 November (13 February): 46 days. Umbrella: onboarding email due 14
    # days after 1 March: 16 days. Hooli has churned: out of the report.
    assert report.total == Compliance(accounts_covered=1, accounts_with_gap=3, overdue_days=153)
    assert report.total.compliance_rate == 0.25
    assert [
        (line.gap.account_name, line.gap.requirement, line.gap.overdue_days, line.owner_name)
        for line in report.gaps
    ] == [
        ("Initech", "Business review", 91, "Erin Evans"),
        ("Globex", "Digital touch", 46, "Bob Brown"),
        ("Umbrella", "Onboarding email", 16, "Erin Evans"),
    ]
    initech = report.gaps[0].gap
    assert (initech.last_touch, initech.due_on, initech.every_days) == (
        None,
        date(2025, 12, 30),
        90,
    )
    assert groups(report.by_segment) == {
        "High-touch": Compliance(accounts_covered=1, accounts_with_gap=1, overdue_days=91),
        "Tech-touch": Compliance(accounts_covered=0, accounts_with_gap=2, overdue_days=62),
    }
    assert groups(report.by_csm) == {
        "Bob Brown": Compliance(accounts_covered=1, accounts_with_gap=1, overdue_days=46),
        "Erin Evans": Compliance(accounts_covered=0, accounts_with_gap=2, overdue_days=107),
    }


def test_coverage_filters_by_segment_and_owner(session, company, bob):
    tech = coverage_report(session=session, segment="tech-touch")
    assert [line.gap.account_name for line in tech.gaps] == ["Globex", "Umbrella"]
    bobs = coverage_report(session=session, owner_id=bob.id)
    assert bobs.total == Compliance(accounts_covered=1, accounts_with_gap=1, overdue_days=46)
    both = coverage_report(session=session, segment="high-touch", owner_id=bob.id)
    assert (both.total.accounts, both.gaps) == (1, [])


def test_coverage_as_of_an_earlier_day(session, company):
    # 1 March: Acme's check-in was due 30 days after the review of 10 March — not yet made;
    # its last conversation before was none, so 30 days after 1 October: 31 October, 121 days.
    report = coverage_report(session=session, as_of=date(2026, 3, 1))
    overdue = {(g.gap.account_name, g.gap.requirement): g.gap.overdue_days for g in report.gaps}
    assert overdue[("Acme", "Check-in")] == 121
    assert overdue[("Initech", "Business review")] == 61


def test_coverage_refuses_an_unknown_segment_or_owner(session, company):
    with pytest.raises(InvalidInput, match="unknown segment"):
        coverage_report(session=session, segment="vip")
    with pytest.raises(NotFound):
        coverage_report(session=session, owner_id=999_999)
