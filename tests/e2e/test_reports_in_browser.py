"""In Chromium: a viewer reads outcome attainment (charts drawn) and the coverage gaps of the
report tests' company (tests/reports/company.py), on 31 March 2026."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

from tests.helpers import password_of
from tests.reports.company import NOW, Company, build_company

pytestmark = pytest.mark.e2e
ARTIFACTS = Path("test-artifacts")


@pytest.fixture
def company(session, bob, erin) -> Iterator[Company]:
    # The live server runs in this process: it reads the clock the test froze.
    with time_machine.travel(NOW, tick=False):
        yield build_company(session, bob=bob, erin=erin)


def log_in(page: Page, user, next_path: str) -> None:
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password_of(user))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def drawn_charts(page: Page) -> list[dict | None]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('canvas[data-chart]')).map(canvas => {
            const chart = Chart.getChart(canvas);
            return chart ? {
                bars: chart.data.labels.length,
                datasets: chart.data.datasets.length,
                width: canvas.getBoundingClientRect().width,
                ticks: chart.scales.y.ticks.map(t => t.label),
            } : null;
        })"""
    )


def test_a_viewer_reads_attainment_charts_and_opens_an_account_at_risk(
    page: Page, company, carol, script_errors
):
    log_in(page, carol, "/reports/outcomes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes")
    expect(page.locator("#figure-attainment_rate .kpi-value")).to_have_text("40 %")
    page.wait_for_function("() => document.querySelectorAll('canvas[data-chart]').length === 2")
    charts = drawn_charts(page)
    assert all(charts), charts
    assert [(c["bars"], c["datasets"]) for c in charts] == [(2, 2), (2, 2)]
    assert all(c["width"] > 300 for c in charts)
    assert charts[0]["ticks"] == ["0", "1", "2", "3", "4"]  # whole goals, not money
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(400)  # let the bars finish growing
    page.screenshot(path=str(ARTIFACTS / "reports-outcomes.png"), full_page=True)

    page.locator("#goals-at-risk").get_by_role("link", name="Umbrella").click()
    page.wait_for_url(re.compile(rf"/accounts/{company.umbrella.id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Umbrella")
    assert script_errors == []


def test_a_viewer_filters_the_coverage_gaps_by_segment(page: Page, company, carol, script_errors):
    log_in(page, carol, "/reports/coverage")
    gaps = page.locator("table.gaps tbody tr")
    expect(gaps).to_have_count(3)
    expect(gaps.first).to_contain_text("Initech")
    expect(gaps.first).to_contain_text("91 days")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reports-coverage.png"), full_page=True)

    page.locator("select[name=segment]").select_option("tech-touch")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"/reports/coverage\?segment=tech-touch"))
    expect(gaps).to_have_count(2)
    expect(page.locator("#figure-compliance_rate .kpi-value")).to_have_text("0 %")
    assert script_errors == []
