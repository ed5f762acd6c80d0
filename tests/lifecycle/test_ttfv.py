"""Time to first value: the pure rules, per-segment rules, milestone vs usage, distributions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from headway.core.audit import AuditEntry
from headway.core.errors import InvalidInput, PermissionDenied
from headway.lifecycle.configuration import list_ttfv_rules, remove_ttfv_rule, set_ttfv_rule
from headway.lifecycle.service import (
    account_ttfv,
    ttfv_distribution,
    ttfv_of_accounts,
    waiting_for_first_value,
)
from headway.lifecycle.ttfv import (
    Distribution,
    Ttfv,
    ValueEvent,
    cohort_of,
    parse_value_event,
    percentile,
    summarise,
    ttfv_of,
)
from headway.outcomes.schemas import HandoffCreate
from headway.outcomes.service import record_handoff
from headway.users.service import actor_for_user, permissions_of
from tests.helpers import SETUP, make_account, subscribe
from tests.lifecycle.support import REPORT, first_value_milestone, used

TODAY = date(2026, 3, 2)


# --- the pure rules ------------------------------------------------------------------------

D = date


@pytest.mark.parametrize(
    ("start", "value", "as_of", "expected"),
    [
        # value − start, in days
        (D(2026, 1, 1), D(2026, 1, 11), TODAY, Ttfv(D(2026, 1, 1), D(2026, 1, 11), 10, True)),
        # on the day the clock starts: 0
        (D(2026, 1, 1), D(2026, 1, 1), TODAY, Ttfv(D(2026, 1, 1), D(2026, 1, 1), 0, True)),
        # value before the start (used in a trial before paying): 0, not negative
        (D(2026, 1, 10), D(2026, 1, 5), TODAY, Ttfv(D(2026, 1, 10), D(2026, 1, 5), 0, True)),
        # not reached: open, with the days elapsed so far
        (D(2026, 1, 1), None, D(2026, 1, 31), Ttfv(D(2026, 1, 1), None, 30, False)),
        # reached after the day judged on: still open on that day
        (D(2026, 1, 1), D(2026, 2, 15), D(2026, 1, 31), Ttfv(D(2026, 1, 1), None, 30, False)),
        # reached on the day judged on
        (D(2026, 1, 1), D(2026, 1, 31), D(2026, 1, 31),
         Ttfv(D(2026, 1, 1), D(2026, 1, 31), 30, True)),
        # no start (no subscription yet): not measured
        (None, D(2026, 1, 5), TODAY, Ttfv(None, None, None, False)),
        # a start after the day judged on: not measured yet
        (D(2026, 2, 1), None, D(2026, 1, 31), Ttfv(D(2026, 2, 1), None, None, False)),
    ],
)  # fmt: skip
def test_ttfv_of_one_account(start, value, as_of, expected):
    assert ttfv_of(start, value, as_of) == expected


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 50, None),
        ([7], 90, 7),
        ([3, 1, 2], 50, 2),  # unsorted input
        ([1, 2, 3, 4], 50, 2.5),
        (list(range(1, 11)), 50, 5.5),
        (list(range(1, 11)), 75, 7.75),  # rank 9 × 0.75 = 6.75 → 7 + 0.75 × 1
        (list(range(1, 11)), 90, 9.1),
        ([0, 10], 90, 9),
        ([2, 4, 6, 8, 20], 90, 15.2),  # rank 3.6 → 8 + 0.6 × 12
    ],
)
def test_percentile_interpolates_linearly_between_ranks(values, q, expected):
    result = percentile(values, q)
    assert result == (None if expected is None else pytest.approx(expected))


def test_summarise_counts_waiting_and_churned_apart_from_the_percentiles_of_those_reached():
    reached = [ttfv_of(D(2026, 1, 1), D(2026, 1, 1 + d), TODAY) for d in (2, 4, 6, 8)]
    waiting = [ttfv_of(D(2026, 2, 10), None, TODAY), ttfv_of(D(2026, 1, 1), None, TODAY)]
    not_started = [ttfv_of(None, None, TODAY)]
    churned = [ttfv_of(D(2026, 1, 1), None, TODAY), ttfv_of(D(2026, 1, 1), D(2026, 1, 21), TODAY)]
    assert summarise(reached + waiting + not_started, churned=churned) == Distribution(
        count=8,
        reached=5,  # the churned account that reached first value counts
        waiting=2,
        churned_before_value=1,
        median=6,
        p75=8,
        p90=15.2,
        longest_wait=60,  # Jan 1 → Mar 2
    )
    assert summarise([]) == Distribution(0, 0, 0, 0, None, None, None, None)


@pytest.mark.parametrize(
    ("start", "grain", "cohort"),
    [
        (D(2026, 3, 15), "month", "2026-03"),
        (D(2026, 3, 15), "quarter", "2026-Q1"),
        (D(2025, 12, 31), "quarter", "2025-Q4"),
        (D(2025, 4, 1), "quarter", "2025-Q2"),
    ],
)
def test_cohort_of_a_start_day(start, grain, cohort):
    assert cohort_of(start, grain) == cohort


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("milestone", ValueEvent("milestone")),
        ("usage:Report Created", ValueEvent("usage", "Report Created")),
        ("usage: Invite Sent ", ValueEvent("usage", "Invite Sent")),
    ],
)
def test_value_events_are_a_usage_event_or_the_milestone(text, parsed):
    assert parse_value_event(text) == parsed


@pytest.mark.parametrize("text", ["usage:", "usage:   ", "Report Created", "milestones", ""])
def test_other_value_events_are_refused_with_the_expected_forms(text):
    with pytest.raises(ValueError, match=r"usage|milestone"):
        parse_value_event(text)


# --- per account: the rule of its segment --------------------------------------------------


def test_the_default_rule_measures_from_the_earliest_subscription_to_the_first_report(session):
    acme = make_account(session, "acme", segment="mid-touch")
    subscribe(session, acme, "a-2", "50", D(2026, 2, 1))
    subscribe(session, acme, "a-1", "50", D(2026, 1, 5))
    used(session, acme, "Dashboard Viewed", D(2026, 1, 6))  # another event: not first value
    used(session, acme, REPORT, D(2026, 1, 20), D(2026, 1, 15))
    assert ttfv_of_accounts(session=session, as_of=TODAY) == {
        acme.id: Ttfv(D(2026, 1, 5), D(2026, 1, 15), 10, True)
    }


def test_high_touch_accounts_reach_first_value_with_their_milestone_not_with_usage(session):
    vip = make_account(session, "vip", segment="high-touch")
    subscribe(session, vip, "v-1", "900", D(2026, 1, 1))
    used(session, vip, REPORT, D(2026, 1, 2))
    first_value_milestone(session, vip, D(2026, 1, 31))
    waiting = make_account(session, "waiting", segment="high-touch")
    subscribe(session, waiting, "w-1", "900", D(2026, 1, 15))
    used(session, waiting, REPORT, D(2026, 1, 16))
    first_value_milestone(session, waiting, None)
    assert ttfv_of_accounts(session=session, as_of=TODAY) == {
        vip.id: Ttfv(D(2026, 1, 1), D(2026, 1, 31), 30, True),
        waiting.id: Ttfv(D(2026, 1, 15), None, 46, False),
    }
    measured = account_ttfv(session=session, account_id=vip.id)
    assert (measured.start_kind, measured.value.kind) == ("first_subscription", "milestone")


def test_a_segment_rule_of_its_own_replaces_the_default_for_that_segment_only(session, dave):
    with time_machine.travel(datetime(2026, 2, 1, 12, tzinfo=UTC), tick=False):
        small = make_account(session, "small", segment="tech-touch")
        mid = make_account(session, "mid", segment="mid-touch")
    for account in (small, mid):
        subscribe(session, account, f"{account.external_id}-1", "20", D(2026, 2, 10))
        used(session, account, "Invite Sent", D(2026, 2, 4))
        used(session, account, REPORT, D(2026, 2, 20))
    set_ttfv_rule(
        session=session,
        actor=actor_for_user(dave),
        permissions=permissions_of(dave),
        segment_key="tech-touch",
        start="account_created",
        value_event="usage:Invite Sent",
    )
    ttfvs = ttfv_of_accounts(session=session, as_of=TODAY)
    assert ttfvs[small.id] == Ttfv(D(2026, 2, 1), D(2026, 2, 4), 3, True)
    assert ttfvs[mid.id] == Ttfv(D(2026, 2, 10), D(2026, 2, 20), 10, True)


def test_the_hand_off_can_start_the_clock(session):
    acme = make_account(session, "acme", segment="mid-touch")
    with time_machine.travel(datetime(2026, 1, 20, 15, tzinfo=UTC), tick=False):
        record_handoff(
            session=session,
            actor=SETUP,
            permissions=None,
            account_id=acme.id,
            data=HandoffCreate(promised="Reports in a week", promised_by="Sam Seller"),
        )
    set_ttfv_rule(
        session=session,
        actor=SETUP,
        permissions=None,
        segment_key=None,
        start="handoff",
        value_event="usage:Report Created",
    )
    assert ttfv_of_accounts(session=session, account_ids=[acme.id], as_of=TODAY) == {
        acme.id: Ttfv(D(2026, 1, 20), None, 41, False)
    }


def test_accounts_without_a_subscription_have_no_ttfv_yet(session):
    lead = make_account(session, "lead", segment="mid-touch")
    used(session, lead, REPORT, D(2026, 2, 1))
    assert ttfv_of_accounts(session=session, as_of=TODAY) == {
        lead.id: Ttfv(None, None, None, False)
    }


# --- distributions -------------------------------------------------------------------------


def figures(group):
    f = group.figures
    return (f.count, f.reached, f.waiting, f.churned_before_value, f.median, f.p75, f.p90)


def test_ttfv_by_segment_has_hand_computed_percentiles_and_the_accounts_still_waiting(
    book, session
):
    report = ttfv_distribution(session=session, as_of=TODAY, by="segment")
    rows = {g.key: figures(g) for g in report.groups}
    assert [g.key for g in report.groups] == ["high-touch", "mid-touch", "tech-touch"]
    assert rows["mid-touch"] == (7, 5, 1, 1, 6, 8, pytest.approx(15.2))
    assert rows["high-touch"] == (2, 1, 1, 0, 30, 30, 30)
    assert rows["tech-touch"] == (0, 0, 0, 0, None, None, None)
    # all: 2, 4, 6, 8, 20, 30 → median 7; p75 rank 3.75 → 8 + 0.75 × 12; p90 rank 4.5
    assert (report.total.count, report.total.median, report.total.p75, report.total.p90) == (
        9, 7, 17, 25
    )  # fmt: skip
    assert report.groups[1].figures.longest_wait == 20


def test_ttfv_by_monthly_and_quarterly_cohort_of_start(book, session):
    monthly = ttfv_distribution(session=session, as_of=TODAY, by="cohort")
    assert [(g.key, *figures(g)) for g in monthly.groups] == [
        # 2, 4, 6, 30: p75 rank 2.25 → 6 + 0.25 × 24; p90 rank 2.7 → 6 + 0.7 × 24
        ("2026-01", 6, 4, 1, 1, 5, 12, pytest.approx(22.8)),
        # 8, 20: p75 = 8 + 0.75 × 12, p90 = 8 + 0.9 × 12
        ("2026-02", 3, 2, 1, 0, 14, 17, pytest.approx(18.8)),
    ]
    quarterly = ttfv_distribution(session=session, as_of=TODAY, by="cohort", grain="quarter")
    assert [(g.key, *figures(g)) for g in quarterly.groups] == [("2026-Q1", 9, 6, 2, 1, 7, 17, 25)]


def test_a_distribution_as_of_an_earlier_day_counts_later_first_values_as_waiting(book, session):
    report = ttfv_distribution(session=session, as_of=D(2026, 1, 31), by="cohort")
    # On Jan 31: m1 2, m2 4, m3 6, h1 30 reached; h2 waiting; February's cohort not started.
    assert [(g.key, *figures(g)) for g in report.groups] == [
        ("2026-01", 6, 4, 1, 1, 5, 12, pytest.approx(22.8))
    ]


def test_unknown_groupings_are_refused_by_name(session):
    with pytest.raises(InvalidInput, match="expected segment or cohort"):
        ttfv_distribution(session=session, by="csm")
    with pytest.raises(InvalidInput, match="expected month or quarter"):
        ttfv_distribution(session=session, by="cohort", grain="week")


def test_the_accounts_still_waiting_are_listed_longest_waiting_first_without_churned(book, session):
    waiting, total = waiting_for_first_value(session=session, as_of=TODAY)
    assert total == 2
    assert [(w.name, w.segment, w.start, w.days, w.value.label) for w in waiting] == [
        ("H2", "High-touch", D(2026, 1, 15), 46, "first-value milestone"),
        ("M6", "Mid-touch", D(2026, 2, 10), 20, REPORT),
    ]
    shown, total = waiting_for_first_value(session=session, as_of=TODAY, limit=1)
    assert ([w.name for w in shown], total) == (["H2"], 2)


# --- the rules as data ---------------------------------------------------------------------


def test_rules_list_the_default_first_then_each_segments_own(session):
    rules = list_ttfv_rules(session=session)
    assert [(r.segment_key, r.start, r.value_event) for r in rules] == [
        (None, "first_subscription", "usage:Report Created"),
        ("high-touch", "first_subscription", "milestone"),
    ]


def test_a_manager_sets_a_rule_and_the_audit_log_keeps_before_and_after(session, dave):
    rule = set_ttfv_rule(
        session=session,
        actor=actor_for_user(dave),
        permissions=permissions_of(dave),
        segment_key="high-touch",
        start="handoff",
        value_event="milestone",
    )
    assert (rule.segment_key, rule.start, rule.value_event) == (
        "high-touch",
        "handoff",
        "milestone",
    )
    entry = session.query(AuditEntry).filter_by(action="ttfv_rule.set").one()
    assert entry.actor_label == "dave@example.com"
    assert (entry.before["start"], entry.after["start"]) == ("first_subscription", "handoff")


def test_removing_a_segments_rule_makes_it_follow_the_default(session):
    remove_ttfv_rule(session=session, actor=SETUP, permissions=None, segment_key="high-touch")
    assert [r.segment_key for r in list_ttfv_rules(session=session)] == [None]


def test_a_csm_cannot_change_the_ttfv_rules(session, bob):
    with pytest.raises(PermissionDenied, match="admins and managers"):
        set_ttfv_rule(
            session=session,
            actor=actor_for_user(bob),
            permissions=permissions_of(bob),
            segment_key=None,
            start="first_subscription",
            value_event="milestone",
        )


@pytest.mark.parametrize(
    ("start", "value_event", "message"),
    [
        ("first_login", "milestone", "start 'first_login': expected one of first_subscription"),
        ("first_subscription", "Report Created", 'expected "usage:<event name>" or "milestone"'),
        ("first_subscription", "usage:" + "x" * 201, "at most 200 characters"),
    ],
)
def test_rules_that_cannot_be_measured_are_refused_naming_what_is_expected(
    session, start, value_event, message
):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        set_ttfv_rule(
            session=session,
            actor=SETUP,
            permissions=None,
            segment_key=None,
            start=start,
            value_event=value_event,
        )
