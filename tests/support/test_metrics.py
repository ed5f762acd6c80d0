"""Support metrics over plain tickets, against hand-computed figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from headway.support.hours import Calendar
from headway.support.metrics import (
    Csat,
    Fcr,
    SlaRule,
    TicketRecord,
    backlog,
    csat,
    first_contact_resolution,
    first_reply_minutes,
    percentile,
    policy_for,
    reopen_rate,
    resolution_minutes,
    sla_attainment,
    sla_outcome,
    summarize_tickets,
)

# Monday to Friday 09:00–17:00 UTC; Thursday 24 December 2026 is a holiday.
OFFICE = Calendar.from_rows(
    [(day, "09:00", "17:00", "UTC") for day in range(5)], holidays=[date(2026, 12, 24)]
)
LATER = datetime(2027, 1, 31, tzinfo=UTC)
RULES = [
    SlaRule("normal", None, first_reply_minutes=120, resolution_minutes=480, hours="business"),
    SlaRule("urgent", None, first_reply_minutes=60, resolution_minutes=480, hours="calendar"),
    SlaRule("high", None, first_reply_minutes=240, resolution_minutes=None),
    SlaRule("high", 7, first_reply_minutes=30, resolution_minutes=None, hours="calendar"),
]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def ticket(**fields) -> TicketRecord:
    base = {
        "ticket_id": 1,
        "account_id": 1,
        "priority": "normal",
        "status": "open",
        "created_at": utc(2026, 11, 20, 16),  # a Friday, one hour before closing
    }
    return TicketRecord(**(base | fields))


def solved(**fields) -> TicketRecord:
    return ticket(**({"status": "solved", "solved_at": utc(2026, 11, 23, 12)} | fields))


# --- percentiles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 0.5, None),
        ([10], 0.9, 10),
        ([4, 1, 3, 2], 0.5, 2.5),  # between the 2nd and 3rd
        ([1, 2, 3, 4], 0.9, 3.7),  # rank 2.7: 3 + 0.7 × (4 − 3)
        (list(range(0, 101, 10)), 0.9, 90),  # rank 9 exactly
        ([1, 2, 3], 0.5, 2),
    ],
)
def test_percentiles_interpolate_linearly_between_ranks(values, q, expected):
    result = percentile(values, q)
    assert result is None if expected is None else result == pytest.approx(expected)


# --- times -------------------------------------------------------------------------------------


def test_first_reply_over_a_weekend_counts_66_calendar_hours_but_2_business_hours():
    replied = ticket(first_reply_at=utc(2026, 11, 23, 10))
    assert first_reply_minutes(replied, OFFICE, "calendar", LATER) == 66 * 60
    assert first_reply_minutes(replied, OFFICE, "business", LATER) == 120


def test_the_helpdesks_own_minutes_win_over_the_timestamps():
    measured = ticket(first_reply_at=utc(2026, 11, 23, 10), first_reply_minutes_business=7)
    assert first_reply_minutes(measured, OFFICE, "business", LATER) == 7
    assert first_reply_minutes(measured, OFFICE, "calendar", LATER) == 66 * 60


def test_a_ticket_without_reply_has_no_first_reply_time():
    assert first_reply_minutes(ticket(), OFFICE, "calendar", LATER) is None


def test_a_reply_after_as_of_has_not_happened_yet():
    replied = ticket(first_reply_at=utc(2026, 11, 23, 10))
    assert first_reply_minutes(replied, OFFICE, "calendar", utc(2026, 11, 23, 9)) is None


def test_resolution_of_a_reopened_ticket_runs_to_its_last_solve():
    reopened = solved(reopens=1, solved_at=utc(2026, 11, 24, 9, 30))
    # Fri 16–17, Mon 9–17, Tue 9–9:30: 60 + 480 + 30.
    assert resolution_minutes(reopened, OFFICE, "business", LATER) == 570
    assert resolution_minutes(ticket(), OFFICE, "business", LATER) is None


# --- FCR, reopens, CSAT, backlog ---------------------------------------------------------------


def test_fcr_counts_solved_tickets_with_fewer_than_two_replies_and_no_reopen():
    tickets = [
        solved(agent_replies=1),  # one touch
        solved(agent_replies=0),  # solved without a reply: still one touch
        solved(agent_replies=2),  # two replies
        solved(agent_replies=1, reopens=1),  # reopened
        solved(agent_replies=None),  # unknown: left out, counted
        ticket(agent_replies=1),  # not solved: not in FCR
        ticket(status="closed", agent_replies=1),  # closed counts as solved
    ]
    fcr = first_contact_resolution(tickets, LATER)
    assert fcr == Fcr(solved=5, one_touch=3, unknown_replies=1)
    assert fcr.rate == pytest.approx(0.6)


def test_fcr_without_solved_tickets_is_undefined():
    assert first_contact_resolution([ticket()], LATER).rate is None


def test_reopen_rate_is_reopened_solved_tickets_over_solved_tickets():
    tickets = [solved(reopens=2), solved(), solved(), ticket(reopens=1)]
    assert reopen_rate(tickets, LATER) == pytest.approx(1 / 3)
    assert reopen_rate([ticket()], LATER) is None


def test_csat_reads_both_scales_and_leaves_out_unanswered():
    tickets = [
        ticket(satisfaction="5", satisfaction_scale="1-5"),
        ticket(satisfaction="4", satisfaction_scale="1-5"),
        ticket(satisfaction="3", satisfaction_scale="1-5"),
        ticket(satisfaction="1", satisfaction_scale="1-5"),
        ticket(satisfaction="good", satisfaction_scale="good_bad"),
        ticket(satisfaction="bad", satisfaction_scale="good_bad"),
        ticket(satisfaction="good", satisfaction_scale=None),
        ticket(satisfaction=None),
        ticket(satisfaction="", satisfaction_scale="good_bad"),
    ]
    result = csat(tickets)
    assert result == Csat(responses=7, positive=4)
    assert result.rate == pytest.approx(4 / 7)
    assert csat([ticket()]).rate is None


def test_backlog_is_what_was_created_and_not_yet_solved_at_the_end():
    end = utc(2026, 11, 30)
    tickets = [
        ticket(),  # open
        solved(),  # solved before the end
        solved(solved_at=utc(2026, 12, 2)),  # solved after the end: open then
        ticket(created_at=utc(2026, 12, 1)),  # created after the end
        ticket(status="pending"),
    ]
    assert backlog(tickets, end) == 3


# --- SLA ---------------------------------------------------------------------------------------


def test_policy_is_the_segments_own_else_the_priority_general_one():
    assert policy_for(RULES, "high", 7) == RULES[3]
    assert policy_for(RULES, "high", 3) == RULES[2]
    assert policy_for(RULES, "high", None) == RULES[2]
    assert policy_for(RULES, "low", None) is None


SLA_CASES = [
    # (case, ticket, metric, as_of, outcome); normal: reply in 2 business hours, solve in 8.
    (
        "reply at the due minute over a weekend",
        ticket(first_reply_at=utc(2026, 11, 23, 10)),
        "first_reply",
        LATER,
        "met",
    ),
    (
        "reply a minute late",
        ticket(first_reply_at=utc(2026, 11, 23, 10, 1)),
        "first_reply",
        LATER,
        "breached",
    ),
    # Wed 23 Dec 16:00: 1 hour Wed, Thursday is a holiday, so the reply is due Fri 10:00.
    (
        "open before the holiday, not yet due",
        ticket(created_at=utc(2026, 12, 23, 16)),
        "first_reply",
        utc(2026, 12, 25, 10),
        "pending",
    ),
    (
        "open past due after the holiday",
        ticket(created_at=utc(2026, 12, 23, 16)),
        "first_reply",
        utc(2026, 12, 25, 10, 1),
        "breached",
    ),
    (
        "resolution due Fri 16:00 after the holiday",
        ticket(created_at=utc(2026, 12, 23, 16)),
        "resolution",
        utc(2026, 12, 25, 15, 59),
        "pending",
    ),
    ("solved on Monday noon within 8 business hours", solved(), "resolution", LATER, "met"),
    ("solved a day late", solved(solved_at=utc(2026, 11, 24, 17)), "resolution", LATER, "breached"),
    (
        "solved after as_of is still open then",
        solved(),
        "resolution",
        utc(2026, 11, 23, 11),
        "pending",
    ),
    ("solved without a public reply", solved(), "first_reply", LATER, None),
    # Urgent runs on the clock: Saturday counts.
    (
        "urgent reply after 90 minutes on a Saturday",
        ticket(
            priority="urgent",
            created_at=utc(2026, 11, 21, 12),
            first_reply_at=utc(2026, 11, 21, 13, 30),
        ),
        "first_reply",
        LATER,
        "breached",
    ),
    (
        "urgent reply after 45 minutes",
        ticket(
            priority="urgent",
            created_at=utc(2026, 11, 21, 12),
            first_reply_at=utc(2026, 11, 21, 12, 45),
        ),
        "first_reply",
        LATER,
        "met",
    ),
]


@pytest.mark.parametrize(
    ("record", "metric", "as_of", "outcome"),
    [case[1:] for case in SLA_CASES],
    ids=[case[0] for case in SLA_CASES],
)
def test_sla_targets_are_met_breached_or_pending(record, metric, as_of, outcome):
    rule = policy_for(RULES, record.priority, record.segment_id)
    assert rule is not None
    assert sla_outcome(record, rule, metric, OFFICE, as_of) == outcome


def test_sla_attainment_is_met_over_met_and_breached_per_priority_and_metric():
    tickets = [
        solved(first_reply_at=utc(2026, 11, 23, 10)),  # reply met, resolution met
        solved(first_reply_at=utc(2026, 11, 23, 11), solved_at=utc(2026, 11, 25, 9)),  # both late
        ticket(created_at=utc(2026, 12, 23, 16)),  # reply and resolution pending
        ticket(priority="high", segment_id=7, first_reply_at=utc(2026, 11, 20, 16, 20)),  # met
        ticket(priority="low"),  # no policy: left out
    ]
    report = sla_attainment(tickets, RULES, OFFICE, utc(2026, 12, 24, 12))
    assert (report.overall.met, report.overall.breached, report.overall.pending) == (3, 2, 2)
    assert report.overall.attainment == pytest.approx(3 / 5)
    normal = report.by_priority["normal"]
    assert (normal["first_reply"].met, normal["first_reply"].breached) == (1, 1)
    assert normal["resolution"].pending == 1
    assert set(report.by_priority["high"]) == {"first_reply"}  # no resolution target
    assert "low" not in report.by_priority


def test_summary_excludes_tickets_without_reply_from_the_median_and_counts_them():
    tickets = [
        ticket(first_reply_at=utc(2026, 11, 20, 16, 30)),  # 30 minutes
        ticket(first_reply_at=utc(2026, 11, 20, 17, 30)),  # 90 calendar, 60 business
        ticket(),  # no reply
        replace(solved(agent_replies=1), first_reply_at=utc(2026, 11, 23, 10)),  # 3960 / 120
    ]
    summary = summarize_tickets(tickets, calendar=OFFICE, rules=RULES, as_of=LATER)
    assert summary.tickets == 4
    assert summary.without_reply == 1
    assert summary.first_reply["calendar"].count == 3
    assert summary.first_reply["calendar"].median == 90
    assert summary.first_reply["business"].median == 60
    assert summary.first_reply["calendar"].p90 == pytest.approx(90 + 0.8 * (3960 - 90))
    assert summary.resolution["calendar"].median == (3 * 24 - 4) * 60  # Fri 16:00 → Mon 12:00
    assert summary.fcr.rate == 1
