"""Support metrics read from the database, and `headway metrics support --json` / the API."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from typer.testing import CliRunner

from headway.cli import app as headway_app
from headway.core.errors import InvalidInput
from headway.support.models import Holiday, Ticket
from headway.support.reports import support_metrics
from tests.helpers import bearer, make_account, subscribe

runner = CliRunner()
NOVEMBER = {"first": date(2026, 11, 1), "last": date(2026, 11, 30)}
ISSUE_KEYS = {
    "tickets",
    "first_reply_median_hours",
    "first_reply_p90_hours",
    "resolution_median_hours",
    "fcr_rate",
    "sla_attainment",
    "csat",
}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(utc(2026, 12, 1, 12), tick=False):
        yield


def add_ticket(session, account, external_id: str, **fields) -> Ticket:
    ticket = Ticket(
        external_id=external_id,
        account_id=account.id,
        subject=external_id,
        priority=fields.pop("priority", "normal"),
        status=fields.pop("status", "open"),
        updated_at=utc(2026, 12, 1),
        **fields,
    )
    session.add(ticket)
    session.commit()
    return ticket


@pytest.fixture
def tickets(session):
    """Acme (high-touch, 20 seats) and Globex (tech-touch, no subscription), November 2026
    in the seeded hours (Mon–Fri 09:00–17:00 UTC) and SLA policies."""
    acme = make_account(session, "acme", segment="high-touch")
    globex = make_account(session, "globex", segment="tech-touch")
    subscribe(session, acme, "a1", "100", date(2026, 1, 1), quantity=20)
    # Fri 16:00 → reply Mon 10:00 (66 h, 2 business h) → solved Mon 12:00 (68 h, 4 business h).
    add_ticket(
        session,
        acme,
        "t1",
        status="solved",
        created_at=utc(2026, 11, 20, 16),
        first_reply_at=utc(2026, 11, 23, 10),
        solved_at=utc(2026, 11, 23, 12),
        agent_replies=1,
        satisfaction="5",
        satisfaction_scale="1-5",
    )
    # Urgent on Saturday: replied after 90 minutes, still open: both calendar targets breached.
    add_ticket(
        session,
        acme,
        "t2",
        priority="urgent",
        created_at=utc(2026, 11, 21, 12),
        first_reply_at=utc(2026, 11, 21, 13, 30),
    )
    # No reply: reply due Wed 10:00 (breached), resolution due Tue 1 Dec 10:00 (pending).
    add_ticket(
        session,
        globex,
        "t3",
        created_at=utc(2026, 11, 24, 10),
        satisfaction="2",
        satisfaction_scale="1-5",
    )
    # High: replied in 30 minutes, solved in 24 h (8 business h), reopened, three replies.
    add_ticket(
        session,
        globex,
        "t4",
        priority="high",
        status="closed",
        created_at=utc(2026, 11, 2, 9),
        first_reply_at=utc(2026, 11, 2, 9, 30),
        solved_at=utc(2026, 11, 3, 9),
        reopens=1,
        agent_replies=3,
        satisfaction="good",
        satisfaction_scale="good_bad",
    )
    # Created in October and still open: only in the backlog.
    add_ticket(session, acme, "t5", created_at=utc(2026, 10, 15, 10))
    return acme, globex


def test_support_metrics_of_a_month_match_the_hand_computed_figures(session, tickets):
    report = support_metrics(session=session, **NOVEMBER)
    assert report["tickets"] == 4
    # First replies 30, 90 and 3960 minutes; t3 has none.
    assert report["first_reply_median_hours"] == 1.5
    assert report["first_reply_p90_hours"] == 53.1  # (90 + 0.8 × 3870) / 60
    assert report["without_reply"] == 1
    assert report["first_reply_business_median_hours"] == 0.5  # 0 (Saturday), 30, 120
    assert report["resolution_median_hours"] == 46  # 24 h and 68 h
    assert report["resolution_p90_hours"] == 63.6
    assert report["resolution_business_median_hours"] == 6  # 8 h and 4 h
    assert report["fcr_rate"] == 0.5  # t1 one touch; t4 reopened with 3 replies
    assert report["reopen_rate"] == 0.5
    # Met: t1 ×2, t4 ×2; breached: t2 ×2, t3 reply; pending: t3 resolution.
    assert report["sla_attainment"] == round(4 / 7, 4)
    assert (report["sla"]["met"], report["sla"]["breached"], report["sla"]["pending"]) == (4, 3, 1)
    assert report["sla"]["by_priority"]["urgent"]["first_reply"]["attainment"] == 0
    assert report["csat"] == round(2 / 3, 4)  # 5 and good of 5, 2, good
    assert report["backlog"] == 3  # t2, t3 and October's t5
    # 4 tickets, 2 accounts, 30 days = 30 / 30.4375 months.
    assert report["tickets_per_account_month"] == round(4 / 2 / (30 / 30.4375), 4)
    # Acme's 2 tickets over its 20 seats.
    assert report["tickets_per_10_seats_month"] == round(2 / 2 / (30 / 30.4375), 4)
    assert list(report["by_priority"]) == ["normal", "high", "urgent"]
    assert report["by_priority"]["normal"]["tickets"] == 2
    assert {k: v["tickets"] for k, v in report["by_segment"].items()} == {
        "high-touch": 2,
        "tech-touch": 2,
    }


def test_filters_narrow_tickets_and_backlog(session, tickets):
    tech = support_metrics(session=session, segment="tech-touch", **NOVEMBER)
    assert (tech["tickets"], tech["backlog"], tech["accounts"]) == (2, 1, 1)
    assert tech["tickets_per_10_seats_month"] is None  # no seats known
    urgent = support_metrics(session=session, priority="urgent", **NOVEMBER)
    assert (urgent["tickets"], urgent["fcr_rate"], urgent["csat"]) == (1, None, None)
    acme = support_metrics(session=session, account_id=tickets[0].id, **NOVEMBER)
    assert acme["tickets"] == 2


def test_a_holiday_takes_its_hours_out_of_business_times(session, tickets):
    session.add(Holiday(day=date(2026, 11, 23), name="Closed"))
    session.commit()
    report = support_metrics(session=session, **NOVEMBER)
    # t1 now resolves in 1 business hour (Friday 16–17; Monday is off): median of 60 and 480.
    assert report["resolution_business_median_hours"] == 4.5


def test_an_empty_period_has_null_figures(session):
    report = support_metrics(session=session, **NOVEMBER)
    assert report["tickets"] == 0
    assert all(report[key] is None for key in ISSUE_KEYS - {"tickets"})


def test_unknown_priority_and_reversed_period_are_refused(session):
    with pytest.raises(InvalidInput, match="unknown priority 'asap'"):
        support_metrics(session=session, priority="asap", **NOVEMBER)
    with pytest.raises(InvalidInput, match="starts on 2026-11-30 after it ends"):
        support_metrics(session=session, first=date(2026, 11, 30), last=date(2026, 11, 1))


def test_cli_json_has_the_promised_keys(session, tickets):
    result = runner.invoke(
        headway_app, ["metrics", "support", "--from", "2026-11", "--to", "2026-11", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= ISSUE_KEYS
    assert {"backlog", "reopen_rate", "tickets_per_account_month", "by_priority"} <= set(data)
    assert (data["tickets"], data["fcr_rate"]) == (4, 0.5)


def test_cli_prints_a_table_and_names_bad_dates(session, tickets):
    result = runner.invoke(headway_app, ["metrics", "support", "--from", "2026-11-01"])
    assert result.exit_code == 0, result.output
    assert "FCR (one-touch)" in result.stdout
    result = runner.invoke(headway_app, ["metrics", "support", "--from", "november"])
    assert result.exit_code == 2
    assert "expected YYYY-MM-DD or YYYY-MM" in result.output


def test_api_returns_the_same_figures(client, session, alice, tickets):
    response = client.get(
        "/api/v1/metrics/support",
        params={"from": "2026-11-01", "to": "2026-11-30", "segment": "high-touch"},
        headers=bearer(session, alice),
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["tickets"], data["first_reply_median_hours"]) == (2, 33.75)  # 1.5 h and 66 h
    assert client.get("/api/v1/metrics/support").status_code == 401
    bad = client.get(
        "/api/v1/metrics/support", params={"priority": "asap"}, headers=bearer(session, alice)
    )
    assert bad.status_code in (400, 422)
