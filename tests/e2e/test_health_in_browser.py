"""In Chromium: a viewer reads health by segment and CSM and why an account dropped; a manager
previews a scorecard change and saves it; a CSM cannot (tests/health/company.py, 31 March 2026)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

from tests.health.company import NOW, HealthCompany, build_health_company
from tests.helpers import password_of

pytestmark = pytest.mark.e2e
ARTIFACTS = Path("test-artifacts")


@pytest.fixture
def company(session, bob, erin) -> Iterator[HealthCompany]:
    # The live server runs in this process: it reads the clock the test froze.
    with time_machine.travel(NOW, tick=False):
        yield build_health_company(session, bob=bob, erin=erin)


def log_in(page: Page, user, next_path: str) -> None:
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password_of(user))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def drawn(page: Page, selector: str) -> list[dict]:
    """The charts under a selector once Chart.js has drawn them all (after htmx settles)."""
    handle = page.wait_for_function(
        """(selector) => {
            const found = document.querySelectorAll(`${selector} canvas[data-chart]`);
            const charts = Array.from(found).map((canvas) => Chart.getChart(canvas));
            if (!charts.length || charts.some((chart) => !chart)) return null;
            return charts.map((chart) => ({
                labels: chart.data.labels,
                datasets: chart.data.datasets.map((set) => ({ label: set.label, data: set.data })),
                width: chart.canvas.getBoundingClientRect().width,
            }));
        }""",
        arg=selector,
    )
    charts: list[dict] = handle.json_value()
    return charts


def test_a_viewer_sees_health_by_segment_and_csm_and_why_globex_dropped(
    page: Page, company, carol, erin, script_errors
):
    log_in(page, carol, "/health")
    expect(page.get_by_role("heading", level=1)).to_have_text("Health")
    expect(page.locator("#band-none .kpi-value")).to_have_text("1")
    segment, csm = drawn(page, "#health-results")
    assert [s["label"] for s in segment["datasets"]] == ["Red", "Yellow", "Green", "No score"]
    assert csm["labels"] == ["Bob Brown", "Erin Evans"]
    assert segment["width"] > 300 and csm["width"] > 300

    # Erin's book only: htmx swaps the results and the charts are drawn again.
    page.locator("#health-filters select[name=owner]").select_option(label="Erin Evans")
    page.wait_for_url(re.compile(rf"/health\?owner={erin.id}$"))
    expect(page.locator("#band-none .kpi-value")).to_have_text("0")
    (_, csm) = drawn(page, "#health-results")
    assert csm["labels"] == ["Erin Evans"]

    movers = page.locator("#health-movers tbody tr")
    expect(movers.first).to_contain_text("Globex")
    expect(movers.first.locator(".change")).to_have_text("-51")
    movers.first.get_by_role("link", name="Globex").click()
    page.wait_for_url(re.compile(rf"/accounts/{company.globex.id}$"))

    card = page.locator("#account-health")
    expect(card.locator(".health-value")).to_have_text("40")
    expect(card.locator(".health-band")).to_have_text("Red")
    expect(card.locator(".trend")).to_contain_text("down")
    seats = card.locator("#measure-seat_utilisation")
    expect(seats).to_contain_text("20 %")
    expect(seats).to_contain_text("pulled it down")
    expect(seats.locator(".lost")).to_have_text("−24.5")
    expect(card.locator("#measure-key_events")).to_contain_text("0.5 per week")
    expect(card.locator("tr.pulled-down")).to_have_count(2)
    (history,) = drawn(page, "#account-health")
    # Revenue alone before any usage (67), then 90 while the team used it, 40 now.
    assert [round(y) for y in history["datasets"][0]["data"]] == [67, 90, 90, 90, 40]
    (usage,) = drawn(page, "#account-usage")
    assert len(usage["labels"]) == 90
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "account-health.png"), full_page=True)
    assert script_errors == []


def test_a_manager_previews_a_scorecard_change_and_saves_it(
    page: Page, company, dave, script_errors
):
    log_in(page, dave, "/health/scorecards/default")
    expect(page.locator("#backtest-v2")).to_be_visible()  # the backtest loads after the page
    expect(page.locator("#scorecard-backtest")).to_contain_text("How to read AUC")
    yaml = page.get_by_label("Definition")
    text = yaml.input_value()
    assert "best: 0.8" in text
    yaml.fill(text.replace("best: 0.8", "best: 0.2", 1))
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#scorecard-preview")
    expect(preview).to_contain_text("Saving makes version 3")
    expect(preview.locator(".preview-movers")).to_contain_text("Globex")

    page.get_by_label("Note for the new version").fill("Seats: 20 % is enough")
    page.get_by_role("button", name="Save as new version").click()
    page.wait_for_url(re.compile(r"/health/scorecards/default\?saved=3$"))
    expect(page.locator(".notice")).to_have_text(
        "Version 3 saved; scores use it from the next run."
    )
    expect(page.locator("#scorecard-versions li").first).to_contain_text("Seats: 20 % is enough")
    expect(page.locator("#definition-title")).to_have_text("Version 3")
    expect(page.locator("#backtest-v3")).to_be_visible()
    assert script_errors == []


def test_a_csm_may_preview_but_not_save_a_scorecard(page: Page, company, bob, script_errors):
    log_in(page, bob, "/health/scorecards/default")
    expect(page.get_by_role("button", name="Save as new version")).to_have_count(0)
    expect(page.get_by_label("Definition")).to_have_attribute("readonly", "")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#scorecard-preview")).to_contain_text("saving would change nothing")

    # Posting the form anyway, with a valid token, is refused.
    token = page.locator("input[name=csrf_token]").first.input_value()
    response = page.request.post(
        "/health/scorecards/default/versions",
        form={"yaml": page.get_by_label("Definition").input_value(), "csrf_token": token},
    )
    assert response.status == 403
    assert script_errors == []


@pytest.mark.parametrize("width", [1366, 820])
def test_the_health_pages_fit_a_laptop_and_a_tablet(page: Page, company, carol, width):
    page.set_viewport_size({"width": width, "height": 1000})
    log_in(page, carol, "/health")
    drawn(page, "#health-results")
    for path in ["/health", f"/accounts/{company.globex.id}", "/health/scorecards/default"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at {width} px"
        ARTIFACTS.mkdir(exist_ok=True)
        name = path.strip("/").replace("/", "-") or "home"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
