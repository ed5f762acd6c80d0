"""Screenshots of the outcomes and coverage reports in Chromium, on laptop and tablet.

    .venv/bin/python -m tests.reports.screenshots [--out test-artifacts/screens] [--readme]

Builds a throwaway SQLite database with the report tests' company plus a few dozen accounts
of three CSMs across the three segments (deterministic), serves it as of 31 March 2026, and
saves reports-<page>-<width>.png; --readme also saves the outcomes page at laptop width as
docs/outcomes-report.png.
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
from sqlalchemy.orm import Session

from headway.core.audit import Actor
from headway.core.db import get_sessionmaker, upgrade_schema
from headway.users.models import Role, User
from headway.users.service import create_user
from tests.e2e.live import launch_chromium, live_server
from tests.helpers import make_account, make_plan, measure
from tests.reports.company import (
    CUSTOMERS_SINCE,
    NEW_YEAR,
    NOW,
    TODAY,
    _goal,
    _on,
    _touch,
    build_company,
)

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = {"laptop": (1366, 860), "tablet": (820, 1180)}
SECRET = "headway-screenshots-secret-key"
SEGMENTS = ["high-touch", "mid-touch", "tech-touch"]
TEMPLATES = ["registrations", "support-cost", "hours-saved", None]
CONVERSATIONS = ["meeting", "call", "check_in", "business_review", "email"]


def _more_accounts(session: Session, csms: list[User], count: int) -> None:
    """Accounts whose CSMs reach their goals at different rates and touch them more or less."""
    rng = random.Random(7)
    skill = {csm.id: rate for csm, rate in zip(csms, [0.7, 0.45, 0.6], strict=False)}
    busy = {csm.id: touches for csm, touches in zip(csms, [3, 6, 2], strict=False)}
    for n in range(count):
        csm = csms[n % len(csms)]
        segment = SEGMENTS[n % len(SEGMENTS)]
        with time_machine.travel(CUSTOMERS_SINCE, tick=False):
            account = make_account(
                session,
                f"extra-{n}",
                f"{rng.choice(NAMES)} {rng.choice(SUFFIXES)} {n}",
                owner=csm,
                segment=segment,
                stage=rng.choice(["adoption", "adoption", "loyal", "onboarding"]),
            )
            plan = make_plan(session, account, name="Plan")
        for _ in range(rng.randint(1, 3)):
            due = NEW_YEAR + timedelta(days=rng.randint(20, 160))
            with _on(NEW_YEAR):
                goal = _goal(
                    session,
                    plan,
                    rng.choice(GOALS),
                    due,
                    template=rng.choice(TEMPLATES),
                )
            reached = rng.random() < skill[csm.id]
            day = min(due, TODAY) - timedelta(days=rng.randint(0, 15))
            value = 200 if reached and day <= TODAY else rng.choice([104, 130, 160, 185])
            if day > NEW_YEAR and rng.random() < 0.9:
                with _on(day):
                    measure(session, goal, value, day)
        for _ in range(rng.randint(0, busy[csm.id])):
            day = TODAY - timedelta(days=rng.randint(1, 120))
            with _on(day):
                _touch(session, account, rng.choice(CONVERSATIONS), day, 30, [csm])


NAMES = "Vandelay Wonka Soylent Tyrell Stark Wayne Monarch Aperture Dunder Bluth Oceanic".split()
SUFFIXES = ["Analytics", "Logistics", "Health", "Labs", "Retail", "Media"]
GOALS = ["Registrations up", "Support cost down", "Manual work cut", "Faster launches"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screens")
    parser.add_argument("--readme", action="store_true", help="also write docs/outcomes-report.png")
    parser.add_argument("--accounts", type=int, default=36)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, time_machine.travel(NOW, tick=True):
        url = f"sqlite:///{folder}/screens.db"
        upgrade_schema(url)
        session = get_sessionmaker(url)()
        setup = Actor.system("screenshots")
        people = {
            first: create_user(
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
        }
        build_company(session, bob=people["bob"], erin=people["erin"])
        _more_accounts(session, [people["bob"], people["erin"], people["femi"]], args.accounts)
        session.close()
        pages = {"outcomes": "/reports/outcomes", "coverage": "/reports/coverage"}
        with live_server(url, SECRET) as base_url, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for label, (width, height) in WIDTHS.items():
                context = browser.new_context(
                    base_url=base_url, viewport={"width": width, "height": height}
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
                    page.wait_for_timeout(400)  # let the chart animation finish
                    for suffix, full_page in (("", False), ("-full", True)):
                        target = args.out / f"reports-{name}-{width}{suffix}.png"
                        page.screenshot(path=str(target), full_page=full_page)
                        print(target)
                    if args.readme and name == "outcomes" and label == "laptop":
                        target = ROOT / "docs" / "outcomes-report.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target)
                context.close()
            browser.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
