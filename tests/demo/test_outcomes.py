"""The demo company's outcomes and outputs: plans, goals with evidence, activities, churn."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from headway.demo.catalogue import (
    ACTIVITY_INDEX,
    GOAL_KINDS,
    MEETING_CADENCE_DAYS,
    PLAN_KINDS,
    REVIEW_CADENCE_DAYS,
)
from headway.demo.company import DemoCompany, generate_company
from headway.demo.histories import NewCustomers, simulate_histories
from headway.demo.lifecycle import STAGE_KEYS
from headway.demo.segments import BUSINESS, HIGH_TOUCH, MID_TOUCH, TECH_TOUCH
from headway.outcomes.progress import (
    Direction,
    GoalTerms,
    Measurement,
    check_terms,
    first_achievement,
    goal_progress,
    reaches_target,
)

AS_OF = date(2026, 6, 30)
AS_OF_DAY = (AS_OF - date(1970, 1, 1)).days
CHURNED = STAGE_KEYS.index("churned")


def day(number: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(number))


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate_company(seed=11, as_of=AS_OF, accounts=1_500)


def terms(company: DemoCompany, i: int) -> GoalTerms:
    goals = company.success_plans.goals
    return GoalTerms(
        direction=Direction(GOAL_KINDS[goals.template[i]].direction),
        baseline=float(goals.baseline[i]),
        baseline_date=day(goals.baseline_day[i]),
        target=float(goals.target[i]),
        due_date=day(goals.due_day[i]),
    )


def measurements(company: DemoCompany, i: int) -> list[Measurement]:
    evidence = company.success_plans.evidence
    rows = np.flatnonzero(evidence.goal == i)
    return [Measurement(day(evidence.day[r]), float(evidence.value[r])) for r in rows]


@pytest.fixture(scope="module")
def statuses(company: DemoCompany) -> np.ndarray:
    """Each goal's status as of as_of, by the progress rules."""
    found = []
    evidence = company.success_plans.evidence
    bounds = np.searchsorted(evidence.goal, np.arange(len(company.success_plans.goals) + 1))
    for i in range(len(company.success_plans.goals)):
        rows = range(bounds[i], bounds[i + 1])
        known = [Measurement(day(evidence.day[r]), float(evidence.value[r])) for r in rows]
        found.append(goal_progress(terms(company, i), known, as_of=AS_OF).status.value)
    return np.array(found)


def ever_churned(company: DemoCompany) -> np.ndarray:
    churned = np.zeros(len(company.accounts), dtype=bool)
    changes = company.stage_changes
    churned[changes.account[changes.to_stage == CHURNED]] = True
    return churned


def first_start(company: DemoCompany) -> np.ndarray:
    subs = company.subscriptions
    starts = subs.start_date.astype(np.int64)
    found = np.full(len(company.accounts), np.iinfo(np.int64).max)
    np.minimum.at(found, subs.account, starts)
    return found


# --- goals and their evidence --------------------------------------------------------------


def test_every_goal_has_terms_the_progress_rules_accept(company: DemoCompany) -> None:
    for i in range(len(company.success_plans.goals)):
        assert check_terms(terms(company, i)) is None, i


def test_achievement_is_what_settling_the_evidence_gives(company: DemoCompany) -> None:
    goals, evidence = company.success_plans.goals, company.success_plans.evidence
    for i in range(len(goals)):
        rules = terms(company, i)
        achieved = first_achievement(rules, measurements(company, i))
        assert (achieved is None) == (goals.achieved_day[i] < 0), i
        if achieved is None:
            assert goals.proof[i] == -1
            continue
        assert achieved == day(goals.achieved_day[i])
        proof = goals.proof[i]
        assert evidence.goal[proof] == i and evidence.day[proof] == goals.achieved_day[i]
        assert reaches_target(rules, float(evidence.value[proof]))
        # Measuring stopped with the measurement that proved it.
        assert evidence.day[evidence.goal == i].max() == goals.achieved_day[i]


def test_goals_are_achieved_missed_at_risk_on_track_and_not_started(
    statuses: np.ndarray,
) -> None:
    shares = {s: float(np.mean(statuses == s)) for s in np.unique(statuses)}
    assert set(shares) == {"achieved", "missed", "at_risk", "on_track", "not_started"}
    assert shares["achieved"] > 0.3 and shares["missed"] > 0.2
    assert shares["at_risk"] > 0.03 and shares["on_track"] > 0.05


def test_evidence_is_measured_while_the_goal_runs_once_a_day_at_most(
    company: DemoCompany,
) -> None:
    goals, evidence = company.success_plans.goals, company.success_plans.evidence
    goal = evidence.goal
    assert (evidence.day > goals.baseline_day[goal]).all()
    assert (evidence.day <= np.minimum(goals.due_day[goal], AS_OF_DAY)).all()
    assert (np.diff(goal) >= 0).all()
    same_goal = goal[1:] == goal[:-1]
    assert (np.diff(evidence.day)[same_goal] > 0).all()
    # Seat goals are measured from the subscriptions, by Headway's sampling rule.
    seats = np.array([k.source == "seats" for k in GOAL_KINDS])[goals.template[goal]]
    assert seats.any() and set(evidence.source[seats].tolist()) == {2}
    assert set(evidence.recorded_by[seats].tolist()) == {"rule: sample metrics"}
    emails = {p.email for p in company.team}
    manual = evidence.source == 0
    assert set(evidence.recorded_by[manual].tolist()) <= emails


def test_seat_goals_are_the_seats_the_subscriptions_hold(company: DemoCompany) -> None:
    goals, evidence = company.success_plans.goals, company.success_plans.evidence
    subs = company.subscriptions
    rollout = np.flatnonzero(goals.template == [k.key for k in GOAL_KINDS].index("rollout"))
    assert len(rollout) > 10
    for i in rollout[:40].tolist():
        mine = subs.account == goals.account[i]
        for row in np.flatnonzero(evidence.goal == i).tolist():
            on = np.datetime64(day(evidence.day[row]))
            active = (
                mine & (subs.start_date <= on) & (np.isnat(subs.end_date) | (subs.end_date > on))
            )
            assert evidence.value[row] == subs.quantity[active].sum()


def test_engaged_accounts_and_diligent_csms_reach_more_of_their_goals(
    company: DemoCompany,
) -> None:
    goals = company.success_plans.goals
    due = goals.due_day <= AS_OF_DAY
    achieved = goals.achieved_day >= 0
    engagement = company.accounts.engagement
    low = engagement[goals.account] < np.quantile(engagement, 1 / 3)
    high = engagement[goals.account] > np.quantile(engagement, 2 / 3)
    # Attainment of goals due: about 29 % in the least engaged third, 79 % in the most.
    assert achieved[due & high].mean() > achieved[due & low].mean() + 0.3
    csms = [i for i, p in enumerate(company.team) if p.role == "csm"]
    keen = max(csms, key=lambda i: company.diligence[i])
    lax = min(csms, key=lambda i: company.diligence[i])
    # The most diligent CSM's goals: about 77 %; the least diligent's: about 33 %.
    keen_rate = achieved[due & (goals.owner == keen)].mean()
    lax_rate = achieved[due & (goals.owner == lax)].mean()
    assert keen_rate > lax_rate + 0.2


# --- outcomes and churn --------------------------------------------------------------------


def test_accounts_that_achieved_a_goal_churn_far_less_than_those_that_only_missed(
    company: DemoCompany, statuses: np.ndarray
) -> None:
    goals = company.success_plans.goals
    n = len(company.accounts)
    achieved = np.zeros(n, dtype=bool)
    achieved[goals.account[statuses == "achieved"]] = True
    missed = np.zeros(n, dtype=bool)
    missed[goals.account[statuses == "missed"]] = True
    only_missed = missed & ~achieved
    churned = ever_churned(company)
    # 52 % of the accounts with only missed goals have churned, 15 % of those with an achieved
    # one: 3.6 times as many at this seed and size.
    ratio = churned[only_missed].mean() / churned[achieved].mean()
    assert ratio > 2.5
    # Engagement drives both, but not alone: in the middle engagement third it is 2.7 times.
    engagement = company.accounts.engagement
    middle = (engagement > np.quantile(engagement, 1 / 3)) & (
        engagement < np.quantile(engagement, 2 / 3)
    )
    assert churned[only_missed & middle].mean() > 1.8 * churned[achieved & middle].mean()


def test_reaching_the_first_expected_outcome_lowers_churn_in_the_simulation() -> None:
    """The same customers, simulated twice: all reach their first outcome, or all miss it."""
    n, start = 4_000, (date(2023, 8, 1) - date(1970, 1, 1)).days
    engagement_z = np.random.default_rng(1).standard_normal(n)

    def churned(reached: bool) -> float:
        customers = NewCustomers(
            paid_start=np.full(n, start),
            trial_days=np.zeros(n, dtype=np.int64),
            plan=np.full(n, BUSINESS),
            yearly=np.zeros(n, dtype=bool),
            seats=np.full(n, 20),
            engagement_z=engagement_z,
            value_day=np.full(n, start + 30),
            outcome_day=np.full(n, start + 180),
            outcome_reached=np.full(n, reached),
            rollout_day=np.full(n, 10**6),
        )
        histories = simulate_histories(np.random.default_rng(2), customers, AS_OF_DAY)
        return float(
            np.isin(np.arange(n), histories.event_account[histories.event_kind == 1]).mean()
        )

    reached, missed = churned(True), churned(False)
    # About 23 % against 43 % over the three years: 1.9 times as many leave.
    assert missed > 1.6 * reached > 0


# --- plans and milestones ------------------------------------------------------------------


def test_plans_follow_the_templates_of_the_segment_served(company: DemoCompany) -> None:
    plans, goals = company.success_plans.plans, company.success_plans.goals
    eras = company.eras
    onboarding = np.array([PLAN_KINDS[t].stage == "onboarding" for t in plans.template])
    # One onboarding plan per account, its first segment's, when it first started.
    assert np.array_equal(np.sort(plans.account[onboarding]), np.arange(len(company.accounts)))
    first = np.flatnonzero(onboarding)
    kinds = np.array([PLAN_KINDS[t].segment for t in plans.template[first]])
    assert np.array_equal(kinds, eras.first_segment[plans.account[first]])
    assert np.array_equal(plans.start_day[first], first_start(company)[plans.account[first]])
    # Value plans come after, in the segment the account was served as.
    value = np.flatnonzero(~onboarding)
    assert len(value) > 0
    assert (plans.start_day[value] > first_start(company)[plans.account[value]]).all()
    assert not plans.active[onboarding & (company.accounts.stage[plans.account] != 0)].any()
    # Each goal comes from its plan's template.
    for i in range(0, len(goals), 5):
        kind = PLAN_KINDS[plans.template[goals.plan[i]]]
        assert GOAL_KINDS[goals.template[i]].key in kind.goal_keys
        assert plans.account[goals.plan[i]] == goals.account[i]
        assert goals.baseline_day[i] >= plans.start_day[goals.plan[i]]
    assert goals.expected.any() and not goals.expected.all()


def test_each_account_has_one_first_value_milestone_done_by_most(
    company: DemoCompany,
) -> None:
    milestones = company.success_plans.milestones
    first_value = milestones.first_value
    assert np.array_equal(
        np.sort(milestones.account[first_value]), np.arange(len(company.accounts))
    )
    done = milestones.done_day[first_value] >= 0
    assert 0.75 < done.mean() < 0.97
    assert (milestones.done_day <= AS_OF_DAY).all()
    # Onboarding steps due before first value are done before it, those due after, after.
    plans = company.success_plans.plans
    value_day = np.full(len(plans), -1)
    value_day[milestones.plan[first_value]] = milestones.done_day[first_value]
    value_due = np.full(len(plans), -1)
    value_due[milestones.plan[first_value]] = milestones.due_day[first_value]
    steps = ~first_value & (milestones.done_day >= 0) & (value_day[milestones.plan] >= 0)
    before = steps & (milestones.due_day < value_due[milestones.plan])
    after = steps & (milestones.due_day > value_due[milestones.plan])
    assert before.any() and after.any()
    assert (milestones.done_day[before] < value_day[milestones.plan[before]]).all()
    assert (milestones.done_day[after] > value_day[milestones.plan[after]]).all()


def test_a_review_milestone_is_done_by_the_first_business_review_of_its_plan(
    company: DemoCompany,
) -> None:
    milestones, plans = company.success_plans.milestones, company.success_plans.plans
    activities = company.activities
    reviews = activities.type == ACTIVITY_INDEX["business_review"]
    names = {"Quarterly business review", "Business review"}
    checked = 0
    for i in np.flatnonzero(np.isin(milestones.name, list(names)))[:300].tolist():
        plan = milestones.plan[i]
        held = activities.day[reviews & (activities.account == milestones.account[i])]
        held = held[held >= plans.start_day[plan]]
        if milestones.done_day[i] >= 0:
            assert milestones.done_day[i] == held.min()
            checked += 1
        else:
            # No review while the plan ran (until the account's next plan, or now).
            starts = plans.start_day[plans.account == plans.account[plan]]
            ended = starts[starts > plans.start_day[plan]].min(initial=AS_OF_DAY + 1)
            assert not (held < ended).any()
    assert checked > 50


# --- activities ----------------------------------------------------------------------------


def never_handed_over(company: DemoCompany, segment: int) -> np.ndarray:
    eras = company.eras
    return (eras.handover_day < 0) & (eras.segment == segment) & (eras.first_segment == segment)


def test_activities_follow_each_segments_appropriate_experience(company: DemoCompany) -> None:
    activities = company.activities
    account = activities.account
    tech = never_handed_over(company, TECH_TOUCH)[account]
    digital = {ACTIVITY_INDEX[k] for k in ("email", "in_app", "webinar")}
    assert set(activities.type[tech].tolist()) == digital
    per_account = [
        np.isin(account, np.flatnonzero(never_handed_over(company, s))).sum()
        / never_handed_over(company, s).sum()
        for s in (HIGH_TOUCH, MID_TOUCH, TECH_TOUCH)
    ]
    assert per_account[0] > per_account[1] > per_account[2]

    def median_gap(segment: int, keys: tuple[str, ...]) -> float:
        mine = never_handed_over(company, segment)[account] & np.isin(
            activities.type, [ACTIVITY_INDEX[k] for k in keys]
        )
        same = account[mine][1:] == account[mine][:-1]
        return float(np.median(np.diff(activities.day[mine])[same]))

    conversation = ("meeting", "call", "check_in", "business_review")
    # High-touch: a check-in about monthly, a business review about quarterly; mid-touch less.
    assert 10 < median_gap(HIGH_TOUCH, conversation) < 35
    assert 60 < median_gap(HIGH_TOUCH, ("business_review",)) < 120
    assert 35 < median_gap(MID_TOUCH, conversation) < 120
    assert median_gap(MID_TOUCH, ("business_review",)) > median_gap(
        HIGH_TOUCH, ("business_review",)
    )


def test_some_csms_over_cover_and_some_under_cover(company: DemoCompany) -> None:
    activities = company.activities
    since = AS_OF_DAY - 365
    steady = ~ever_churned(company) & (first_start(company) < since - 120)
    required = np.isin(
        activities.type,
        [ACTIVITY_INDEX[k] for k in ("meeting", "call", "check_in", "business_review")],
    ) & (activities.day >= since)
    meeting, review = company.outcomes.meeting_days, company.outcomes.review_days
    coverage = {}
    for i, person in enumerate(company.team):
        if person.segment not in (HIGH_TOUCH, MID_TOUCH):
            continue
        mine = np.flatnonzero(
            steady & (company.accounts.owner == i) & (company.eras.handover_day < 0)
        )
        touches = np.isin(activities.account, mine) & required
        # Check-ins and reviews the account's cadences ask for in a year.
        asked = (365 / meeting[mine] + 365 / review[mine]).sum()
        coverage[i] = touches.sum() / asked
    keen = max(coverage, key=lambda i: company.diligence[i])
    lax = min(coverage, key=lambda i: company.diligence[i])
    assert coverage[keen] > 1.2 > 0.9 > coverage[lax]
    assert company.diligence.max() > 1.2 and company.diligence.min() < 0.8


def test_participants_are_the_owner_and_contacts_known_by_then(company: DemoCompany) -> None:
    activities, contacts = company.activities, company.contacts
    by_person = np.flatnonzero(activities.logged_by >= 0)
    pairs = set(zip(activities.user_activity.tolist(), activities.user.tolist(), strict=True))
    assert all((i, activities.logged_by[i]) in pairs for i in by_person[::7].tolist())
    manager = [i for i, p in enumerate(company.team) if p.role == "manager"]
    assert set(activities.user.tolist()) - set(activities.logged_by.tolist()) == set(manager)
    # Programs send their touches alone.
    programs = set(np.flatnonzero(activities.logged_by < 0).tolist())
    assert programs and not programs & set(activities.user_activity.tolist())
    contact = activities.contact
    assert np.array_equal(
        contacts.account[contact], activities.account[activities.contact_activity]
    )
    assert (
        contacts.created_at[contact] <= activities.occurred_at[activities.contact_activity]
    ).all()
    # Goals served are the account's, worked on that day.
    goals = company.success_plans.goals
    served = activities.goal_activity
    assert len(served) > 100
    assert np.array_equal(goals.account[activities.goal], activities.account[served])
    assert (goals.baseline_day[activities.goal] <= activities.day[served]).all()
    assert (goals.due_day[activities.goal] >= activities.day[served]).all()


def test_activities_are_dated_within_the_history_in_office_hours(company: DemoCompany) -> None:
    activities = company.activities
    assert (activities.day <= AS_OF_DAY).all()
    assert (activities.day >= first_start(company)[activities.account]).all()
    hours = (activities.occurred_at.astype(np.int64) % 86_400) // 3_600
    assert hours.min() >= 8 and hours.max() <= 17
    weekday = (activities.day + 3) % 7
    assert (weekday < 5).mean() > 0.95
    assert len(set(activities.external_id.tolist())) == len(activities)


# --- Desired Outcomes ----------------------------------------------------------------------


def test_csms_tailor_some_desired_outcomes_and_their_cadences_apply(
    company: DemoCompany,
) -> None:
    outcomes, accounts = company.outcomes, company.accounts
    desired = outcomes.desired
    handed = set(outcomes.handoffs.account.tolist())
    tailored = np.array([i not in handed for i in desired.account.tolist()])
    assert (accounts.owner[desired.account[tailored]] >= 0).all()
    share = [
        np.isin(np.flatnonzero(accounts.segment == s), desired.account).mean()
        for s in (HIGH_TOUCH, MID_TOUCH, TECH_TOUCH)
    ]
    assert share[0] > share[1] > share[2] > 0
    defaults = np.array([MEETING_CADENCE_DAYS[s] or -1 for s in accounts.segment])
    changed = outcomes.meeting_days != defaults
    assert changed.any() and set(np.flatnonzero(changed).tolist()) <= set(desired.account.tolist())
    review_defaults = np.array([REVIEW_CADENCE_DAYS[s] or -1 for s in accounts.segment])
    assert (outcomes.review_days != review_defaults).any()
    assert all(text.endswith(".") for text in desired.required_outcome.tolist())
    assert all("(" in text for text in desired.stakeholders.tolist())


def test_newer_accounts_come_with_a_handoff_that_is_an_expected_outcome(
    company: DemoCompany,
) -> None:
    outcomes = company.outcomes
    handoffs, statements = outcomes.handoffs, outcomes.statements
    starts = first_start(company)[handoffs.account]
    assert len(handoffs) > 20
    assert (starts >= AS_OF_DAY - 365).all()
    assert set(company.eras.first_segment[handoffs.account].tolist()) <= {HIGH_TOUCH, MID_TOUCH}
    assert (handoffs.due_day > starts).all()
    promises = set(
        zip(
            statements.account[~statements.desired].tolist(),
            statements.statement[~statements.desired].tolist(),
            strict=True,
        )
    )
    for account, promised in zip(
        handoffs.account.tolist(), handoffs.promised.tolist(), strict=True
    ):
        assert (account, promised) in promises
    # Every hand-off named stakeholders, so each stored the Desired Outcome.
    assert set(handoffs.account.tolist()) <= set(outcomes.desired.account.tolist())


def test_some_stakeholders_hope_for_something_of_their_own(company: DemoCompany) -> None:
    statements, contacts = company.outcomes.statements, company.contacts
    personal = statements.contact >= 0
    assert personal.any() and statements.desired[personal].all()
    assert np.array_equal(
        contacts.account[statements.contact[personal]], statements.account[personal]
    )
    personas = set(contacts.persona[statements.contact[personal]].tolist())
    assert personas == {0, 1}  # the decision maker and the champion
    assert (~statements.desired).any() and statements.desired.any()
    assert (statements.due_day[~statements.desired] > 0).all()
    assert (statements.due_day[statements.desired] == -1).all()
