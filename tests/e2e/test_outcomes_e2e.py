"""In Chromium: a CSM tailors the Desired Outcome, sets a goal, records evidence, logs outputs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from headway.core import clock
from tests.helpers import make_account, make_contact, password_of, subscribe

pytestmark = pytest.mark.e2e


@pytest.fixture
def acme(session, bob, erin):
    """Bob's new high-touch customer: a subscription, two contacts, no outcome work yet."""
    account = make_account(
        session, "crm-acme", "Acme Analytics", owner=bob, segment="high-touch", stage="onboarding"
    )
    subscribe(session, account, "sub-acme", "12000", clock.today() - timedelta(days=20))
    make_contact(session, account, "ana@acme.example", "Ana Silva")
    make_contact(session, account, "omar@acme.example", "Omar Haddad")
    return account


def log_in(page: Page, user, next_path: str) -> None:
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password_of(user))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def fill_width(page: Page, goal: str) -> float:
    """How much of its bar a goal's progress fills, 0–1, as drawn."""
    share: float = page.evaluate(
        """(goal) => {
            const bar = document.querySelector(`#${goal} .progress`);
            const fill = bar.querySelector('.progress-fill');
            return fill.getBoundingClientRect().width / bar.getBoundingClientRect().width;
        }""",
        goal,
    )
    return share


def test_bob_tailors_the_outcome_sets_a_goal_and_sees_progress_move(
    page: Page, acme, bob, script_errors
):
    today = clock.today()
    log_in(page, bob, f"/accounts/{acme.id}")
    outcome = page.locator("#account-desired-outcome")
    plan = page.locator("#account-success-plan")
    outputs = page.locator("#account-outputs")
    notice = page.locator(".notice")
    expect(outcome.locator(".card-head")).to_contain_text("Segment defaults")

    # Tailor the Appropriate Experience: fortnightly meetings, webinars too, named stakeholders.
    outcome.get_by_text("Tailor the Desired Outcome").click()
    outcome.get_by_label("Meeting every (days)").fill("14")
    outcome.get_by_label("webinar").check()
    outcome.get_by_label("Stakeholders who must be involved").fill("Ana Silva in every review")
    outcome.get_by_role("button", name="Save the Desired Outcome").click()
    expect(notice).to_have_text("Desired Outcome tailored for this customer.")
    expect(outcome.locator(".card-head")).to_contain_text("Tailored for this customer")
    expect(outcome.locator(".pairs")).to_contain_text("every 14 days")
    expect(page.locator("#account-touches")).to_contain_text("every 14 days")

    # The hand-off from sales starts the success plan.
    expect(plan).to_contain_text("No success plan yet.")
    handoff = outcome.locator("#handoff")
    handoff.get_by_label("What was promised").fill("Support cost down 20 % within six months")
    handoff.get_by_label("Promised by").fill("Jordan Lee (AE)")
    handoff.get_by_role("button", name="Record the hand-off").click()
    expect(notice).to_contain_text("Hand-off recorded")
    expect(plan).to_contain_text("High-touch onboarding")

    # A goal from a template: the form fills in the KPI; Bob gives the baseline and target.
    plan.get_by_text("Add a goal").click()
    plan.get_by_label("Start from a template (optional)").select_option(
        label="Support cost down 20 %"
    )
    expect(plan.get_by_label("KPI")).to_have_value("Support cost per month")
    expect(plan.get_by_label("Direction")).to_have_value("decrease")
    plan.get_by_label("Baseline", exact=True).fill("18000")
    plan.get_by_label("Baseline date").fill((today - timedelta(days=30)).isoformat())
    plan.get_by_label(re.compile(r"^Target")).fill("14400")
    plan.get_by_role("button", name="Add goal").click()
    expect(notice).to_have_text("Goal “Support cost down 20 %” added.")
    goal = plan.locator("li.goal").first
    goal_id = goal.get_attribute("id")
    assert goal_id is not None
    expect(goal.locator(".goal-status")).to_have_text("Not started")
    expect(goal.locator(".progress-value")).to_have_text("—")

    # Evidence ten days ago: 16,200 is half the way from 18,000 to 14,400.
    goal.get_by_text("record one").click()
    goal.get_by_label("New value (USD)").fill("16200")
    goal.get_by_label("Measured on").fill((today - timedelta(days=10)).isoformat())
    goal.get_by_role("button", name="Record evidence").click()
    expect(notice).to_have_text("Recorded 16,200 USD for “Support cost down 20 %”.")
    goal = page.locator(f"#{goal_id}")
    expect(goal.locator(".progress-value")).to_have_text("50 %")
    expect(goal.locator(".goal-status")).to_have_text("On track")
    half = fill_width(page, goal_id)
    assert 0.48 < half < 0.52

    # An output that served the goal, logged with details.
    outputs.get_by_text("Log with details").click()
    outputs.get_by_label("Type").select_option("meeting")
    outputs.get_by_label("Subject").fill("Ticket deflection workshop")
    outputs.get_by_label("Contacts").select_option(label="Ana Silva")
    outputs.get_by_label("Support cost down 20 %").check()
    outputs.get_by_role("button", name="Log activity").click()
    expect(notice).to_have_text("Logged: Meeting, 60 min.")
    expect(outputs.locator(".outputs li").first).to_contain_text(
        "Meeting: Ticket deflection workshop"
    )
    expect(goal.locator(".goal-outputs")).to_contain_text("Served by 1 activity")
    expect(goal.locator(".goal-outputs")).to_contain_text("Ticket deflection workshop")

    # Today's measurement moves the bar on to three quarters; the sparkline draws both.
    goal.get_by_text("record one").click()
    goal.get_by_label("New value (USD)").fill("15300")
    goal.get_by_role("button", name="Record evidence").click()
    expect(notice).to_have_text("Recorded 15,300 USD for “Support cost down 20 %”.")
    expect(goal.locator(".progress-value")).to_have_text("75 %")
    assert fill_width(page, goal_id) > half + 0.2
    # htmx draws charts once the swapped fragment settles, a moment after its text shows.
    drawn = page.wait_for_function(
        """(goal) => {
            const canvas = document.querySelector(`#${goal} canvas.sparkline`);
            const chart = canvas && Chart.getChart(canvas);
            return chart ? chart.data.datasets[0].data.map((point) => point.y) : null;
        }""",
        arg=goal_id,
    ).json_value()
    assert drawn == [16200, 15300]

    # The common case takes one pick: a check-in now, with its usual half hour.
    outputs.get_by_role("button", name="Check-in", exact=True).click()
    expect(notice).to_have_text("Logged: Check-in, 30 min.")
    expect(page.locator("#account-touches")).to_contain_text("due in 14 days")
    assert script_errors == []


def test_the_outcome_cards_fit_a_tablet(page: Page, acme, bob, script_errors):
    page.set_viewport_size({"width": 820, "height": 1180})
    log_in(page, bob, f"/accounts/{acme.id}")
    for summary in ["Tailor the Desired Outcome", "Log with details"]:
        page.get_by_text(summary).click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 820, f"the account page is {width} px wide"
    # Outcomes first on a tablet too: the Desired Outcome comes before the revenue chart.
    outcome = page.locator("#account-desired-outcome").bounding_box()
    revenue = page.locator("#account-revenue").bounding_box()
    assert outcome is not None and revenue is not None and outcome["y"] < revenue["y"]
    assert script_errors == []
