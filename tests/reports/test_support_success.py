"""Support & success: the rules, the figures of the company in support_company.py, the API and
`headway report support-success --json`."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from headway.core.errors import InvalidInput, NotFound
from headway.reports.cli import app as report_app
from headway.reports.support_success import account_support_success, portfolio_support_success
from headway.reports.support_success_rules import (
    HIGH_EFFORT,
    RISING_TICKETS,
    TICKET_SCALES,
    AccountFacts,
    attention_reasons,
    explain,
    is_high_effort,
    is_rising,
    support_load,
    ticket_answer,
)
from headway.surveys.models import Survey
from headway.surveys.reports import survey_metrics
from headway.surveys.scoring import Scale, tally
from tests.helpers import bearer
from tests.reports.support_company import (
    NOW,
    TODAY,
    SupportCompany,
    answer,
    build_support_company,
    utc,
)

pytestmark = pytest.mark.usefixtures("frozen_today")
runner = CliRunner()
CES = Scale(minimum=1, maximum=7, positive_min=5, negative_max=3)
ONE_TO_FIVE, GOOD_BAD = TICKET_SCALES["1-5"], TICKET_SCALES["good_bad"]


@pytest.fixture
def company(session, bob, erin) -> SupportCompany:
    return build_support_company(session, bob=bob, erin=erin)


# --- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [
        ("5", "1-5", (ONE_TO_FIVE, 5)),
        ("4.0", None, (ONE_TO_FIVE, 4)),
        ("good", "good_bad", (GOOD_BAD, 1)),
        ("Bad", None, (GOOD_BAD, 0)),
        ("4", "good_bad", None),  # a number on a good/bad scale is unreadable
        ("7", "1-5", None),
        ("", "1-5", None),
        (None, None, None),
        ("meh", None, None),
    ],
)
def test_a_ticket_rating_reads_on_its_own_scale(value, scale, expected):
    assert ticket_answer(value, scale) == expected


@pytest.mark.parametrize(
    ("tickets", "previous", "rising"),
    [
        (3, 0, True),
        (3, 2, True),  # 3 ≥ 1.5 × 2
        (3, 3, False),  # 3 < 4.5
        (6, 4, True),  # exactly 1.5 ×
        (2, 0, False),  # too few to call a trend
        (10, 7, False),
    ],
)
def test_rising_ticket_load_needs_three_tickets_and_half_as_many_again(tickets, previous, rising):
    assert is_rising(tickets, previous) is rising


@pytest.mark.parametrize(
    ("scores", "high"),
    [
        ([4], True),
        ([5], False),
        ([4, 6], False),
        ([3, 6], True),
        ([], False),
        ([2, 7, 6], False),
        ([1, 7, 6], True),
    ],
)
def test_high_effort_is_a_mean_ces_below_five_on_at_least_one_answer(scores, high):
    assert is_high_effort(tally(scores, CES)) is high


@pytest.mark.parametrize(
    ("facts", "reasons"),
    [
        (AccountFacts(1, effort=(2,), tickets=3), (HIGH_EFFORT, RISING_TICKETS)),
        (AccountFacts(1, effort=(2,), tickets=3, proactive_touches=1), ()),
        (AccountFacts(1, effort=(6,), tickets=4, tickets_previous=2), (RISING_TICKETS,)),
        (AccountFacts(1, effort=(3, 4), tickets=1, tickets_previous=1), (HIGH_EFFORT,)),
        (AccountFacts(1), ()),
    ],
)
def test_only_accounts_without_a_proactive_touch_need_attention(facts, reasons):
    assert attention_reasons(facts, CES) == reasons


def test_an_effort_just_below_the_threshold_never_reads_as_the_threshold():
    facts = AccountFacts(1, effort=(5,) * 24 + (4,))  # a mean of 4.96
    assert explain(facts, attention_reasons(facts, CES), CES) == (
        "effort 4.96 of 7 on 25 answers (below 5); no proactive touch in the period"
    )


def test_csat_pools_answers_of_every_scale_and_resolution_pools_tickets():
    facts = [
        AccountFacts(1, satisfaction=((ONE_TO_FIVE, 5), (ONE_TO_FIVE, 2)),
                     resolution_minutes=(60,)),
        AccountFacts(2, satisfaction=((GOOD_BAD, 1),), resolution_minutes=(120, 600)),
    ]  # fmt: skip
    load = support_load(facts, CES)
    assert (load.csat.responses, load.csat.positive, load.csat.positive_rate) == (3, 2, 2 / 3)
    assert (load.solved, load.resolution_median_minutes) == (3, 120)
    assert load.effort.mean is None and load.ticket_trend is None


# --- the company ----------------------------------------------------------------------------

EMPTY_SUPPORT = {
    "tickets": 0, "tickets_previous": 0, "ticket_trend": None, "solved": 0,
    "resolution_median_hours": None, "csat": None, "csat_responses": 0,
    "ces_mean": None, "ces_agree_rate": None, "ces_responses": 0,
}  # fmt: skip


def test_acme_has_tickets_answers_and_proactive_work_side_by_side(session, company):
    acme = account_support_success(session=session, account_id=company.acme.id)
    assert acme["period"] == {"from": "2026-01-01", "to": "2026-03-31", "days": 90}
    assert acme["previous_period"] == {"from": "2025-10-03", "to": "2025-12-31"}
    assert acme["coverage_as_of"] == "2026-03-31"
    assert acme["support"] == {
        "tickets": 4, "tickets_previous": 2, "ticket_trend": 2.0, "solved": 4,
        "resolution_median_hours": 30.0, "csat": 0.6, "csat_responses": 5,
        "ces_mean": 6.0, "ces_agree_rate": 1.0, "ces_responses": 1,
    }  # fmt: skip
    assert acme["success"] == {
        "activities": 2, "activity_hours": 1.17, "proactive_touches": 2, "accounts_touched": 1,
        "goals_progressed": 1, "touches_required": 2, "touches_met": 1, "coverage": 0.5,
        "last_proactive_touch": "2026-03-15",
    }  # fmt: skip
    # Rising tickets (4, up from 2), but a proactive touch in the period.
    assert acme["attention"] == {"reasons": [], "why": ""}


def test_effort_is_the_ces_of_the_survey_metrics_every_ces_2_0_survey_pooled(session, company):
    session.add(
        Survey(
            key="ces_onboarding", type="ces", name="Onboarding effort", question="Easy?",
            scale_min=1, scale_max=7, labels={}, direction="higher_better", positive_min=5,
            negative_max=3, aggregation="mean", created_at=NOW,
        )
    )  # fmt: skip
    session.commit()
    answer(session, company.initech, "ces_onboarding", 7, utc(2026, 3, 2, 10))

    report = account_support_success(session=session, account_id=company.initech.id)
    voice = survey_metrics(
        session=session, first=date(2026, 1, 1), last=TODAY, account_id=company.initech.id
    )

    # 3, 4 and 7: a mean of 4.67, one of three agreeing.
    support = report["support"]
    assert (support["ces_mean"], support["ces_agree_rate"], support["ces_responses"]) == (
        4.6667,
        0.3333,
        3,
    )
    assert (voice["ces_mean"], voice["ces_agree_rate"]) == (4.67, 0.3333)
    assert report["attention"]["why"] == (
        "effort 4.7 of 7 on 3 answers (below 5); no proactive touch in the period"
    )


def test_an_account_without_tickets_or_answers_has_nulls_not_zeros(session, company):
    umbrella = account_support_success(session=session, account_id=company.umbrella.id)
    assert umbrella["support"] == EMPTY_SUPPORT
    assert umbrella["success"] == {
        "activities": 0, "activity_hours": 0.0, "proactive_touches": 0, "accounts_touched": 0,
        "goals_progressed": 0, "touches_required": 1, "touches_met": 0, "coverage": 0.0,
        "last_proactive_touch": None,
    }  # fmt: skip


def test_an_escalation_is_work_but_not_a_proactive_touch(session, company):
    globex = account_support_success(session=session, account_id=company.globex.id)
    assert globex["success"]["activities"] == 1
    assert globex["success"]["proactive_touches"] == 0
    assert globex["success"]["last_proactive_touch"] == "2025-12-15"
    assert globex["attention"]["reasons"] == ["high_effort", "rising_tickets"]


def test_the_portfolio_pools_current_accounts_and_leaves_churned_ones_out(session, company):
    report = portfolio_support_success(session=session)
    assert report["accounts"] == 4
    assert report["support"] == {
        "tickets": 8, "tickets_previous": 3, "ticket_trend": 2.6667, "solved": 5,
        "resolution_median_hours": 12.0, "csat": 0.6667, "csat_responses": 6,
        "ces_mean": 3.75, "ces_agree_rate": 0.25, "ces_responses": 4,
    }  # fmt: skip
    assert report["success"] == {
        "activities": 3, "activity_hours": 2.17, "proactive_touches": 2, "accounts_touched": 1,
        "goals_progressed": 1, "touches_required": 6, "touches_met": 1, "coverage": 0.1667,
    }  # fmt: skip
    assert report["monthly"] == {
        "months": ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09",
                   "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"],
        "tickets": [0, 0, 0, 0, 0, 0, 0, 1, 2, 1, 2, 5],
        "proactive_touches": [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2],
    }  # fmt: skip


def test_the_portfolio_has_a_row_per_segment_and_per_csm(session, company, bob, erin):
    report = portfolio_support_success(session=session)
    segments = {row["segment"]: row for row in report["by_segment"]}
    assert [row["name"] for row in report["by_segment"]] == ["High-touch", "Tech-touch"]
    high, tech = segments["high-touch"], segments["tech-touch"]
    assert high["accounts"] == 2
    assert {k: high["support"][k] for k in ("tickets", "tickets_previous", "ticket_trend")} == {
        "tickets": 7,
        "tickets_previous": 2,
        "ticket_trend": 3.5,
    }
    assert (high["support"]["resolution_median_hours"], high["support"]["csat"]) == (30.0, 0.6)
    assert (high["support"]["ces_mean"], high["support"]["ces_agree_rate"]) == (4.0, 0.5)
    assert (high["success"]["touches_met"], high["success"]["coverage"]) == (1, 0.25)
    assert (tech["support"]["resolution_median_hours"], tech["support"]["csat"]) == (2.0, 1.0)
    assert (tech["support"]["ces_mean"], tech["support"]["ces_agree_rate"]) == (3.5, 0.0)
    assert tech["success"]["activities"] == 0
    csms = [(row["owner_id"], row["name"], row["accounts"]) for row in report["by_csm"]]
    assert csms == [(bob.id, "Bob Brown", 3), (erin.id, "Erin Evans", 1)]
    assert report["by_csm"][0]["success"]["coverage"] == 0.2  # 1 of 5 touches


def test_high_effort_and_rising_load_without_a_proactive_touch_are_listed(session, company, bob):
    attention = portfolio_support_success(session=session)["attention"]
    assert [(a["name"], a["reasons"]) for a in attention] == [
        ("Globex", ["high_effort", "rising_tickets"]),
        ("Initech", ["high_effort"]),
    ]
    globex = attention[0]
    assert globex["why"] == (
        "effort 2.0 of 7 on 1 answer (below 5); 3 tickets, up from 0; "
        "no proactive touch in the period"
    )
    assert (globex["owner_id"], globex["owner_name"], globex["segment_name"]) == (
        bob.id,
        "Bob Brown",
        "High-touch",
    )
    assert (globex["tickets"], globex["tickets_previous"], globex["ces_mean"]) == (3, 0, 2.0)
    assert globex["last_proactive_touch"] == "2025-12-15"
    assert (
        attention[1]["why"]
        == "effort 3.5 of 7 on 2 answers (below 5); no proactive touch in the period"
    )


def test_filters_and_an_earlier_period_change_the_scope(session, company, erin):
    tech = portfolio_support_success(session=session, segment="tech-touch")
    assert (tech["accounts"], tech["support"]["tickets"]) == (2, 1)
    erins = portfolio_support_success(session=session, owner_id=erin.id)
    assert (erins["accounts"], [a["name"] for a in erins["attention"]]) == (1, ["Initech"])
    # December alone: Acme's a6 and Initech's i0; November before it had Acme's a5.
    december = portfolio_support_success(
        session=session, first=date(2025, 12, 1), last=date(2025, 12, 31)
    )
    assert december["previous_period"] == {"from": "2025-10-31", "to": "2025-11-30"}
    assert (december["support"]["tickets"], december["support"]["tickets_previous"]) == (2, 1)
    assert december["support"]["csat"] == 0.0  # a6's bad rating and the csat answer of 1
    assert december["success"]["proactive_touches"] == 1


def test_a_period_that_ends_before_it_starts_or_an_unknown_scope_is_refused(session, company):
    with pytest.raises(InvalidInput, match="starts on 2026-03-01 after it ends on 2026-02-01"):
        portfolio_support_success(session=session, first=date(2026, 3, 1), last=date(2026, 2, 1))
    with pytest.raises(InvalidInput, match="does not fit in the calendar"):
        portfolio_support_success(session=session, first=date(1, 1, 1), last=date(1, 1, 31))
    with pytest.raises(InvalidInput, match="unknown segment 'vip'"):
        portfolio_support_success(session=session, segment="vip")
    with pytest.raises(NotFound):
        account_support_success(session=session, account_id=999_999)


def test_a_churned_account_is_still_reported_on_its_own(session, company):
    hooli = account_support_success(session=session, account_id=company.hooli.id)
    assert (hooli["support"]["tickets"], hooli["support"]["ces_mean"]) == (5, 1.0)


# --- the API and the CLI --------------------------------------------------------------------


def test_the_api_reports_the_portfolio_or_one_account(client, session, company, carol):
    headers = bearer(session, carol)
    portfolio = client.get("/api/v1/reports/support-success", headers=headers)
    assert portfolio.status_code == 200, portfolio.text
    body = portfolio.json()
    assert body["support"]["tickets"] == 8 and len(body["attention"]) == 2
    assert set(body) >= {"period", "support", "success", "by_segment", "by_csm", "attention"}
    one = client.get(
        "/api/v1/reports/support-success",
        params={"account_id": company.acme.id, "from": "2026-01", "to": "2026-03"},
        headers=headers,
    )
    assert one.status_code == 200, one.text
    assert one.json()["account"]["external_id"] == "acme"
    assert one.json()["support"]["tickets"] == 4
    mixed = client.get(
        "/api/v1/reports/support-success",
        params={"account_id": company.acme.id, "segment": "high-touch"},
        headers=headers,
    )
    assert mixed.status_code == 422 and "leave out segment" in mixed.text
    backwards = client.get(
        "/api/v1/reports/support-success", params={"from": "2026-03-02", "to": "2026-03-01"},
        headers=headers,
    )  # fmt: skip
    assert backwards.status_code == 422 and "after it ends" in backwards.text
    assert client.get("/api/v1/reports/support-success").status_code == 401


def run(*args: str) -> dict:
    result = runner.invoke(report_app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_cli_prints_the_same_figures_as_json(company):
    data = run("support-success", "--json")
    assert data["support"]["tickets"] == 8
    assert data["success"]["coverage"] == 0.1667
    assert [a["name"] for a in data["attention"]] == ["Globex", "Initech"]
    tech = run("support-success", "--segment", "tech-touch", "--from", "2026-01", "--json")
    assert (tech["accounts"], tech["period"]["from"]) == (2, "2026-01-01")
    acme = run("support-success", "--account", "acme", "--json")
    assert acme["support"]["resolution_median_hours"] == 30.0


def test_the_cli_prints_tables_and_says_what_is_wrong(company):
    tables = runner.invoke(report_app, ["support-success"])
    assert tables.exit_code == 0, tables.output
    assert "Support, reactive: 2026-01-01 to 2026-03-31" in tables.output
    assert "Success, proactive: 2026-01-01 to 2026-03-31" in tables.output
    assert "Globex" in tables.output and "High-touch" in tables.output
    unknown = runner.invoke(report_app, ["support-success", "--account", "nobody"])
    assert unknown.exit_code == 1 and "no account has the external id 'nobody'" in unknown.output
    garbled = runner.invoke(report_app, ["support-success", "--from", "yesterday"])
    assert garbled.exit_code == 2 and "expected YYYY-MM-DD or YYYY-MM" in garbled.output
