"""Screenshots of the survey overview and an account's voice card, laptop and tablet.

    .venv/bin/python -m tests.surveys.overview_screenshots [--out test-artifacts/screens] [--readme]

Builds a throwaway SQLite database with the browser tests' portfolio (tests/e2e/seed.py),
gives each customer a mood (delighted, content, lukewarm, unhappy) and a year of NPS, CSAT
and CES invitations and answers that follow it, serves it, and saves surveys-<page>-<width>.png.
--readme also saves docs/surveys.png (the overview down to its fifth comment) at laptop width.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.contacts.models import Contact
from headway.core import clock
from headway.core.audit import Actor
from headway.core.db import get_sessionmaker, upgrade_schema
from headway.surveys.models import Survey, SurveyCampaign, SurveyInvitation, SurveyResponse
from headway.users.models import Role
from headway.users.service import create_user
from tests.e2e.live import launch_chromium, live_server
from tests.e2e.seed import seed_portfolio

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = {"laptop": (1366, 900), "tablet": (820, 1180)}
SECRET = "headway-screenshots-secret-key"
MONTHS = 12
MOODS = [("delighted", 0.3), ("content", 0.35), ("lukewarm", 0.2), ("unhappy", 0.15)]
# Scores each mood gives, from its least to its most likely on a 0–10 scale (mapped per survey).
LEANING = {"delighted": 0.88, "content": 0.72, "lukewarm": 0.55, "unhappy": 0.32}
SAYINGS = {
    "positive": [
        "The weekly report saves our finance team a full day.",
        "Onboarding was quick and our CSM knew our goals from day one.",
        "Support answered within the hour and fixed it for good.",
        "Exactly what we needed to stop chasing spreadsheets.",
        "The new dashboards made our board meeting easy.",
    ],
    "neutral": [
        "Does the job; the export could be faster.",
        "Fine overall, but we still miss a Salesforce sync.",
        "Good product, pricing is hard to justify for small teams.",
    ],
    "negative": [
        "Three tickets about the same sync error in a month.",
        "Pages take ages to load on Monday mornings.",
        "We never heard from anyone after the kickoff.",
        "Too hard to find where to change permissions.",
    ],
}


def _score(survey: Survey, mood: str, rng: random.Random) -> int:
    """A score on the survey's scale around its mood's leaning."""
    share = min(1.0, max(0.0, rng.gauss(LEANING[mood], 0.17)))
    return round(survey.scale_min + share * (survey.scale_max - survey.scale_min))


def _polarity(survey: Survey, score: int) -> str:
    if score >= survey.positive_min:
        return "positive"
    if survey.negative_max is not None and score <= survey.negative_max:
        return "negative"
    return "neutral"


def add_voices(session: Session, accounts: list[Account], today: date, seed: int = 5) -> None:
    """A year of monthly invitations per account, answered more often by the happier."""
    rng = random.Random(seed)
    ids = count(1)
    surveys = {s.key: s for s in session.scalars(select(Survey))}
    started = datetime.combine(today - timedelta(days=31 * MONTHS), time(9), tzinfo=UTC)
    campaigns = {}
    for key in ("nps", "csat", "csat_good_bad", "ces"):
        campaign = SurveyCampaign(
            survey_id=surveys[key].id,
            name=f"{surveys[key].name}, monthly",
            status="active",
            created_at=started,
            started_at=started,
        )
        session.add(campaign)
        campaigns[key] = campaign
    session.flush()
    for account in accounts:
        mood = rng.choices([m for m, _ in MOODS], weights=[w for _, w in MOODS])[0]
        contacts = list(session.scalars(select(Contact).where(Contact.account_id == account.id)))
        if not contacts:
            continue
        for back in range(MONTHS * 30, 0, -rng.randint(20, 40)):
            day = today - timedelta(days=back)
            key = rng.choices(["nps", "csat", "csat_good_bad", "ces"], weights=[4, 3, 1, 2])[0]
            contact = rng.choice(contacts)
            sent_at = datetime.combine(day, time(rng.randint(8, 17)), tzinfo=UTC)
            answered = rng.random() < {"unhappy": 0.3}.get(mood, 0.5)
            answered_at = sent_at + timedelta(hours=rng.randint(1, 72))
            if answered_at.date() > today:
                answered = False
            invitation = SurveyInvitation(
                key=f"{campaigns[key].id}:{contact.id}:{next(ids)}",
                campaign_id=campaigns[key].id,
                account_id=account.id,
                contact_id=contact.id,
                email=contact.email,
                created_at=sent_at,
                sent_at=sent_at,
                expires_at=sent_at + timedelta(days=14),
                answered_at=answered_at if answered else None,
            )
            session.add(invitation)
            if not answered:
                continue
            session.flush()
            survey = surveys[key]
            score = _score(survey, mood, rng)
            comment = ""
            if rng.random() < 0.35:
                comment = rng.choice(SAYINGS[_polarity(survey, score)])
            session.add(
                SurveyResponse(
                    external_id=f"screens-{invitation.id}",
                    survey_id=survey.id,
                    campaign_id=campaigns[key].id,
                    invitation_id=invitation.id,
                    account_id=account.id,
                    contact_id=contact.id,
                    contact_email=contact.email,
                    score=score,
                    comment=comment,
                    responded_at=answered_at,
                    source="link",
                    created_at=answered_at,
                    updated_at=answered_at,
                )
            )
    session.commit()


def build(session: Session, today: date, accounts: int) -> Account:
    """The portfolio with a year of survey answers; returns the showcase account."""
    setup = Actor.system("screenshots")
    people = [
        create_user(
            session=session,
            actor=setup,
            email=f"{first}@example.com",
            name=name,
            role=role,
            password=f"{first}-password",
        )
        for first, name, role in [
            ("dave", "Dave Davis", Role.MANAGER),
            ("bob", "Bob Brown", Role.CSM),
            ("erin", "Erin Evans", Role.CSM),
        ]
    ]
    seeded = seed_portfolio(session, owners=people[1:], today=today, accounts=accounts)
    add_voices(session, seeded.accounts, today)
    return seeded.showcase


def _log_in(page: Page, base_url: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill("dave@example.com")
    page.get_by_label("Password").fill("dave-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def _settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".every((canvas) => window.Chart && Chart.getChart(canvas))"
    )
    page.wait_for_timeout(400)  # let the chart animation finish


def _overview_clip(page: Page) -> dict[str, float]:
    """The page from the top down to the fifth verbatim: the figures and a taste of the words."""
    width = page.viewport_size["width"] if page.viewport_size else 1366
    fifth = page.locator("#survey-comments li.comment").nth(4).bounding_box()
    assert fifth is not None
    return {"x": 0, "y": 0, "width": width, "height": fifth["y"] + fifth["height"] + 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screens")
    parser.add_argument("--readme", action="store_true", help="also write docs/surveys.png")
    parser.add_argument("--accounts", type=int, default=40)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/screens.db"
        upgrade_schema(url)
        session = get_sessionmaker(url)()
        showcase_id = build(session, clock.today(), args.accounts).id
        session.close()
        pages = {"overview": "/surveys", "account": f"/accounts/{showcase_id}"}
        with live_server(url, SECRET) as base_url, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for label, (width, height) in WIDTHS.items():
                context = browser.new_context(
                    base_url=base_url, viewport={"width": width, "height": height}
                )
                page = context.new_page()
                _log_in(page, base_url)
                for name, path in pages.items():
                    page.goto(path)
                    _settle(page)
                    target = args.out / f"surveys-{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                    if name == "account":
                        card = page.locator("#account-voice")
                        target = args.out / f"surveys-voice-card-{width}.png"
                        card.screenshot(path=str(target))
                        print(target)
                    if args.readme and label == "laptop" and name == "overview":
                        doc = ROOT / "docs" / "surveys.png"
                        page.screenshot(path=str(doc), clip=_overview_clip(page), full_page=True)
                        print(doc)
                context.close()
            browser.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
