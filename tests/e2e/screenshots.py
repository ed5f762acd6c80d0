"""Screenshots of the portfolio home, the account list and an account 360, on laptop and tablet.

    .venv/bin/python -m tests.e2e.screenshots [--out test-artifacts/screens] [--readme]

Builds a throwaway SQLite database with the browser tests' seed data, serves it, and saves
<page>-<width>.png (the first screen) and <page>-<width>-full.png; --readme also saves the
360 page at laptop width as docs/screenshot.png.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from headway.core import clock
from headway.core.audit import Actor
from headway.core.db import get_sessionmaker, upgrade_schema
from headway.users.models import Role
from headway.users.service import create_user
from tests.e2e.live import launch_chromium, live_server
from tests.e2e.seed import seed_portfolio

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = {"laptop": (1366, 860), "tablet": (820, 1180)}
SECRET = "headway-screenshots-secret-key"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screens")
    parser.add_argument("--readme", action="store_true", help="also write docs/screenshot.png")
    parser.add_argument("--accounts", type=int, default=60)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
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
        seeded = seed_portfolio(
            session,
            owners=[people["bob"], people["erin"], people["femi"]],
            today=clock.today(),
            accounts=args.accounts,
        )
        showcase_id = seeded.showcase.id
        session.close()
        pages = {
            "home": "/",
            "list": "/accounts?sort=-mrr",
            "account": f"/accounts/{showcase_id}",
        }
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
                        target = args.out / f"{name}-{width}{suffix}.png"
                        page.screenshot(path=str(target), full_page=full_page)
                        print(target)
                    if args.readme and name == "account" and label == "laptop":
                        page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))
                        print(ROOT / "docs" / "screenshot.png")
                context.close()
            browser.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
