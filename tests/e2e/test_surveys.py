"""In Chromium: an NPS campaign goes out through a real SMTP server, a customer answers from the
link in the email, adds a comment, and the answer counts; a used or tampered link is refused."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, expect

from headway.config import Settings
from headway.core.audit import Actor
from headway.main import create_app
from headway.surveys.campaigns import create_campaign, schedule_campaign, send_due
from headway.surveys.reports import survey_metrics
from tests.conftest import TEST_SECRET_KEY
from tests.e2e.live import free_port
from tests.helpers import make_account, make_contact
from tests.mailbox import Mailbox, text_of

pytestmark = pytest.mark.e2e
ARTIFACTS = Path("test-artifacts")
LINK = re.compile(r"^[ \t]*(\d+)(?: \([^)]*\))?: (http\S+)", re.MULTILINE)


@pytest.fixture
def survey_settings(database_url: str, mailbox: Mailbox) -> Iterator[Settings]:
    """Headway served with email set up as in production: SMTP to the mailbox, links to itself.

    The server and the sending share these settings, so the page asks the question as the
    email did (the company from the From address) and the links point at this server.
    """
    port = free_port()
    settings = Settings(
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        public_url=f"http://127.0.0.1:{port}",
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        mail_from="Beacon Software <success@beacon.example>",
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, name="headway-survey-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield settings
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def browse(browser: Browser, script_errors: list[str]) -> Iterator[Callable[[int], Page]]:
    """Open a tab of a given width; each tab's uncaught script errors go to `script_errors`."""
    contexts: list[BrowserContext] = []

    def open_tab(width: int) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": 860}, is_mobile=width < 600
        )
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda error: script_errors.append(str(error)))
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def links_in(message) -> dict[int, str]:
    """The one-click answer links of an invitation's text part, by score."""
    return {int(score): url for score, url in LINK.findall(text_of(message))}


@pytest.fixture
def sent(session, survey_settings: Settings, mailbox: Mailbox) -> dict[str, dict[int, str]]:
    """An NPS campaign to Acme's two contacts, sent now; the links each received, by score."""
    acme = make_account(session, "crm-acme", "Acme Analytics", segment="high-touch")
    make_contact(session, acme, "ana@acme.example", "Ana Silva")
    make_contact(session, acme, "omar@acme.example", "Omar Haddad")
    actor = Actor.system("campaign set-up")
    campaign = create_campaign(
        session=session,
        actor=actor,
        survey_key="nps",
        name="Acme NPS",
        audience={"account_ids": [acme.id]},
    )
    schedule_campaign(session=session, actor=actor, campaign_id=campaign.id)
    report = send_due(session=session, settings=survey_settings)
    assert report.invitations_sent == 2
    mailbox.wait_for(2)
    return {
        address: links_in(message)
        for address in ("ana@acme.example", "omar@acme.example")
        for message in mailbox.to(address)
    }


def test_ana_answers_from_the_email_comments_and_her_answer_counts(
    browse, session, survey_settings, sent, script_errors
):
    ana = sent["ana@acme.example"]
    assert sorted(ana) == list(range(11))
    assert all(url.startswith(f"{survey_settings.public_url}/s/") for url in ana.values())
    page = browse(1280)

    opened = page.goto(ana[9])
    assert opened is not None and opened.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answer")
    expect(page.locator(".point.chosen")).to_have_text("9")
    expect(page.locator("nav")).to_have_count(0)  # no Headway navigation for customers
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "survey-answer-1280.png"), full_page=True)

    page.get_by_label("What is the main reason for your answer?").fill(
        "Onboarding was quick; exports still need work."
    )
    page.get_by_role("button", name="Send comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your comment")
    expect(page.locator(".quoted")).to_have_text("Onboarding was quick; exports still need work.")

    figures = survey_metrics(session=session)
    assert (figures["responses"], figures["promoters"], figures["detractors"]) == (1, 1, 0)
    assert figures["nps"] == 100.0
    assert figures["response_rate"] == 0.5  # two invited, one answered

    again = page.goto(ana[3])
    assert again is not None and again.status == 409
    expect(page.get_by_role("heading", level=1)).to_have_text("You already answered this survey")
    expect(page.locator(".point.chosen")).to_have_text("9")

    token = ana[9].split("/s/")[1].split("?")[0]
    tampered = ana[9].replace(token, token[:-4] + ("abcd" if token[-4:] != "abcd" else "wxyz"))
    refused = page.goto(tampered)
    assert refused is not None and refused.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is not valid")

    assert survey_metrics(session=session)["responses"] == 1
    assert script_errors == []


def test_omar_answers_on_a_phone_without_scrolling_sideways(browse, sent, script_errors):
    page = browse(390)
    question = page.goto(sent["omar@acme.example"][0].split("?")[0])
    assert question is not None and question.status == 200
    expect(page.locator("#question")).to_have_text(
        "How likely is it that you would recommend Beacon Software to a friend or colleague?"
    )
    page.get_by_role("link", name="7", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answer")
    expect(page.locator(".point.chosen")).to_have_text("7")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the thank-you page scrolls sideways on a phone"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "survey-answer-390.png"), full_page=True)
    assert script_errors == []
