"""`headway metrics revenue|cohorts` and /api/v1/metrics/…: the contract scripts rely on."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from headway.revenue import metrics_api
from headway.revenue.cli import app as metrics_app
from headway.revenue.schemas import Interval
from headway.users.models import Scope
from tests.helpers import bearer, make_account, subscribe

runner = CliRunner()

# The keys issue 3 promises scripts, in major units and fractions …
ISSUE_KEYS = {
    "mrr_start",
    "mrr_end",
    "new",
    "expansion",
    "contraction",
    "churn",
    "reactivation",
    "net_new",
    "gross_mrr_churn_rate",
    "net_mrr_churn_rate",
    "grr",
    "nrr",
    "logo_churn_rate",
    "expansion_rate",
    "quick_ratio",
    "arpa",
    "nrr_cohort",
    "grr_cohort",
    "definitions",
}
# … and what comes with them: LTV and CAC, counts, the variants, and what the figures cover.
EXTRA_KEYS = {
    "ltv",
    "cac",
    "cac_payback_months",
    "ltv_to_cac",
    "spend",
    "accounts_start",
    "accounts_end",
    "new_accounts",
    "reactivated_accounts",
    "churned_accounts",
    "lost_accounts",
    "variants",
    "period",
    "currency",
    "converted_currencies",
    "filters",
}


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(datetime(2025, 1, 15, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def ledger(session, bob):
    """Acme pays 100 from Jan 2024 and adds 50 in March; Globex (Bob's) pays 1200 a year
    (100 a month) from Feb 2024 to May 2024."""
    acme = make_account(session, "acme", segment="high-touch")
    globex = make_account(session, "globex", owner=bob, segment="tech-touch")
    subscribe(session, acme, "a1", "100", date(2024, 1, 1))
    subscribe(session, acme, "a2", "50", date(2024, 3, 1))
    subscribe(
        session, globex, "g1", "1200", date(2024, 2, 1), date(2024, 5, 1), interval=Interval.YEAR
    )
    return acme, globex


def run(*args: str):
    result = runner.invoke(metrics_app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- the command line ----------------------------------------------------------------------


def test_revenue_json_has_the_promised_keys_in_major_units(ledger):
    data = run("revenue", "--from", "2024-01", "--to", "2024-06", "--json")
    assert set(data) == ISSUE_KEYS | EXTRA_KEYS
    # Dec 31: 0. New: Acme 100 (Jan), Globex 100 (Feb); expansion 50 (Mar); churn 100 (May).
    assert (data["mrr_start"], data["new"], data["expansion"], data["churn"]) == (0, 200, 50, 100)
    assert (data["mrr_end"], data["net_new"], data["arpa"]) == (150, 150, 150)
    assert data["grr"] is None  # nothing paid at the start: undefined, not 0
    assert data["quick_ratio"] == 2.5  # (200 + 50) / 100
    assert data["definitions"]["logo_churn_rate"]["variant"] == "chartmogul"
    assert data["period"] == {
        "first_month": "2024-01",
        "last_month": "2024-06",
        "months": 6,
        "start_date": "2023-12-31",
        "end_date": "2024-06-30",
    }


def test_revenue_by_month_prints_a_list_one_object_per_month(ledger):
    data = run("revenue", "--from", "2024-01", "--to", "2024-06", "--by", "month", "--json")
    assert [m["period"]["first_month"] for m in data] == [f"2024-0{i}" for i in range(1, 7)]
    assert [m["mrr_end"] for m in data] == [100, 200, 250, 250, 150, 150]
    assert all(set(m) == ISSUE_KEYS | EXTRA_KEYS for m in data)


def test_revenue_filters_by_segment_and_by_owner_email(ledger, bob):
    by_segment = run(
        "revenue", "--from", "2024-03", "--to", "2024-03", "--segment", "high-touch", "--json"
    )
    assert by_segment["mrr_end"] == 150
    by_owner = run(
        "revenue", "--from", "2024-03", "--to", "2024-03", "--owner", bob.email, "--json"
    )
    assert (by_owner["mrr_end"], by_owner["filters"]["owner_id"]) == (100, bob.id)


def test_revenue_without_json_prints_a_table_for_people(ledger):
    result = runner.invoke(metrics_app, ["revenue", "--from", "2024-01", "--to", "2024-06"])
    assert result.exit_code == 0, result.output
    assert "Revenue 2024-01 to 2024-06 (USD)" in result.output
    assert "NRR" in result.output and "—" in result.output  # undefined shown as a dash


def test_cohorts_json_is_a_retention_matrix(ledger):
    data = run("cohorts", "--by", "month", "--from", "2024-01", "--to", "2024-06", "--json")
    cohorts = {c["cohort"]: c for c in data["cohorts"]}
    assert (data["by"], data["measure"], data["last_month"]) == ("month", "logos", "2024-06")
    assert cohorts["2024-01"]["retention"] == [1.0] * 6
    # Globex: paying at the ends of Feb, Mar and Apr, gone by May 31.
    assert cohorts["2024-02"]["retention"] == [1.0, 1.0, 1.0, 0.0, 0.0]
    mrr = run(
        "cohorts",
        "--by",
        "quarter",
        "--measure",
        "mrr",
        "--from",
        "2024-01",
        "--to",
        "2024-06",
        "--json",
    )
    [q1, q2] = mrr["cohorts"]
    # Q1 cohort: Acme 100 + Globex 100 at their first month ends; Mar 31: 150 + 100, Jun 30: 150.
    assert (q1["cohort"], q1["starting_mrr"], q1["retention"]) == ("2024-Q1", 200, [1.25, 0.75])
    assert q2["accounts"] == 0


def test_cohorts_without_json_print_a_table(ledger):
    result = runner.invoke(metrics_app, ["cohorts", "--from", "2024-01", "--to", "2024-03"])
    assert result.exit_code == 0, result.output
    assert "month 2" in result.output and "100.0 %" in result.output


def test_bad_input_exits_non_zero_with_the_reason(ledger):
    result = runner.invoke(metrics_app, ["revenue", "--from", "2024-13", "--json"])
    assert result.exit_code == 2 and "YYYY-MM" in result.output
    result = runner.invoke(metrics_app, ["revenue", "--to", "2025-03", "--json"])
    assert result.exit_code == 1 and "after the current month" in result.output
    result = runner.invoke(metrics_app, ["revenue", "--owner", "nobody@example.com"])
    assert result.exit_code == 1 and "nobody@example.com" in result.output
    result = runner.invoke(metrics_app, ["cohorts", "--segment", "vip"])
    assert result.exit_code == 1 and "unknown segment" in result.output


def test_a_missing_exchange_rate_stops_the_command_with_its_currency_and_date(session):
    acme = make_account(session, "acme")
    subscribe(session, acme, "e", "100", date(2024, 1, 1), currency="EUR")
    result = runner.invoke(metrics_app, ["revenue", "--from", "2024-01", "--to", "2024-02"])
    assert result.exit_code == 1
    assert "EUR to USD on or before 2024-01-31" in result.output


# --- the API -------------------------------------------------------------------------------


@pytest.fixture
def api(app) -> TestClient:
    """A client of the app with the metrics router (mounted here until main.py mounts it)."""
    if not any(getattr(r, "path", "") == "/api/v1/metrics/revenue" for r in app.routes):
        app.include_router(metrics_api.router, prefix="/api/v1")
    with TestClient(app) as client:
        yield client


def test_the_api_gives_the_same_metrics_as_the_command_line(api, session, ledger, carol):
    headers = bearer(session, carol, Scope.READ)  # viewers read metrics too
    response = api.get("/api/v1/metrics/revenue?from=2024-01&to=2024-06", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == run("revenue", "--from", "2024-01", "--to", "2024-06", "--json")
    monthly = api.get(
        "/api/v1/metrics/revenue",
        params={"from": "2024-01", "to": "2024-06", "by": "month", "owner_id": ledger[1].owner_id},
        headers=headers,
    ).json()
    assert [m["mrr_end"] for m in monthly] == [0, 100, 100, 100, 0, 0]


def test_the_api_gives_cohorts_and_an_accounts_movements(api, session, ledger, carol):
    headers = bearer(session, carol, Scope.READ)
    cohorts = api.get(
        "/api/v1/metrics/cohorts",
        params={"from": "2024-01", "to": "2024-06", "by": "quarter", "measure": "mrr"},
        headers=headers,
    )
    assert cohorts.status_code == 200, cohorts.text
    assert cohorts.json()["cohorts"][0]["retention"] == [1.25, 0.75]
    globex = ledger[1]
    moves = api.get(f"/api/v1/accounts/{globex.id}/revenue-movements", headers=headers).json()
    assert [(m["month"], m["mrr_end"], m["movement"]) for m in moves][:4] == [
        ("2024-02", 100, "new"),
        ("2024-03", 100, None),
        ("2024-04", 100, None),
        ("2024-05", 0, "churn"),
    ]
    assert moves[-1]["month"] == "2025-01"


def test_the_api_refuses_bad_input_and_missing_keys(api, session, ledger, carol):
    headers = bearer(session, carol, Scope.READ)
    assert api.get("/api/v1/metrics/revenue").status_code == 401
    assert api.get("/api/v1/metrics/revenue?from=2024-1", headers=headers).status_code == 422
    unknown = api.get("/api/v1/metrics/revenue?segment=vip", headers=headers)
    assert unknown.status_code == 422 and "unknown segment" in unknown.text
    future = api.get("/api/v1/metrics/cohorts?to=2025-02", headers=headers)
    assert future.status_code == 422 and "after the current month" in future.text
    assert api.get("/api/v1/metrics/revenue?owner_id=99999", headers=headers).status_code == 404
    assert api.get("/api/v1/accounts/99999/revenue-movements", headers=headers).status_code == 404
