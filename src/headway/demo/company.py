"""The demo company: a deterministic SaaS customer base over the three years up to as_of.

`generate_company(seed=…, as_of=…, accounts=…)` is a pure function: the same three inputs give
the same company, row for row. Everything is drawn from latent variables per account, chiefly
its engagement, so generators added later (usage, tickets, surveys) can draw from the same
variables and agree with the subscription histories. Each part draws from its own random
stream (see STREAMS), so adding a part never changes what the others draw.

Outcomes are drawn before the histories (success.py: from engagement and the diligence of the
CSM who onboards the account), since reaching first value and the first expected outcome
changes how likely a customer is to churn; desired outcomes, activities and success plans are
drawn after, within each account's life (lives.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from headway.demo import customers
from headway.demo.activities import DemoActivities, draw_activities, link_goals
from headway.demo.catalogue import ACTIVITY_INDEX
from headway.demo.contacts import DemoContacts, contact_counts, draw_contacts
from headway.demo.histories import Histories, NewCustomers, simulate_histories
from headway.demo.lifecycle import loyal_after_days, onboarding_days, stage_paths
from headway.demo.lives import Eras, Lives, account_lives
from headway.demo.outcomes import DemoOutcomes, OutcomeInputs, draw_outcomes
from headway.demo.people import DemoPerson, assign_owners, demo_team
from headway.demo.plans import DemoSuccessPlans, PlanInputs, draw_success_plans
from headway.demo.segments import (
    ADD_ON,
    PLAN_NAMES,
    TRIAL_SUFFIX,
    annual_value,
    segment_of_arr,
)
from headway.demo.strain import Drivers, customer_periods
from headway.demo.success import EarlySuccess, draw_diligence, draw_early_success
from headway.demo.surveys import DemoSurveys, draw_surveys
from headway.demo.tickets import DemoTickets, Seats, draw_tickets
from headway.demo.words import ACQUISITION_CHANNELS

HISTORY_YEARS = 3
ACCOUNT_ID_PREFIX = "DEMO-"
# One random stream per part of the company; a new part takes a new number.
STREAMS = {
    "engagement": 1,
    "size": 2,
    "starts": 3,
    "names": 4,
    "hierarchy": 5,
    "histories": 6,
    "lifecycle": 7,
    "owners": 8,
    "contacts": 9,
    "profile": 10,
    "diligence": 11,
    "onboarding owners": 12,
    "success": 13,
    "desired outcomes": 14,
    "activities": 15,
    "success plans": 16,
    "activity goals": 17,
    "usage accounts": 18,
    "usage users": 19,
    "usage days": 20,
    "usage events": 21,
    "usage at scale": 22,
    "tickets": 23,
    "surveys": 24,
}


@dataclass(frozen=True)
class DemoAccounts:
    """Accounts of the demo company (arrays, one entry per account)."""

    external_id: np.ndarray  # object (str)
    name: np.ndarray  # object (str)
    domain: np.ndarray  # object (str)
    industry: np.ndarray  # object (str)
    employees: np.ndarray
    segment: np.ndarray  # index into segments.SEGMENT_KEYS, by the ARR rule
    arr_minor: np.ndarray  # ARR now, or just before churning, in the account's currency
    currency: np.ndarray  # index into segments.CURRENCIES
    owner: np.ndarray  # index into DemoCompany.team; -1 = no owner
    parent: np.ndarray  # index of the parent account; -1 = none
    engagement: np.ndarray  # latent engagement, 0–1 (the driver of every later behaviour)
    region: np.ndarray  # object (str)
    channel: np.ndarray  # object (str): how the customer was acquired
    created_at: np.ndarray  # datetime64[s]: the first contact with the customer
    stage: np.ndarray  # index into lifecycle.STAGE_KEYS
    stage_entered_at: np.ndarray  # datetime64[s]

    def __len__(self) -> int:
        return len(self.external_id)

    def traits(self, index: int) -> dict[str, Any]:
        """The free-form traits of one account, the latent engagement among them."""
        return {
            "demo_engagement": round(float(self.engagement[index]), 3),
            "region": self.region[index],
            "acquisition_channel": self.channel[index],
        }


@dataclass(frozen=True)
class DemoSubscriptions:
    """Subscriptions of the demo company (arrays, one entry per row), by account and start."""

    account: np.ndarray
    external_id: np.ndarray  # object (str)
    plan: np.ndarray  # object (str)
    amount_minor: np.ndarray  # per unit per interval
    currency: np.ndarray  # index into segments.CURRENCIES
    yearly: np.ndarray  # bool: interval "year", else "month"
    quantity: np.ndarray  # seats
    start_date: np.ndarray  # datetime64[D]
    end_date: np.ndarray  # datetime64[D], exclusive; NaT = ongoing

    def __len__(self) -> int:
        return len(self.account)


@dataclass(frozen=True)
class DemoStageChanges:
    """Lifecycle stage changes of the demo company, by account and date."""

    account: np.ndarray
    from_stage: np.ndarray  # index into lifecycle.STAGE_KEYS; -1 = none
    to_stage: np.ndarray
    changed_at: np.ndarray  # datetime64[s]

    def __len__(self) -> int:
        return len(self.account)


@dataclass(frozen=True)
class DemoCompany:
    """Everything the demo generators made, ready for a writer."""

    seed: int
    as_of: date
    window_start: date
    team: tuple[DemoPerson, ...]
    accounts: DemoAccounts
    contacts: DemoContacts
    subscriptions: DemoSubscriptions
    stage_changes: DemoStageChanges
    diligence: np.ndarray  # per member of the team (see success.py)
    eras: Eras  # who served each account as which segment, before and after a hand-over
    outcomes: DemoOutcomes
    success_plans: DemoSuccessPlans
    activities: DemoActivities
    early: EarlySuccess  # first value, first outcome, success (usage follows them)
    lives: Lives  # stage spans: when each account was a customer
    tickets: DemoTickets
    surveys: DemoSurveys

    def summary(self) -> dict[str, int]:
        """How many rows of each kind the company has."""
        plans = self.success_plans
        return {
            "accounts": len(self.accounts),
            "contacts": len(self.contacts),
            "subscriptions": len(self.subscriptions),
            "stage_changes": len(self.stage_changes),
            "users": len(self.team),
            "desired_outcomes": len(self.outcomes.desired),
            "outcome_statements": len(self.outcomes.statements),
            "handoffs": len(self.outcomes.handoffs),
            "success_plans": len(plans.plans),
            "goals": len(plans.goals),
            "evidence": len(plans.evidence),
            "milestones": len(plans.milestones),
            "activities": len(self.activities),
            "tickets": len(self.tickets),
            "survey_campaigns": len(self.surveys.campaigns),
            "survey_invitations": len(self.surveys.invitations),
            "survey_responses": len(self.surveys.responses),
            "survey_opt_outs": len(self.surveys.opt_outs),
        }


def stream(seed: int, part: str) -> np.random.Generator:
    """The random stream of one part of the company."""
    return np.random.default_rng([seed, STREAMS[part]])


def history_start(as_of: date) -> date:
    """The first day of the simulated history: as_of, three years earlier."""
    try:
        return as_of.replace(year=as_of.year - HISTORY_YEARS)
    except ValueError:  # 29 February
        return as_of.replace(year=as_of.year - HISTORY_YEARS, day=28)


def day_number(day: date) -> int:
    """Days since 1970-01-01 (numpy's datetime64[D] as an integer)."""
    return int(np.datetime64(day, "D").astype(np.int64))


def to_datetime(seconds: np.datetime64) -> datetime:
    """A numpy datetime64 in seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(int(seconds.astype(np.int64)), tz=UTC)


@dataclass(frozen=True)
class CustomerBase:
    """The accounts with their subscriptions and lives: what every later part is drawn in.

    Usage generators at scale need only this, so it is drawn on its own (and fast); the
    other fields are draws the later parts of the company depend on.
    """

    seed: int
    as_of: date
    team: tuple[DemoPerson, ...]
    accounts: DemoAccounts
    subscriptions: DemoSubscriptions
    stage_changes: DemoStageChanges
    diligence: np.ndarray
    eras: Eras
    early: EarlySuccess
    lives: Lives
    histories: Histories
    engagement_z: np.ndarray
    employees: np.ndarray
    seats: np.ndarray  # seats of the first plan
    first_segment: np.ndarray
    onboarding_owner: np.ndarray
    stayed: np.ndarray  # bool: still in the segment it was onboarded in


def generate_company(*, seed: int, as_of: date, accounts: int) -> DemoCompany:
    """Generate the demo company: the same seed, as_of and size give the same company."""
    base = generate_customer_base(seed=seed, as_of=as_of, accounts=accounts)
    return _complete(base)


def generate_customer_base(*, seed: int, as_of: date, accounts: int) -> CustomerBase:
    """Draw the accounts, their subscriptions and lives (the first part of the company)."""
    if seed < 0:
        raise ValueError("the seed must be zero or positive")
    if accounts < 1:
        raise ValueError("the demo company needs at least one account")
    n = accounts
    start, end = day_number(history_start(as_of)), day_number(as_of)

    engagement_z = stream(seed, "engagement").standard_normal(n)
    # A logistic curve close to the normal distribution function: a 0–1 score.
    engagement = 1 / (1 + np.exp(-1.7 * engagement_z))

    rng = stream(seed, "size")
    drawn_segment = customers.draw_segments(rng, n)
    plan, yearly, seats = customers.draw_first_plans(
        rng, drawn_segment, customers.draw_initial_arr(rng, drawn_segment)
    )
    # The segment of the first paid plan: the one each account is onboarded in.
    first_segment = segment_of_arr(annual_value(plan, yearly, seats))
    employees = np.maximum(seats + 1, np.round(seats * rng.lognormal(np.log(4), 0.7, n)))
    currency = customers.draw_currencies(rng, n)

    rng = stream(seed, "starts")
    paid_start = customers.draw_paid_starts(rng, n, start, end)
    trial_days = customers.draw_trial_days(rng, first_segment)
    sales_cycle = customers.draw_sales_cycles(rng, first_segment)
    channel = np.array(ACQUISITION_CHANNELS, dtype=object)[
        rng.integers(0, len(ACQUISITION_CHANNELS), n)
    ]

    rng = stream(seed, "hierarchy")
    parent = customers.draw_hierarchy(rng, first_segment, paid_start, start, end)
    paid_start = customers.place_children(rng, parent, paid_start, end)
    children = parent >= 0
    currency[children] = currency[parent[children]]

    rng = stream(seed, "names")
    names = customers.company_names(rng, n)
    industry = names.industry.copy()
    industry[children] = industry[parent[children]]
    domain = customers.domains(rng, names.slug, currency)
    name, domain, region = customers.name_divisions(
        rng, parent, names.name, domain, customers.region_of(currency)
    )

    team = demo_team(n)
    diligence = draw_diligence(stream(seed, "diligence"), team)
    onboarding_owner = assign_owners(stream(seed, "onboarding owners"), team, first_segment)
    onboarding_owner[children] = onboarding_owner[parent[children]]
    early = draw_early_success(
        stream(seed, "success"),
        diligence=diligence,
        onboarding_owner=onboarding_owner,
        first_segment=first_segment,
        engagement_z=engagement_z,
        first_start=paid_start - trial_days,
    )
    histories = simulate_histories(
        stream(seed, "histories"),
        NewCustomers(
            paid_start,
            trial_days,
            plan,
            yearly,
            seats,
            engagement_z,
            early.value_day,
            early.outcome_day,
            early.outcome_reached,
            early.rollout_day,
        ),
        end,
    )
    segment = segment_of_arr(histories.final_arr)

    rng = stream(seed, "lifecycle")
    paths = stage_paths(
        histories, onboarding_days(rng, engagement), loyal_after_days(rng, engagement), end
    )
    stage, entered_day = paths.current(n)
    first_start_seconds = (paid_start - trial_days) * 86_400
    created_at = (first_start_seconds - sales_cycle).astype("datetime64[s]")
    # A division is first met through its headquarters, which became a customer first.
    created_at[children] = np.maximum(
        created_at[children], created_at[parent[children]] + np.timedelta64(7, "D")
    )

    owner = assign_owners(stream(seed, "owners"), team, segment)
    # Accounts still in the segment they were onboarded in keep their CSM; the others were
    # handed over to a CSM of their new segment on the day they got there.
    stayed = segment == first_segment
    owner[stayed] = onboarding_owner[stayed]
    # A division is looked after by the CSM of its headquarters.
    owner[children] = owner[parent[children]]
    eras = Eras(
        handover_day=np.where(stayed, -1, histories.segment_since),
        first_segment=first_segment,
        first_owner=onboarding_owner,
        segment=segment,
        owner=owner,
    )

    account_table = DemoAccounts(
        external_id=np.array([f"{ACCOUNT_ID_PREFIX}{i + 1:06d}" for i in range(n)], dtype=object),
        name=name,
        domain=domain,
        industry=industry,
        employees=employees.astype(np.int64),
        segment=segment,
        arr_minor=histories.final_arr,
        currency=currency,
        owner=owner,
        parent=parent,
        engagement=engagement,
        region=region,
        channel=channel,
        created_at=created_at,
        stage=stage,
        stage_entered_at=(entered_day * 86_400).astype("datetime64[s]"),
    )
    return CustomerBase(
        seed=seed,
        as_of=as_of,
        team=team,
        accounts=account_table,
        subscriptions=_subscriptions(histories, currency),
        stage_changes=DemoStageChanges(
            account=paths.account,
            from_stage=paths.from_stage,
            to_stage=paths.to_stage,
            changed_at=(paths.day * 86_400).astype("datetime64[s]"),
        ),
        diligence=diligence,
        eras=eras,
        early=early,
        lives=account_lives(paths, eras, end),
        histories=histories,
        engagement_z=engagement_z,
        employees=employees,
        seats=seats,
        first_segment=first_segment,
        onboarding_owner=onboarding_owner,
        stayed=stayed,
    )


def _subscriptions(histories: Histories, currency: np.ndarray) -> DemoSubscriptions:
    plan_names = np.array(PLAN_NAMES, dtype=object)[histories.plan]
    plan_names = np.where(histories.trial, plan_names + TRIAL_SUFFIX, plan_names)
    return DemoSubscriptions(
        account=histories.account,
        external_id=np.array(
            [f"DEMO-S-{i + 1:07d}" for i in range(len(histories.account))], dtype=object
        ),
        plan=plan_names,
        amount_minor=histories.amount_minor,
        currency=currency[histories.account],
        yearly=histories.yearly,
        quantity=histories.quantity,
        start_date=histories.start.astype("datetime64[D]"),
        end_date=np.where(
            histories.end >= 0, histories.end.astype("datetime64[D]"), np.datetime64("NaT")
        ),
    )


def _complete(base: CustomerBase) -> DemoCompany:
    """Draw the rest of the company within the customer base: contacts, outcomes, work."""
    seed, team, diligence = base.seed, base.team, base.diligence
    early, lives, account_table, histories = base.early, base.lives, base.accounts, base.histories
    segment, end = account_table.segment, day_number(base.as_of)
    rng = stream(seed, "contacts")
    contacts = draw_contacts(
        rng,
        counts=contact_counts(rng, segment, base.seats),
        segment=segment,
        domain=account_table.domain,
        account_created=account_table.created_at,
        as_of=np.datetime64(end * 86_400 + 86_399, "s"),
    )
    outcomes = draw_outcomes(
        stream(seed, "desired outcomes"),
        OutcomeInputs(
            segment=segment,
            owner=account_table.owner,
            first_segment=base.first_segment,
            first_owner=base.onboarding_owner,
            era_start=np.where(base.stayed, early.first_start, histories.segment_since),
            first_start=early.first_start,
            add_on_since=_add_on_since(histories, len(account_table), end),
            diligence=diligence,
            contacts=contacts,
            as_of_day=end,
        ),
    )
    activities = draw_activities(
        stream(seed, "activities"),
        lives=lives,
        diligence=diligence,
        engagement_z=base.engagement_z,
        meeting_days=outcomes.meeting_days,
        review_days=outcomes.review_days,
        contacts=contacts,
        manager=next(i for i, person in enumerate(team) if person.role == "manager"),
        as_of_day=end,
    )
    success_plans = _success_plans(
        seed, lives, early, base.employees, histories, activities, team, end
    )
    goals = success_plans.goals
    activities = link_goals(
        stream(seed, "activity goals"),
        activities,
        goal_account=goals.account,
        goal_start=goals.baseline_day,
        goal_end=np.where(goals.achieved_day >= 0, goals.achieved_day, goals.due_day),
        diligence=diligence,
    )
    tickets, surveys = _support(base, contacts)
    return DemoCompany(
        seed=seed,
        as_of=base.as_of,
        window_start=history_start(base.as_of),
        team=team,
        accounts=account_table,
        contacts=contacts,
        subscriptions=base.subscriptions,
        stage_changes=base.stage_changes,
        diligence=diligence,
        eras=base.eras,
        outcomes=outcomes,
        success_plans=success_plans,
        activities=activities,
        early=early,
        lives=lives,
        tickets=tickets,
        surveys=surveys,
    )


def _support(base: CustomerBase, contacts: DemoContacts) -> tuple[DemoTickets, DemoSurveys]:
    """Draw the tickets of every customer period, then the surveys that follow them."""
    histories, early, accounts = base.histories, base.early, base.accounts
    period_account, period_start, period_end = customer_periods(*base.lives.customer_periods())
    drivers = Drivers(
        engagement_z=base.engagement_z,
        success_z=early.success_z,
        value_day=early.value_day,
        outcome_day=early.outcome_day,
        outcome_reached=early.outcome_reached,
        period_account=period_account,
        period_start=period_start,
        period_end=period_end,
        as_of_day=day_number(base.as_of),
    )
    paid = histories.plan != ADD_ON  # an add-on's seats are the same people
    tickets = draw_tickets(
        stream(base.seed, "tickets"),
        drivers=drivers,
        seats=Seats(
            account=histories.account[paid],
            start=histories.start[paid],
            end=histories.end[paid],
            quantity=histories.quantity[paid],
        ),
        segment=accounts.segment,
        currency=accounts.currency,
        contacts=contacts,
        first_day=day_number(history_start(base.as_of)),
    )
    surveys = draw_surveys(
        stream(base.seed, "surveys"),
        drivers=drivers,
        contacts=contacts,
        tickets=tickets,
        segment=accounts.segment,
    )
    return tickets, surveys


def _add_on_since(histories: Histories, accounts: int, as_of_day: int) -> np.ndarray:
    """The day the add-on each account runs now started (-1 = none)."""
    since = np.full(accounts, -1, dtype=np.int64)
    running = (histories.plan == ADD_ON) & (histories.end < 0) & (histories.start <= as_of_day)
    since[histories.account[running]] = histories.start[running]
    return since


def _success_plans(
    seed: int,
    lives: Lives,
    early: EarlySuccess,
    employees: np.ndarray,
    histories: Histories,
    activities: DemoActivities,
    team: tuple[DemoPerson, ...],
    as_of_day: int,
) -> DemoSuccessPlans:
    reviews = activities.type == ACTIVITY_INDEX["business_review"]
    return draw_success_plans(
        stream(seed, "success plans"),
        PlanInputs(
            lives=lives,
            early=early,
            employees=employees,
            subscription_account=histories.account,
            subscription_start=histories.start,
            subscription_end=histories.end,
            subscription_seats=histories.quantity,
            review_account=activities.account[reviews],
            review_day=activities.day[reviews],
            team_emails=tuple(person.email for person in team),
            as_of_day=as_of_day,
        ),
    )
