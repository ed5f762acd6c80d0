"""The outcomes and coverage pages: anyone logged in reads them, with the company's figures."""

from __future__ import annotations

import html
import json
import re

import pytest
import time_machine

from tests.helpers import login, make_account
from tests.reports.company import CUSTOMERS_SINCE

pytestmark = pytest.mark.usefixtures("frozen_today")

_FIGURE = re.compile(r'id="figure-(\w+)"[^>]*>.*?class="kpi-value">([^<]*)<', re.DOTALL)
_CHART = re.compile(r"data-chart='([^']*)'")


def figures(page: str) -> dict[str, str]:
    return {key: html.unescape(value.strip()) for key, value in _FIGURE.findall(page)}


def charts(page: str) -> list[dict]:
    return [json.loads(html.unescape(raw)) for raw in _CHART.findall(page)]


def test_someone_logged_out_is_sent_to_the_login_page(client):
    for path in ("/reports/outcomes", "/reports/coverage"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=/reports/")


def test_a_viewer_reads_outcome_attainment_with_charts_by_segment_and_csm(client, carol, company):
    login(client, carol)
    response = client.get("/reports/outcomes")
    assert response.status_code == 200
    page = response.text
    assert figures(page) == {
        "attainment_rate": "40 %",
        "goals_due": "5",
        "goals_achieved": "2",
        "at_risk": "1",
    }
    by_segment, by_csm = charts(page)
    assert by_segment["kind"] == "stacked-bar" and "currency" not in by_segment
    assert by_segment["labels"] == ["High-touch · 25 %", "Tech-touch · 100 %"]
    assert [d["data"] for d in by_segment["datasets"]] == [[1, 1], [3, 0]]  # achieved, missed
    assert by_csm["labels"] == ["Bob Brown · 50 %", "Erin Evans · 0 %"]
    assert [d["data"] for d in by_csm["datasets"]] == [[2, 0], [2, 1]]
    # Both pages are in the navigation, the current one marked.
    assert 'href="/reports/outcomes" aria-current="page"' in page
    assert 'href="/reports/coverage" ' in page


def test_the_outcomes_page_lists_goals_at_risk_linking_to_their_accounts(client, carol, company):
    login(client, carol)
    page = client.get("/reports/outcomes").text
    risk = page[page.index('id="goals-at-risk"') : page.index('class="grid report-tables"')]
    assert "Teams onboarded" in risk
    assert f'<a href="/accounts/{company.umbrella.id}">Umbrella</a>' in risk
    assert "Erin Evans" in risk and "5 %" in risk


def test_outputs_vs_outcomes_shows_outcomes_columns_before_outputs(client, carol, company):
    login(client, carol)
    page = client.get("/reports/outcomes").text
    table = page[page.index('id="outputs-vs-outcomes"') : page.index('id="goals-at-risk"')]
    headings = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table)
    assert headings == [
        "CSM",
        "Goals achieved",
        "Attainment",
        "Accounts with an achieved goal",
        "Activities",
        "Hours",
    ]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", table, re.DOTALL)
    text = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]
    assert text == [
        "Bob Brown 2 of 4 50 % 2 of 2 · 100 % 2 2.5",
        "Erin Evans 0 of 1 0 % 1 of 2 · 50 % 3 1.5",
    ]


def test_the_period_picker_chooses_the_period_and_says_what_is_wrong(client, carol, company):
    login(client, carol)
    earlier = client.get("/reports/outcomes?from=2026-01-01&to=2026-03-31&as_of=2026-02-28")
    assert figures(earlier.text)["goals_due"] == "3"
    assert 'value="2026-02-28"' in earlier.text
    backwards = client.get("/reports/outcomes?from=2026-03-01&to=2026-02-01")
    assert backwards.status_code == 200
    assert "starts (2026-03-01) after it ends (2026-02-01)" in backwards.text
    garbled = client.get("/reports/outcomes?from=yesterday")
    assert "is not a day YYYY-MM-DD" in garbled.text
    quiet = client.get("/reports/outcomes?from=2025-01-01&to=2025-06-30")
    assert quiet.text.count("No goal fell due in this period.") == 2


def test_a_viewer_reads_the_coverage_gaps_most_overdue_first(client, carol, company):
    login(client, carol)
    page = client.get("/reports/coverage").text
    assert figures(page) == {
        "compliance_rate": "25 %",
        "accounts_covered": "1",
        "accounts_with_gap": "3",
        "overdue_days": "153",
    }
    linked = re.findall(r'<a href="/accounts/(\d+)">(\w+)</a>', page)
    assert linked == [
        (str(company.initech.id), "Initech"),
        (str(company.globex.id), "Globex"),
        (str(company.umbrella.id), "Umbrella"),
    ]
    assert "91 days" in page and "never" in page  # Initech never had a business review


def test_coverage_filters_by_segment_and_owner(client, carol, company, bob):
    login(client, carol)
    tech = client.get("/reports/coverage?segment=tech-touch").text
    assert re.findall(r'<a href="/accounts/\d+">(\w+)</a>', tech) == ["Globex", "Umbrella"]
    bobs = client.get(f"/reports/coverage?owner={bob.id}").text
    assert re.findall(r'<a href="/accounts/\d+">(\w+)</a>', bobs) == ["Globex"]
    assert figures(bobs)["compliance_rate"] == "50 %"
    unknown = client.get("/reports/coverage?segment=vip")
    assert "unknown segment" in unknown.text


def test_coverage_pages_through_many_gaps(client, carol, session, app):
    with time_machine.travel(CUSTOMERS_SINCE, tick=False):
        for n in range(3):
            make_account(
                session, f"quiet-{n}", f"Quiet {n}", segment="high-touch", stage="adoption"
            )
    app.state.settings = app.state.settings.model_copy(update={"page_size": 4})
    login(client, carol)
    # Three accounts never reviewed nor checked in with: six gaps, 4 on page 1, 2 on page 2.
    first = client.get("/reports/coverage").text
    assert "6 gaps" in first and "page 1 of 2" in first
    assert 'href="/reports/coverage?page=2"' in first
    second = client.get("/reports/coverage?page=2").text
    assert "showing 5–6" in second
