"""`headway report outcomes|coverage` and /api/v1/reports/…: the contract scripts rely on."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from headway.reports.cli import app as report_app
from headway.users.models import Scope
from tests.helpers import bearer

pytestmark = pytest.mark.usefixtures("frozen_today")
runner = CliRunner()

# The keys issue 4 promises scripts, and what comes with them.
OUTCOME_KEYS = {
    "goals_due",
    "goals_achieved",
    "attainment_rate",
    "at_risk",
    "by_segment",
    "by_csm",
    "by_template",
    "outputs_vs_outcomes",
    "from",
    "to",
    "as_of",
    "definitions",
}
FIGURES = {"goals_due", "goals_achieved", "attainment_rate", "at_risk"}


def run(*args: str):
    result = runner.invoke(report_app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_report_outcomes_json_has_the_promised_keys_and_hand_computed_figures(company, bob, erin):
    data = run("outcomes", "--json")
    assert set(data) == OUTCOME_KEYS
    assert (data["from"], data["to"], data["as_of"]) == ("2026-01-01", "2026-03-31", "2026-03-31")
    assert {k: data[k] for k in FIGURES} == {
        "goals_due": 5,
        "goals_achieved": 2,
        "attainment_rate": 0.4,
        "at_risk": 1,
    }
    assert data["by_segment"] == [
        {"segment": "high-touch", "name": "High-touch", "goals_due": 4, "goals_achieved": 1,
         "attainment_rate": 0.25, "at_risk": 0},
        {"segment": "tech-touch", "name": "Tech-touch", "goals_due": 1, "goals_achieved": 1,
         "attainment_rate": 1.0, "at_risk": 1},
    ]  # fmt: skip
    assert data["by_csm"] == [
        {"owner_id": bob.id, "name": "Bob Brown", "goals_due": 4, "goals_achieved": 2,
         "attainment_rate": 0.5, "at_risk": 0},
        {"owner_id": erin.id, "name": "Erin Evans", "goals_due": 1, "goals_achieved": 0,
         "attainment_rate": 0.0, "at_risk": 1},
    ]  # fmt: skip
    assert [(t["template"], t["goals_due"]) for t in data["by_template"]] == [
        ("registrations", 2),
        ("support-cost", 1),
        ("custom", 2),
    ]
    assert data["outputs_vs_outcomes"][1] == {
        "owner_id": erin.id,
        "name": "Erin Evans",
        "goals_due": 1,
        "goals_achieved": 0,
        "attainment_rate": 0.0,
        "at_risk": 1,
        "accounts": 2,
        "accounts_with_achievement": 1,
        "achievement_share": 0.5,
        "activities": 3,
        "activity_hours": 1.5,
    }


def test_report_outcomes_takes_a_period_and_an_as_of_day(company):
    data = run(
        "outcomes", "--from", "2026-01-01", "--to", "2026-03-31", "--as-of", "2026-02-28", "--json"
    )
    assert {k: data[k] for k in FIGURES} == {
        "goals_due": 3,
        "goals_achieved": 2,
        "attainment_rate": 0.666667,
        "at_risk": 2,
    }
    empty = run("outcomes", "--from", "2025-01-01", "--to", "2025-06-30", "--json")
    assert (empty["goals_due"], empty["attainment_rate"], empty["by_segment"]) == (0, None, [
        {"segment": "tech-touch", "name": "Tech-touch", "goals_due": 0, "goals_achieved": 0,
         "attainment_rate": None, "at_risk": 1},
    ])  # fmt: skip


def test_report_outcomes_without_json_prints_tables_for_people(company):
    result = runner.invoke(report_app, ["outcomes"])
    assert result.exit_code == 0, result.output
    assert "Outcomes 2026-01-01 to 2026-03-31" in result.output
    assert "40.0 %" in result.output and "Outputs vs outcomes" in result.output
    assert "2 of 2" in result.output and "100.0 %" in result.output  # Bob: accounts, share


def test_report_coverage_json_lists_every_gap_most_overdue_first(company, erin):
    data = run("coverage", "--json")
    assert data["summary"] == {
        "accounts": 4,
        "accounts_covered": 1,
        "accounts_with_gap": 3,
        "compliance_rate": 0.25,
        "overdue_days": 153,
    }
    assert [(g["account_name"], g["overdue_days"]) for g in data["gaps"]] == [
        ("Initech", 91),
        ("Globex", 46),
        ("Umbrella", 16),
    ]
    assert data["gaps"][0] | {"account_id": 0} == {
        "account_id": 0,
        "account_name": "Initech",
        "segment": "high-touch",
        "segment_name": "High-touch",
        "owner_id": erin.id,
        "owner_name": "Erin Evans",
        "requirement": "Business review",
        "every_days": 90,
        "last_touch": None,
        "due_on": "2025-12-30",
        "overdue_days": 91,
    }
    assert [(c["name"], c["compliance_rate"]) for c in data["by_csm"]] == [
        ("Bob Brown", 0.5),
        ("Erin Evans", 0.0),
    ]


def test_report_coverage_filters_by_segment_and_owner_email(company, erin):
    data = run("coverage", "--segment", "tech-touch", "--owner", erin.email, "--json")
    assert data["filters"] == {"segment": "tech-touch", "owner_id": erin.id}
    assert [g["account_name"] for g in data["gaps"]] == ["Umbrella"]
    table = runner.invoke(report_app, ["coverage"])
    assert table.exit_code == 0 and "Gaps, most overdue first" in table.output
    assert "Initech" in table.output and "Business review" in table.output


def test_bad_input_exits_non_zero_with_the_reason(company):
    result = runner.invoke(report_app, ["outcomes", "--from", "2026-13-01"])
    assert result.exit_code == 2 and "2026-13-01" in result.output
    result = runner.invoke(report_app, ["outcomes", "--from", "2026-03-01", "--to", "2026-02-01"])
    assert result.exit_code == 1 and "after it ends" in result.output
    result = runner.invoke(report_app, ["outcomes", "--as-of", "2026-04-01"])
    assert result.exit_code == 1 and "after today" in result.output
    result = runner.invoke(report_app, ["coverage", "--segment", "vip"])
    assert result.exit_code == 1 and "unknown segment" in result.output
    result = runner.invoke(report_app, ["coverage", "--owner", "nobody@example.com"])
    assert result.exit_code == 1 and "nobody@example.com" in result.output


# --- the API -------------------------------------------------------------------------------


def test_the_api_gives_a_viewer_the_same_outcome_report_as_the_command_line(
    client, session, company, carol
):
    headers = bearer(session, carol, Scope.READ)
    response = client.get(
        "/api/v1/reports/outcomes",
        params={"from": "2026-01-01", "to": "2026-03-31"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json() == run(
        "outcomes", "--from", "2026-01-01", "--to", "2026-03-31", "--json"
    )
    earlier = client.get("/api/v1/reports/outcomes?as_of=2026-02-28", headers=headers).json()
    # As of 28 February the default period is the 90 days to then, 1 December to 28 February:
    # G4 (due 15 December), G5, G1 achieved; G9 missed.
    assert (earlier["from"], earlier["goals_due"], earlier["goals_achieved"]) == (
        "2025-12-01",
        4,
        3,
    )


def test_the_api_pages_the_coverage_gaps_beside_the_summary(client, session, company, carol):
    headers = bearer(session, carol, Scope.READ)
    response = client.get("/api/v1/reports/coverage?per_page=2", headers=headers)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["summary"]["overdue_days"] == 153
    assert data["gaps"]["total"] == 3 and data["gaps"]["per_page"] == 2
    assert [g["account_name"] for g in data["gaps"]["items"]] == ["Initech", "Globex"]
    second = client.get("/api/v1/reports/coverage?per_page=2&page=2", headers=headers).json()
    assert [g["account_name"] for g in second["gaps"]["items"]] == ["Umbrella"]
    whole = run("coverage", "--json")
    assert {k: v for k, v in data.items() if k != "gaps"} == {
        k: v for k, v in whole.items() if k != "gaps"
    }


def test_the_api_refuses_bad_input_and_missing_keys(client, session, company, carol):
    headers = bearer(session, carol, Scope.READ)
    assert client.get("/api/v1/reports/outcomes").status_code == 401
    assert client.get("/api/v1/reports/outcomes?from=2026-1-1", headers=headers).status_code == 422
    backwards = client.get(
        "/api/v1/reports/outcomes?from=2026-03-01&to=2026-02-01", headers=headers
    )
    assert backwards.status_code == 422 and "after it ends" in backwards.text
    future = client.get("/api/v1/reports/coverage?as_of=2026-04-01", headers=headers)
    assert future.status_code == 422 and "after today" in future.text
    unknown = client.get("/api/v1/reports/coverage?segment=vip", headers=headers)
    assert unknown.status_code == 422 and "unknown segment" in unknown.text
    assert client.get("/api/v1/reports/coverage?owner_id=99999", headers=headers).status_code == 404
