"""In Chromium: a viewer reads time to first value by segment and cohort (charts drawn) and the
accounts still waiting; a manager adds a stage rule on the page. Frozen on 2 March 2026."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

from tests.helpers import make_account, password_of, subscribe
from tests.lifecycle.support import REPORT, first_value_milestone, used

pytestmark = pytest.mark.e2e
ARTIFACTS = Path("test-artifacts")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SEGMENTS = {"high-touch": (20, 40), "mid-touch": (8, 30), "tech-touch": (2, 20)}


@pytest.fixture
def portfolio(session, bob, erin) -> Iterator[dict[str, int]]:
    """45 accounts started over six months; most reached first value, some still wait."""
    rng = random.Random(7)
    waiting = {}
    # The live server runs in this process: it reads the clock the test froze.
    with time_machine.travel(NOW, tick=False):
        for index in range(45):
            segment = list(SEGMENTS)[index % 3]
            fastest, slowest = SEGMENTS[segment]
            start = date(2025, 9, 1) + timedelta(days=rng.randrange(0, 175))
            days = rng.randrange(fastest, slowest) + (index // 9)
            value = start + timedelta(days=days)
            account = make_account(
                session, f"a{index:02d}", f"Account {index:02d}", segment=segment,
                owner=bob if index % 2 else erin,
            )  # fmt: skip
            subscribe(session, account, f"s{index:02d}", "100", start)
            reached = value <= NOW.date() and index % 7 != 0
            if segment == "high-touch":
                first_value_milestone(session, account, value if reached else None)
            elif reached:
                used(session, account, REPORT, value)
            if not reached:
                waiting[account.name] = (NOW.date() - start).days
        yield waiting


def log_in(page: Page, user, next_path: str) -> None:
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password_of(user))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def drawn(page: Page) -> list[dict | None]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('canvas[data-chart]')).map(canvas => {
            const chart = Chart.getChart(canvas);
            return chart ? {type: chart.config.type, labels: chart.data.labels.length,
                            datasets: chart.data.datasets.length,
                            width: canvas.getBoundingClientRect().width} : null;
        })"""
    )


def test_a_viewer_reads_ttfv_charts_and_the_longest_waiting_account(
    page: Page, portfolio, carol, script_errors
):
    log_in(page, carol, "/lifecycle")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lifecycle")
    page.wait_for_function("() => document.querySelectorAll('canvas[data-chart]').length === 2")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".every(c => Chart.getChart(c))"
    )
    charts = drawn(page)
    assert [(c["type"], c["labels"], c["datasets"]) for c in charts] == [
        ("bar", 3, 3),
        ("line", 6, 3),  # September 2025 to February 2026
    ]
    assert all(c["width"] > 300 for c in charts)
    longest = max(portfolio, key=lambda name: portfolio[name])
    first_waiting = page.locator("table.waiting tbody tr").first
    expect(first_waiting).to_contain_text(longest)
    expect(first_waiting).to_contain_text(str(portfolio[longest]))
    expect(page.get_by_text("Admins and managers change these rules.")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(400)  # let the bars finish growing
    page.screenshot(path=str(ARTIFACTS / "lifecycle.png"), full_page=True)
    assert script_errors == []


def test_a_manager_adds_a_stage_rule_on_the_page(page: Page, portfolio, dave, script_errors):
    log_in(page, dave, "/lifecycle")
    form = page.locator("#stage-rule-new")
    form.get_by_label("Days").fill("30")
    form.get_by_role("button", name="Add rule").click()
    page.wait_for_url(re.compile(r"/lifecycle\?saved=stage#stage-rules$"))
    expect(page.get_by_role("status")).to_contain_text("Stage rule saved")
    expect(page.locator("#stage-rules table.rules tbody tr")).to_have_count(3)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".lifecycle-rules").screenshot(path=str(ARTIFACTS / "lifecycle-rules.png"))
    assert script_errors == []
