"""The support & success report and an account's card (docs/support-success.png,
docs/account-support-success.png)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.core import clock
from headway.reports.support_success import portfolio_support_success
from headway.support.models import Ticket
from headway.surveys.models import Survey, SurveyResponse
from tests.e2e.seed import seed_portfolio
from tests.helpers import log_touch, make_goal, make_plan, measure
from tests.screenshots.camera import Area, Shot, Values, around, create_people

ACCOUNTS = 36
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


def seed(session: Session) -> Values:
    """The portfolio with a year of tickets, ratings, answers and touches per account.

    More tickets for bigger segments, rising for some; ratings and answers follow how well the
    account is looked after. The card shown is the first account needing a proactive touch.
    """
    people = create_people(session, "dave", "bob", "erin", "femi")
    today = clock.today()
    owners = [people["bob"], people["erin"], people["femi"]]
    seeded = seed_portfolio(session, owners=owners, today=today, accounts=ACCOUNTS)
    session.expire_all()  # the segment rules ran after the accounts were made
    rng = random.Random(5)
    for account in seeded.accounts:
        _history(session, account, today, rng)
    attention = portfolio_support_success(session=session)["attention"]
    card = int(attention[0]["account_id"]) if attention else seeded.showcase.id
    return {"card": card}


AREA = Area(
    key="support",
    summary="support & success report and an account's card (docs/support-success.png, "
    "docs/account-support-success.png)",
    seed=seed,
    shots=(
        Shot("report", "/reports/support", doc="support-success.png"),
        Shot(
            "card",
            "/accounts/{card}",
            region=around("#account-support-success"),
            doc="account-support-success.png",
        ),
    ),
)
