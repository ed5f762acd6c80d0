"""In Chromium: the demo company's revenue dashboard draws its charts and cohort heat-map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from headway.core.audit import Actor
from headway.demo.service import generate_demo

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(session):
    return generate_demo(session=session, actor=Actor.system("demo"), seed=7, accounts=120)


def test_the_demo_dashboard_draws_movements_retention_and_cohorts(page: Page, demo, script_errors):
    page.goto("/login?next=/revenue")
    page.get_by_label("Email").fill("admin@demo.headway.test")
    page.get_by_label("Password").fill("headway-demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/revenue$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Revenue")
    expect(page.locator("#figure-nrr")).to_contain_text("%")

    charts = page.evaluate(
        """() => Array.from(document.querySelectorAll('canvas[data-chart]')).map(canvas => {
            const chart = Chart.getChart(canvas);
            return chart ? {
                datasets: chart.data.datasets.length,
                points: chart.data.labels.length,
                width: canvas.getBoundingClientRect().width,
            } : null;
        })"""
    )
    assert len(charts) == 2 and all(charts), charts
    movements, retention = charts
    assert movements["points"] == 12 and movements["datasets"] >= 5  # 5 movements + MRR line
    assert retention["datasets"] == 3 and movements["width"] > 600
    heatmap = page.locator("table.heatmap tbody tr")
    assert heatmap.count() >= 6
    artifacts = Path("test-artifacts")
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "revenue-dashboard.png"), full_page=True)
    assert script_errors == []
