"""The health portfolio, a scorecard and an account's health and usage cards
(docs/health.png, docs/account-health.png)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.core import clock
from headway.health.scores import score_accounts
from tests.e2e.seed import seed_portfolio
from tests.health.company import REPORT, add_usage, days
from tests.helpers import log_touch, subscribe
from tests.screenshots.camera import Area, Shot, Values, around, create_people

ACCOUNTS = 40
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


def seed(session: Session) -> Values:
    """The portfolio with 90 days of usage and a score every fortnight; a fading showcase."""
    people = create_people(session, "dave", "bob", "erin", "femi")
    today = clock.today()
    seeded = seed_portfolio(
        session,
        owners=[people["bob"], people["erin"], people["femi"]],
        today=today,
        accounts=ACCOUNTS,
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
    return {"showcase": seeded.showcase.id}


AREA = Area(
    key="health",
    summary="health portfolio, scorecard, an account's health (docs/health.png, "
    "docs/account-health.png)",
    seed=seed,
    shots=(
        Shot("portfolio", "/health", doc="health.png"),
        Shot("scorecard", "/health/scorecards/default"),
        Shot("account", "/accounts/{showcase}"),
        Shot(
            "cards",
            "/accounts/{showcase}",
            region=around("#account-health", down_to="#account-usage"),
            doc="account-health.png",
        ),
    ),
)
