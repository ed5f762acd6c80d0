"""Screenshots of the support & success report and its account card in Chromium.

    .venv/bin/python -m tests.reports.support_success_screenshots [--out test-artifacts/screens]
        [--readme]

Builds a throwaway SQLite database with the browser tests' portfolio (tests/e2e/seed.py) and,
per account, a year of tickets (more for bigger segments, rising for some), ratings and survey
answers that follow how well the account is looked after, and the team's touches; serves it and
saves support-<page>-<width>.png. --readme also saves docs/support-success.png (the report) and
docs/account-support-success.png (the card of an account needing a proactive touch).
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.core import clock
from headway.core.audit import Actor
from headway.core.db import get_sessionmaker, upgrade_schema
from headway.reports.support_success import portfolio_support_success
from headway.support.models import Ticket
from headway.surveys.models import Survey, SurveyResponse
from headway.users.models import Role
from headway.users.service import create_user
from tests.e2e.live import launch_chromium, live_server
from tests.e2e.seed import seed_portfolio
from tests.helpers import log_touch, make_goal, make_plan, measure

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = {"laptop": (1366, 900), "tablet": (820, 1180)}
SECRET = "headway-screenshots-secret-key"
# Tickets a month, the touches a quarter, by segment.
TICKETS = {"high-touch": 3.0, "mid-touch": 1.6, "tech-touch": 0.6, None: 0.6}
TOUCHES = {
    "high-touch": ["check_in", "meeting", "call", "business_review"],
    "mid-touch": ["check_in", "email"],
    "tech-touch": ["email"],
    None: ["email"],
}
SUBJECTS = [
    "Export to CSV times out",
    "SSO login loops back to the start",
    "Invoice shows the wrong VAT number",
    "Dashboard numbers differ from the report",
    "How do I add a second workspace?",
    "API rate limit reached during sync",
    "Route planner ignores closed roads",
    "Question about seat licences",
]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _history(session: Session, account: Account, today: date, rng: random.Random) -> None:
    """A year of tickets, answers and touches; a few accounts struggle and are left alone."""
    segment = account.segment.key if account.segment else None
    struggling = rng.random() < 0.25
    rising = struggling or rng.random() < 0.15
    neglected = struggling and rng.random() < 0.7
    surveys = {k: i for k, i in session.execute(select(Survey.key, Survey.id))}
    since = min(365, (today - account.created_at.date()).days - 1)  # a customer that long
    n = 0
    for back in range(since, 0, -1):
        day = today - timedelta(days=back)
        rate = TICKETS[segment] * (2.2 if rising and back <= 90 else 1.0) / 30
        if rng.random() >= rate:
            continue
        n += 1
        created = _at(day, rng.randint(7, 18))
        hours = rng.uniform(1, 30) * (3 if struggling else 1)
        solved = created + timedelta(hours=hours)
        done = solved < _at(today, 9) and rng.random() < 0.9
        good = rng.random() < (0.3 if struggling else 0.9)
        session.add(
            Ticket(
                external_id=f"zd-{account.id}-{n}",
                account_id=account.id,
                subject=rng.choice(SUBJECTS),
                priority=rng.choice(["low", "normal", "normal", "high", "urgent"]),
                status="solved" if done else rng.choice(["open", "pending"]),
                created_at=created,
                solved_at=solved if done else None,
                satisfaction=(rng.choice(["4", "5"]) if good else rng.choice(["1", "2", "3"]))
                if done and rng.random() < 0.6
                else None,
                satisfaction_scale="1-5",
                updated_at=created,
            )
        )
        if done and rng.random() < 0.5:
            effort = rng.randint(5, 7) if good else rng.randint(2, 4)
            key = "ces" if rng.random() < 0.6 else "csat"
            score = effort if key == "ces" else (rng.randint(4, 5) if good else rng.randint(1, 3))
            session.add(
                SurveyResponse(
                    external_id=f"answer-{account.id}-{n}",
                    survey_id=surveys[key],
                    account_id=account.id,
                    contact_email=f"requester@{account.external_id}.example",
                    score=score,
                    responded_at=solved + timedelta(hours=3),
                    source="link",
                    created_at=solved,
                    updated_at=solved,
                )
            )
    session.commit()
    every = rng.randint(20, 40) if segment == "high-touch" else rng.randint(45, 80)
    for back in range(since - rng.randint(0, every), 0, -every):
        if neglected and back <= 100:
            break
        kind = rng.choice(TOUCHES[segment])
        day = today - timedelta(days=max(1, back - rng.randint(0, 9)))
        log_touch(session, account, kind, _at(day))
    if struggling and rng.random() < 0.5:
        log_touch(session, account, "escalation", _at(today - timedelta(days=rng.randint(5, 40))))
    if segment == "high-touch" and rng.random() < 0.7:
        plan = make_plan(session, account, name="Success plan")
        goal = make_goal(
            session,
            plan,
            baseline_date=today - timedelta(days=150),
            due_date=today + timedelta(days=60),
        )
        measure(session, goal, 140.0, today - timedelta(days=rng.randint(5, 60)))


def build(session: Session, today: date, accounts: int) -> int:
    """The portfolio and its support history; returns the account whose card is shown."""
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
            ("femi", "Femi Adeyemi", Role.CSM),
        ]
    ]
    seeded = seed_portfolio(session, owners=people[1:], today=today, accounts=accounts)
    session.expire_all()  # the segment rules ran after the accounts were made
    rng = random.Random(5)
    for account in seeded.accounts:
        _history(session, account, today, rng)
    attention = portfolio_support_success(session=session)["attention"]
    return int(attention[0]["account_id"]) if attention else seeded.showcase.id


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


def _card_clip(page: Page) -> dict[str, float]:
    box = page.locator("#account-support-success").bounding_box()
    assert box is not None
    return {
        "x": box["x"] - 16,
        "y": box["y"] - 16,
        "width": box["width"] + 32,
        "height": box["height"] + 32,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screens")
    parser.add_argument("--readme", action="store_true", help="also write docs/*support*.png")
    parser.add_argument("--accounts", type=int, default=36)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/screens.db"
        upgrade_schema(url)
        session = get_sessionmaker(url)()
        card_account = build(session, clock.today(), args.accounts)
        session.close()
        with live_server(url, SECRET) as base_url, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for label, (width, height) in WIDTHS.items():
                context = browser.new_context(
                    base_url=base_url, viewport={"width": width, "height": height}
                )
                page = context.new_page()
                _log_in(page, base_url)
                page.goto("/reports/support")
                _settle(page)
                target = args.out / f"support-report-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
                if args.readme and label == "laptop":
                    page.screenshot(path=str(ROOT / "docs" / "support-success.png"), full_page=True)
                page.goto(f"/accounts/{card_account}")
                _settle(page)
                target = args.out / f"support-card-{width}.png"
                page.screenshot(path=str(target), clip=_card_clip(page), full_page=True)
                print(target)
                if args.readme and label == "laptop":
                    doc = ROOT / "docs" / "account-support-success.png"
                    page.screenshot(path=str(doc), clip=_card_clip(page), full_page=True)
                context.close()
            browser.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
