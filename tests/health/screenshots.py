"""Screenshots of the health portfolio, a scorecard and an account's health, laptop and tablet.

    .venv/bin/python -m tests.health.screenshots [--out test-artifacts/screens] [--readme]

Builds a throwaway SQLite database with the browser tests' portfolio (tests/e2e/seed.py),
gives each customer licensed seats and 90 days of product usage of one of a few kinds
(thriving, steady, fading, dormant, new), scores every fortnight, serves it, and saves
health-<page>-<width>.png. --readme also saves docs/health.png (the portfolio) and
docs/account-health.png (the health and usage cards of a fading customer) at laptop width.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.core import clock
from headway.core.audit import Actor
from headway.core.db import get_sessionmaker, upgrade_schema
from headway.health.scores import score_accounts
from headway.users.models import Role
from headway.users.service import create_user
from tests.e2e.live import launch_chromium, live_server
from tests.e2e.seed import seed_portfolio
from tests.health.company import REPORT, add_usage, days
from tests.helpers import log_touch, subscribe

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = {"laptop": (1366, 900), "tablet": (820, 1180)}
SECRET = "headway-screenshots-secret-key"
# The touches each kind of customer got (days ago): the cared-for ones meet their segment's.
TOUCHES = {
    "thriving": [("business_review", 70), ("check_in", 25), ("email", 20), ("in_app", 10)],
    "steady": [("business_review", 100), ("check_in", 40), ("email", 20)],
    "fading": [("business_review", 150), ("check_in", 70)],
    "dormant": [],
    "new": [("onboarding_session", 12), ("email", 6), ("check_in", 3)],
}
KINDS = [("thriving", 0.35), ("steady", 0.3), ("fading", 0.15), ("dormant", 0.1), ("new", 0.1)]
SCORED_EVERY = 15
HISTORY_DAYS = 90


def _usage(session: Session, account: Account, kind: str, today: date, rng: random.Random) -> None:
    """Seats and 90 days of usage of one kind of customer."""
    seats = rng.choice([10, 15, 25, 40, 60])
    subscribe(
        session,
        account,
        f"seats-{account.id}",
        "0",
        today - timedelta(days=HISTORY_DAYS + 30),
        plan="Seat licence",
        quantity=seats,
    )
    team = [f"{account.external_id}-u{n}" for n in range(seats)]

    def period(first: int, last: int, share: float, reports: int) -> None:
        """Days `first` to `last` days ago, a share of the seats active, reports a week."""
        users = team[: max(1, round(seats * share))]
        span = days(today - timedelta(days=first), today - timedelta(days=last))
        work = [d for d in span if d.weekday() < 5]
        reporting = {d for d in work if d.weekday() < reports}
        quiet = [d for d in work if d not in reporting]
        add_usage(session, account.external_id, quiet, users, {"Dashboard Viewed": len(users)})
        add_usage(
            session,
            account.external_id,
            sorted(reporting),
            users,
            {"Dashboard Viewed": len(users), REPORT: 1 + len(users) // 8, "Export CSV": 1},
        )

    if kind == "thriving":
        period(HISTORY_DAYS - 1, 0, rng.uniform(0.65, 0.9), 5)
    elif kind == "steady":
        period(HISTORY_DAYS - 1, 0, rng.uniform(0.3, 0.55), 2)
    elif kind == "fading":
        period(HISTORY_DAYS - 1, 46, rng.uniform(0.6, 0.85), 4)
        period(45, rng.randint(9, 16), rng.uniform(0.08, 0.2), 1)
    elif kind == "dormant":
        period(HISTORY_DAYS - 1, rng.randint(32, 45), rng.uniform(0.2, 0.4), 1)
    else:
        period(20, 0, rng.uniform(0.2, 0.4), 1)
    for type_key, back in TOUCHES[kind]:
        at = datetime.combine(today - timedelta(days=back), time(11), tzinfo=UTC)
        log_touch(session, account, type_key, at)


def build(session: Session, today: date, accounts: int) -> Account:
    """The portfolio with usage and a score every fortnight; returns the fading showcase."""
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
    seeded = seed_portfolio(
        session,
        owners=[people["bob"], people["erin"], people["femi"]],
        today=today,
        accounts=accounts,
    )
    rng = random.Random(11)
    for account in seeded.accounts:
        if account.id == seeded.showcase.id:
            kind = "fading"
        else:
            kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
        _usage(session, account, kind, today, rng)
    # Every fortnight up to today (HISTORY_DAYS is a whole number of fortnights).
    for back in range(HISTORY_DAYS, -1, -SCORED_EVERY):
        score_accounts(session=session, as_of=today - timedelta(days=back))
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


def _cards_clip(page: Page) -> dict[str, float]:
    """The health card down to the end of the usage card, in the width of the main column."""
    top = page.locator("#account-health").bounding_box()
    bottom = page.locator("#account-usage").bounding_box()
    assert top is not None and bottom is not None
    return {
        "x": top["x"] - 16,
        "y": top["y"] - 16,
        "width": top["width"] + 32,
        "height": bottom["y"] + bottom["height"] - top["y"] + 32,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screens")
    parser.add_argument("--readme", action="store_true", help="also write docs/health*.png")
    parser.add_argument("--accounts", type=int, default=40)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/screens.db"
        upgrade_schema(url)
        session = get_sessionmaker(url)()
        showcase_id = build(session, clock.today(), args.accounts).id
        session.close()
        pages = {
            "portfolio": "/health",
            "scorecard": "/health/scorecards/default",
            "account": f"/accounts/{showcase_id}",
        }
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
                    target = args.out / f"health-{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                    if name == "account":
                        target = args.out / f"health-cards-{width}.png"
                        page.screenshot(path=str(target), clip=_cards_clip(page), full_page=True)
                        print(target)
                    if args.readme and label == "laptop" and name in ("portfolio", "account"):
                        doc = (
                            ROOT
                            / "docs"
                            / ("health.png" if name == "portfolio" else "account-health.png")
                        )
                        if name == "portfolio":
                            page.screenshot(path=str(doc), full_page=True)
                        else:
                            page.screenshot(path=str(doc), clip=_cards_clip(page), full_page=True)
                        print(doc)
                context.close()
            browser.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
