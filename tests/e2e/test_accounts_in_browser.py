"""In Chromium: log in, filter the account list, open an account, see its chart and timeline."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from headway.accounts.schemas import AccountUpdate
from headway.accounts.service import update_account
from headway.core import clock
from tests.e2e.seed import seed_portfolio
from tests.helpers import SETUP, password_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def portfolio(session, bob, erin, dave, carol):
    return seed_portfolio(session, owners=[bob, erin], today=clock.today(), accounts=24)


def log_in(page: Page, user, next_path: str = "/") -> None:
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password_of(user))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def test_bob_finds_his_account_draws_its_mrr_and_moves_its_stage(
    page: Page, portfolio, bob, script_errors
):
    log_in(page, bob, "/accounts")
    results = page.locator("#account-results")
    expect(results.locator(".count")).to_have_text(f"{len(portfolio.accounts) + 2} accounts")

    # Filters swap only the results: a marker set on this page survives them.
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Search").fill("northwind")
    expect(results.locator(".count")).to_have_text("3 accounts")
    expect(page).to_have_url(re.compile(r"/accounts\?q=northwind"))
    page.get_by_label("Segment").select_option("high-touch")
    expect(results.locator(".count")).to_have_text("1 account")
    expect(page).to_have_url(re.compile(r"segment=high-touch"))
    assert page.evaluate("window.stillTheSamePage") is True

    results.get_by_role("link", name="Northwind Logistics").click()
    page.wait_for_url(re.compile(rf"/accounts/{portfolio.showcase.id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Logistics")

    canvas = page.locator("#mrr-chart")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    drawn = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.getElementById('mrr-chart'));
            if (!chart) return null;
            return chart.data.datasets.map(d => [d.label, d.data.length, Math.max(...d.data)]);
        }"""
    )
    # 24 month ends from the first subscription to today; the peak is today's MRR:
    # 9,000 platform + 1,500 analytics + 5 × 220 Fleet API + 12,000 / 12 support = 12,600 USD.
    assert drawn == [["USD", 24, 12600]]

    timeline = page.locator("#account-timeline")
    expect(timeline).to_contain_text("Stage Adoption → Loyal")
    expect(timeline).to_contain_text("Subscription Analytics add-on started")

    page.get_by_label("Move to").select_option("adoption")
    page.get_by_label("Reason").fill("New business unit onboarding")
    page.get_by_role("button", name="Change stage").click()
    expect(page.locator(".notice")).to_have_text("Moved to Adoption.")
    expect(timeline.locator("li").first).to_contain_text("Stage Loyal → Adoption")
    expect(timeline.locator("li").first).to_contain_text("New business unit onboarding")
    assert script_errors == []


def test_pages_fit_a_tablet_without_sideways_scrolling(page: Page, portfolio, dave, script_errors):
    page.set_viewport_size({"width": 820, "height": 1180})
    log_in(page, dave)
    for path in ["/", "/accounts", f"/accounts/{portfolio.showcase.id}"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 820, f"{path} is {width} px wide"
    expect(page.locator("#mrr-chart")).to_be_visible()
    assert script_errors == []


def test_a_sort_chosen_in_the_table_survives_the_next_filter(page: Page, portfolio, carol):
    log_in(page, carol, "/accounts")
    results = page.locator("#account-results")
    results.get_by_role("link", name="MRR").click()
    expect(page).to_have_url(re.compile(r"sort=-mrr"))
    expect(results.locator("th[aria-sort=descending]")).to_have_text("MRR")
    page.get_by_label("Stage").select_option("adoption")
    expect(page).to_have_url(re.compile(r"stage=adoption"))
    expect(page).to_have_url(re.compile(r"sort=-mrr"))
    mrr = results.locator("tbody td.num:not(.hide-narrow)").all_inner_texts()
    amounts = [int(text.replace("USD", "").replace(",", "")) for text in mrr if "USD" in text]
    assert amounts == sorted(amounts, reverse=True) and len(amounts) > 3


def test_a_refused_change_says_why(page: Page, session, portfolio, bob, erin):
    log_in(page, bob, f"/accounts/{portfolio.showcase.id}")
    # Meanwhile a manager hands the account to Erin: Bob's open page still shows the form.
    update_account(
        session=session,
        actor=SETUP,
        permissions=None,
        account_id=portfolio.showcase.id,
        changes=AccountUpdate(owner_id=erin.id),
    )
    page.get_by_label("Move to").select_option("adoption")
    page.get_by_role("button", name="Change stage").click()
    expect(page.locator(".toast")).to_contain_text("you may edit only the accounts you own")
