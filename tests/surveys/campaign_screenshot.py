"""Screenshots of a survey campaign's page and the new-campaign form, laptop width.

    .venv/bin/python -m tests.surveys.campaign_screenshot [--out test-artifacts/screens] [--docs]

Builds a throwaway SQLite database with the browser tests' portfolio (tests/e2e/seed.py),
sends an NPS campaign to its high-touch and mid-touch decision makers and champions a week
ago through a local SMTP server, answers some of it, sends the reminders, serves it and saves
survey-campaign-<page>.png. --docs also writes docs/survey-campaign.png (the campaign).
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import time_machine
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.config import Settings
from headway.contacts.models import Contact
from headway.core import clock
from headway.core.audit import Actor
from headway.core.db import get_sessionmaker, upgrade_schema
from headway.surveys.campaigns import create_campaign, schedule_campaign, send_due
from headway.surveys.models import SurveyCampaign, SurveyInvitation
from headway.surveys.service import opt_out, record_response
from headway.users.models import Role
from headway.users.service import create_user
from tests.e2e.live import launch_chromium, live_server
from tests.e2e.seed import seed_portfolio
from tests.mailbox import Mailbox

ROOT = Path(__file__).resolve().parents[2]
SECRET = "headway-screenshots-secret-key"
SETUP = Actor.system("screenshots")
SENT_DAYS_AGO = 8
DOCS_HEIGHT = 1280


def build(session: Session, mailbox: Mailbox, url: str) -> SurveyCampaign:
    """The portfolio and one NPS campaign sent a week ago, partly answered and reminded."""
    dave = create_user(
        session=session,
        actor=SETUP,
        email="dave@example.com",
        name="Dave Davis",
        role=Role.MANAGER,
        password="dave-password",
    )
    seed_portfolio(session, owners=[dave], today=clock.today(), accounts=30)
    now = clock.now()
    sent = now - timedelta(days=SENT_DAYS_AGO)
    with time_machine.travel(sent - timedelta(days=2), tick=False):  # made before it went out
        campaign = create_campaign(
            session=session,
            actor=Actor(kind="user", label=dave.email, user_id=dave.id),
            survey_key="nps",
            name="Spring NPS — decision makers and champions",
            audience={"segments": ["high-touch", "mid-touch"]},
            subject="One question about your year with us",
            message="We are planning next year's roadmap and your view shapes it.",
        )
        schedule_campaign(session=session, actor=SETUP, campaign_id=campaign.id, send_at=sent)
    settings = Settings(
        database_url=url, secret_key=SECRET, smtp_host="127.0.0.1", smtp_port=mailbox.port
    )
    rng = random.Random(5)
    # One contact unsubscribed before, one address the mail server refuses.
    addresses = sorted(session.scalars(select(Contact.email)))
    opt_out(session=session, email=addresses[3], source="link")
    mailbox.refuse.add(addresses[7].lower())
    session.commit()
    send_due(session=session, settings=settings, now=sent)
    survey = campaign.survey
    for invitation in session.scalars(
        select(SurveyInvitation).where(
            SurveyInvitation.campaign_id == campaign.id, SurveyInvitation.sent_at.is_not(None)
        )
    ):
        if rng.random() < 0.55:
            answered = sent + timedelta(hours=rng.randint(2, 24 * (SENT_DAYS_AGO - 1)))
            record_response(
                session=session,
                survey=survey,
                account_id=invitation.account_id,
                score=rng.choices(range(11), weights=[1, 1, 1, 2, 2, 3, 4, 8, 10, 12, 9])[0],
                responded_at=answered,
                source="link",
                contact_id=invitation.contact_id,
                contact_email=invitation.email,
                campaign_id=campaign.id,
                invitation_id=invitation.id,
            )
            invitation.answered_at = answered
    session.commit()
    send_due(session=session, settings=settings, now=sent + timedelta(days=3))
    return campaign


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screens")
    parser.add_argument("--docs", action="store_true", help="also write docs/survey-campaign.png")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    mailbox = Mailbox()
    mailbox.start()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/screens.db"
        upgrade_schema(url)
        session = get_sessionmaker(url)()
        campaign_id = build(session, mailbox, url).id
        session.close()
        mailbox.stop()
        pages = {"campaign": f"/surveys/campaigns/{campaign_id}", "new": "/surveys/campaigns/new"}
        with live_server(url, SECRET) as base_url, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            context = browser.new_context(
                base_url=base_url, viewport={"width": 1366, "height": 900}
            )
            page = context.new_page()
            page.goto("/login")
            page.get_by_label("Email").fill("dave@example.com")
            page.get_by_label("Password").fill("dave-password")
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{base_url}/")
            for name, path in pages.items():
                page.goto(path)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(300)
                target = args.out / f"survey-campaign-{name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
                if args.docs and name == "campaign":
                    doc = ROOT / "docs" / "survey-campaign.png"
                    # The counts, the email, the settings and the first recipients.
                    clip = {"x": 0, "y": 0, "width": 1366, "height": DOCS_HEIGHT}
                    page.screenshot(path=str(doc), clip=clip, full_page=True)
                    print(doc)
            context.close()
            browser.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
