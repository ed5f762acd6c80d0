"""The portfolio home, the account list and an account 360 page (the README's picture)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from headway.core import clock
from tests.e2e.seed import seed_portfolio
from tests.helpers import log_touch
from tests.screenshots.camera import Area, Shot, Values, create_people, first_screen

# What Bob did for the showcase lately, so its required touches are met.
TOUCHES = [
    ("business_review", 41, "Q3 business review: routes live in two more depots"),
    ("meeting", 19, "Planning the EU roll-out"),
    ("check_in", 6, "Monthly check-in"),
]


def seed(session: Session) -> Values:
    """The browser tests' portfolio of 60 accounts and three CSMs; a cared-for showcase."""
    people = create_people(session, "dave", "bob", "erin", "femi")
    seeded = seed_portfolio(
        session,
        owners=[people["bob"], people["erin"], people["femi"]],
        today=clock.today(),
        accounts=60,
    )
    today = clock.today()
    for type_key, days_ago, subject in TOUCHES:
        at = datetime.combine(today - timedelta(days=days_ago), time(11), tzinfo=UTC)
        log_touch(session, seeded.showcase, type_key, at, minutes=45, subject=subject)
    return {"showcase": seeded.showcase.id}


AREA = Area(
    key="portfolio",
    summary="portfolio home, account list, account 360 (docs/screenshot.png)",
    seed=seed,
    shots=(
        Shot("home", "/"),
        Shot("list", "/accounts?sort=-mrr"),
        Shot("account", "/accounts/{showcase}"),
        Shot("account-top", "/accounts/{showcase}", region=first_screen, doc="screenshot.png"),
    ),
)
