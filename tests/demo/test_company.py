"""The demo company generator: deterministic, and shaped like a real SaaS customer base."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest

from headway.demo.company import DemoCompany, generate_company, history_start
from headway.demo.contacts import PERSONAS
from headway.demo.lifecycle import STAGE_KEYS
from headway.demo.segments import (
    CURRENCIES,
    HIGH_TOUCH,
    HIGH_TOUCH_MIN_ARR,
    MID_TOUCH,
    MID_TOUCH_MIN_ARR,
    SEGMENT_KEYS,
    TECH_TOUCH,
)

AS_OF = date(2026, 6, 30)
STAGE = {key: index for index, key in enumerate(STAGE_KEYS)}


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    # 1,500 accounts take a tenth of a second without a database, and give steady shares.
    return generate_company(seed=11, as_of=AS_OF, accounts=1_500)


def mrr_on(company: DemoCompany, day: date) -> np.ndarray:
    """MRR in minor units of every account on a day, from its subscriptions."""
    subs = company.subscriptions
    on = np.datetime64(day, "D")
    active = (subs.start_date <= on) & (np.isnat(subs.end_date) | (subs.end_date > on))
    monthly = np.where(subs.yearly, subs.amount_minor / 12, subs.amount_minor) * subs.quantity
    return np.bincount(
        subs.account[active], weights=monthly[active], minlength=len(company.accounts)
    )


def ever_in_stage(company: DemoCompany, stage: str) -> np.ndarray:
    reached = np.zeros(len(company.accounts), dtype=bool)
    changes = company.stage_changes
    reached[changes.account[changes.to_stage == STAGE[stage]]] = True
    return reached


# Every table of the company, as a path of attributes from DemoCompany.
PARTS = (
    "accounts",
    "contacts",
    "subscriptions",
    "stage_changes",
    "outcomes.desired",
    "outcomes.handoffs",
    "outcomes.statements",
    "success_plans.plans",
    "success_plans.goals",
    "success_plans.evidence",
    "success_plans.milestones",
    "activities",
)


def part_of(company: DemoCompany, path: str) -> Any:
    found: Any = company
    for name in path.split("."):
        found = getattr(found, name)
    return found


def assert_same_company(first: DemoCompany, second: DemoCompany) -> None:
    assert first.team == second.team
    assert np.array_equal(first.diligence, second.diligence)
    for part in PARTS:
        a, b = part_of(first, part), part_of(second, part)
        for column in fields(a):
            left, right = getattr(a, column.name), getattr(b, column.name)
            assert left.dtype == right.dtype, (part, column.name)
            assert np.array_equal(left, right, equal_nan=left.dtype.kind in "fmM"), (
                part,
                column.name,
            )


# --- determinism ---------------------------------------------------------------------------


def test_the_same_seed_date_and_size_give_the_same_company_row_for_row() -> None:
    first = generate_company(seed=5, as_of=AS_OF, accounts=300)
    second = generate_company(seed=5, as_of=AS_OF, accounts=300)
    assert_same_company(first, second)


def test_another_seed_gives_another_company() -> None:
    first = generate_company(seed=5, as_of=AS_OF, accounts=300)
    other = generate_company(seed=6, as_of=AS_OF, accounts=300)
    assert set(first.accounts.name) != set(other.accounts.name)
    assert not np.array_equal(first.accounts.engagement, other.accounts.engagement)
    assert first.summary()["subscriptions"] != other.summary()["subscriptions"]
    assert first.summary()["activities"] != other.summary()["activities"]


def test_a_negative_seed_or_an_empty_company_is_refused() -> None:
    with pytest.raises(ValueError, match="seed"):
        generate_company(seed=-1, as_of=AS_OF, accounts=10)
    with pytest.raises(ValueError, match="at least one account"):
        generate_company(seed=1, as_of=AS_OF, accounts=0)


def test_the_history_covers_the_three_years_up_to_as_of(company: DemoCompany) -> None:
    subs = company.subscriptions
    assert company.window_start == date(2023, 6, 30)
    assert subs.start_date.min() >= np.datetime64(company.window_start)
    assert subs.start_date.max() <= np.datetime64(AS_OF)
    ended = subs.end_date[~np.isnat(subs.end_date)]
    assert ended.max() <= np.datetime64(AS_OF)
    # New business is spread over the years, and grows: more in the last year than the first.
    first_paid = np.array([subs.start_date[subs.account == i].min() for i in range(200)])
    first_year = first_paid < np.datetime64(date(2024, 6, 30))
    last_year = first_paid >= np.datetime64(date(2025, 6, 30))
    assert 0 < first_year.sum() < last_year.sum()


def test_the_history_of_a_leap_day_starts_on_the_28th() -> None:
    assert history_start(date(2028, 2, 29)) == date(2025, 2, 28)


# --- accounts ------------------------------------------------------------------------------


def test_there_are_many_small_accounts_and_few_large_ones(company: DemoCompany) -> None:
    counts = np.bincount(company.accounts.segment, minlength=3)
    assert counts[TECH_TOUCH] > counts[MID_TOUCH] > counts[HIGH_TOUCH] > 0
    assert 0.03 < counts[HIGH_TOUCH] / counts.sum() < 0.15


def test_each_account_is_in_the_segment_its_arr_falls_in(company: DemoCompany) -> None:
    accounts = company.accounts
    arr = accounts.arr_minor
    high, mid, tech = (accounts.segment == s for s in (HIGH_TOUCH, MID_TOUCH, TECH_TOUCH))
    assert (arr[high] >= HIGH_TOUCH_MIN_ARR).all()
    assert ((arr[mid] >= MID_TOUCH_MIN_ARR) & (arr[mid] < HIGH_TOUCH_MIN_ARR)).all()
    assert ((arr[tech] > 0) & (arr[tech] < MID_TOUCH_MIN_ARR)).all()
    # ARR is what the subscriptions say: today's for paying accounts (yearly ÷ 12 × 12).
    paying = accounts.stage != STAGE["churned"]
    assert np.allclose(mrr_on(company, AS_OF)[paying] * 12, arr[paying])


def test_names_and_domains_are_unique_and_look_like_companies(company: DemoCompany) -> None:
    accounts = company.accounts
    assert len(set(accounts.name)) == len(accounts)
    assert len(set(accounts.domain)) == len(accounts)
    assert len(set(accounts.external_id)) == len(accounts)
    assert all(" " in name for name in accounts.name)
    assert all(d == d.lower() and "." in d and " " not in d for d in accounts.domain)
    assert len(set(accounts.industry)) >= 10


def test_employee_counts_grow_with_arr(company: DemoCompany) -> None:
    accounts = company.accounts
    medians = [np.median(accounts.employees[accounts.segment == s]) for s in range(3)]
    assert medians[HIGH_TOUCH] > medians[MID_TOUCH] > medians[TECH_TOUCH] >= 2


def test_engagement_is_a_trait_between_zero_and_one(company: DemoCompany) -> None:
    traits = company.accounts.traits(0)
    assert set(traits) == {"demo_engagement", "region", "acquisition_channel"}
    engagement = company.accounts.engagement
    assert engagement.min() > 0 and engagement.max() < 1
    assert 0.4 < np.median(engagement) < 0.6


def test_a_few_large_accounts_have_divisions_as_child_accounts(company: DemoCompany) -> None:
    accounts = company.accounts
    children = np.flatnonzero(accounts.parent >= 0)
    assert 0 < len(children) < 0.1 * len(accounts)
    parents = accounts.parent[children]
    assert (accounts.parent[parents] < 0).all()  # one level deep
    for child, parent in zip(children.tolist(), parents.tolist(), strict=True):
        assert accounts.name[child].startswith(accounts.name[parent] + " ")
        assert accounts.domain[child].endswith("." + accounts.domain[parent])
        assert accounts.owner[child] == accounts.owner[parent]
        assert accounts.currency[child] == accounts.currency[parent]
        assert accounts.created_at[child] > accounts.created_at[parent]


def test_most_accounts_pay_in_dollars_and_some_in_euros_and_pounds(company: DemoCompany) -> None:
    shares = np.bincount(company.accounts.currency, minlength=3) / len(company.accounts)
    assert shares[CURRENCIES.index("USD")] > 0.75
    assert shares[CURRENCIES.index("EUR")] > 0.03 and shares[CURRENCIES.index("GBP")] > 0.01
    subs = company.subscriptions
    assert np.array_equal(subs.currency, company.accounts.currency[subs.account])


def test_csms_own_the_accounts_of_their_segment(company: DemoCompany) -> None:
    accounts, team = company.accounts, company.team
    csms = [p for p in team if p.role == "csm"]
    assert 5 <= len(csms) <= 8
    assert {p.role for p in team} == {"admin", "manager", "csm"}
    roots = accounts.parent < 0  # divisions follow their headquarters' CSM instead
    for segment in (HIGH_TOUCH, MID_TOUCH):
        owners = accounts.owner[roots & (accounts.segment == segment)]
        assert (owners >= 0).all()
        assert {team[o].segment for o in owners.tolist()} == {segment}
    tech_owners = accounts.owner[roots & (accounts.segment == TECH_TOUCH)]
    unowned = (tech_owners < 0).mean()
    assert 0.4 < unowned < 0.9  # the rest is the digital CSM's pool
    # High-touch books are small, mid-touch books large.
    high_book = np.mean([np.sum(accounts.owner == i) for i, p in enumerate(team) if p.segment == 0])
    mid_book = np.mean([np.sum(accounts.owner == i) for i, p in enumerate(team) if p.segment == 1])
    assert high_book < mid_book


# --- subscription histories ----------------------------------------------------------------


def test_no_subscription_ends_before_it_starts(company: DemoCompany) -> None:
    subs = company.subscriptions
    ended = ~np.isnat(subs.end_date)
    assert (subs.end_date[ended] > subs.start_date[ended]).all()
    assert (subs.quantity >= 1).all()
    assert len(set(subs.external_id)) == len(subs)


def test_some_accounts_trial_for_free_before_paying(company: DemoCompany) -> None:
    subs = company.subscriptions
    trial = np.char.endswith(subs.plan.astype(str), " (trial)")
    assert 0.1 < trial.sum() / len(company.accounts) < 0.5
    assert (subs.amount_minor[trial] == 0).all() and (subs.amount_minor[~trial] > 0).all()
    # Each trial ends the day its account's first payment starts.
    for i in np.flatnonzero(trial)[:50].tolist():
        paid = (subs.account == subs.account[i]) & ~trial
        assert subs.end_date[i] == subs.start_date[paid].min()


def test_larger_accounts_mostly_pay_yearly(company: DemoCompany) -> None:
    subs = company.subscriptions
    segment = company.accounts.segment[subs.account]
    assert subs.yearly[segment == HIGH_TOUCH].mean() > 0.7
    assert subs.yearly[segment == TECH_TOUCH].mean() < 0.4


def test_histories_hold_new_business_expansion_contraction_churn_and_reactivation(
    company: DemoCompany,
) -> None:
    moves = {"new": 0, "expansion": 0, "contraction": 0, "churn": 0, "reactivation": 0}
    paid_before = np.zeros(len(company.accounts), dtype=bool)
    previous = np.zeros(len(company.accounts))
    day = company.window_start
    while day <= AS_OF:
        mrr = mrr_on(company, day)
        started = (previous == 0) & (mrr > 0)
        moves["new"] += int((started & ~paid_before).sum())
        moves["reactivation"] += int((started & paid_before).sum())
        moves["expansion"] += int(((previous > 0) & (mrr > previous)).sum())
        moves["contraction"] += int(((mrr > 0) & (mrr < previous)).sum())
        moves["churn"] += int(((previous > 0) & (mrr == 0)).sum())
        paid_before |= mrr > 0
        previous = mrr
        day += timedelta(days=30)
    assert moves["new"] == paid_before.sum() > 0.9 * len(company.accounts)
    assert moves["expansion"] > 0.1 * len(company.accounts)
    assert 0 < moves["contraction"] < moves["expansion"]
    assert moves["churn"] > moves["reactivation"] > 5


def test_a_sane_share_of_accounts_has_churned(company: DemoCompany) -> None:
    churned = company.accounts.stage == STAGE["churned"]
    assert 0.1 < churned.mean() < 0.35
    # Small accounts churn more than large ones.
    ever = ever_in_stage(company, "churned")
    segment = company.accounts.segment
    assert ever[segment == TECH_TOUCH].mean() > 2 * ever[segment == HIGH_TOUCH].mean()


def test_low_engagement_accounts_churn_far_more_than_engaged_ones(company: DemoCompany) -> None:
    engagement = company.accounts.engagement
    low = engagement < np.quantile(engagement, 1 / 3)
    high = engagement > np.quantile(engagement, 2 / 3)
    ever = ever_in_stage(company, "churned")
    assert ever[low].mean() > 2.5 * ever[high].mean()
    assert ever[high].mean() > 0  # engaged accounts can still leave


def test_engaged_accounts_expand_more(company: DemoCompany) -> None:
    start, now = mrr_on(company, date(2025, 6, 30)), mrr_on(company, AS_OF)
    engagement = company.accounts.engagement
    paying = start > 0
    low = paying & (engagement < np.quantile(engagement, 1 / 3))
    high = paying & (engagement > np.quantile(engagement, 2 / 3))
    # Net revenue retention over the last year, by engagement third.
    assert now[high].sum() / start[high].sum() > 1.0 > now[low].sum() / start[low].sum()


# --- lifecycle -----------------------------------------------------------------------------


def test_stages_follow_the_subscription_history(company: DemoCompany) -> None:
    accounts = company.accounts
    paying = mrr_on(company, AS_OF) > 0
    churned = accounts.stage == STAGE["churned"]
    assert np.array_equal(churned, ~paying)
    counts = np.bincount(accounts.stage, minlength=len(STAGE_KEYS))
    assert (counts > 0).all(), dict(zip(STAGE_KEYS, counts.tolist(), strict=True))
    assert (ever_in_stage(company, "reactivated") <= ever_in_stage(company, "churned")).all()


def test_each_accounts_stage_changes_form_one_dated_chain(company: DemoCompany) -> None:
    accounts, changes = company.accounts, company.stage_changes
    onboarding, adoption = STAGE["onboarding"], STAGE["adoption"]
    for i in range(0, len(accounts), 7):
        mine = np.flatnonzero(changes.account == i)
        assert len(mine) >= 1
        assert changes.from_stage[mine[0]] == -1 and changes.to_stage[mine[0]] == onboarding
        assert (changes.from_stage[mine[1:]] == changes.to_stage[mine[:-1]]).all()
        assert (np.diff(changes.changed_at[mine]) > np.timedelta64(0)).all()
        assert accounts.stage[i] == changes.to_stage[mine[-1]]
        assert accounts.stage_entered_at[i] == changes.changed_at[mine[-1]]
        assert accounts.created_at[i] < changes.changed_at[mine[0]]
        assert changes.changed_at[mine[-1]] <= np.datetime64(AS_OF)
        if len(mine) > 1 and changes.to_stage[mine[1]] == adoption:
            onboarded = changes.changed_at[mine[1]] - changes.changed_at[mine[0]]
            assert np.timedelta64(55, "D") <= onboarded <= np.timedelta64(95, "D")


def test_loyal_accounts_are_engaged_and_long_tenured(company: DemoCompany) -> None:
    accounts = company.accounts
    loyal = np.flatnonzero(accounts.stage == STAGE["loyal"])
    assert len(loyal) > 0
    assert (accounts.engagement[loyal] >= 0.6).all()
    tenure = np.datetime64(AS_OF) - accounts.created_at[loyal]
    assert (tenure > np.timedelta64(365, "D")).all()


# --- contacts ------------------------------------------------------------------------------


def test_each_account_has_two_to_six_contacts_and_large_ones_more(company: DemoCompany) -> None:
    counts = np.bincount(company.contacts.account, minlength=len(company.accounts))
    segment = company.accounts.segment
    assert counts[segment != HIGH_TOUCH].min() >= 2 and counts[segment != HIGH_TOUCH].max() <= 6
    assert counts[segment == HIGH_TOUCH].mean() > counts[segment == TECH_TOUCH].mean() + 2


def test_contacts_have_personas_titles_and_unique_emails_at_their_domain(
    company: DemoCompany,
) -> None:
    contacts, accounts = company.contacts, company.accounts
    assert set(np.unique(contacts.persona).tolist()) == set(range(len(PERSONAS)))
    assert len(set(contacts.email)) == len(contacts)
    assert len(set(contacts.external_id)) == len(contacts)
    for i in range(0, len(contacts), 11):
        domain = accounts.domain[contacts.account[i]]
        assert contacts.email[i].endswith("@" + domain)
        assert contacts.title[i] and " " in contacts.name[i]
    # Every account has a decision maker, and its first contact is when the account began.
    deciders = contacts.account[contacts.persona == PERSONAS.index("decision_maker")]
    assert set(deciders.tolist()) == set(range(len(accounts)))
    assert (contacts.created_at >= accounts.created_at[contacts.account]).all()
    assert (contacts.created_at <= np.datetime64(AS_OF) + np.timedelta64(1, "D")).all()


def test_segment_keys_are_those_the_first_migration_seeds() -> None:
    assert SEGMENT_KEYS == ("high-touch", "mid-touch", "tech-touch")
    assert (MID_TOUCH_MIN_ARR, HIGH_TOUCH_MIN_ARR) == (1_000_000, 10_000_000)
