"""The outcomes and coverage reports, as of 31 March 2026 (docs/outcomes-report.png)."""

from __future__ import annotations

import random
from datetime import timedelta

import time_machine
from sqlalchemy.orm import Session

from headway.users.models import User
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
from tests.screenshots.camera import Area, Shot, Values, create_people

ACCOUNTS = 36
SEGMENTS = ["high-touch", "mid-touch", "tech-touch"]
TEMPLATES = ["registrations", "support-cost", "hours-saved", None]
CONVERSATIONS = ["meeting", "call", "check_in", "business_review", "email"]
NAMES = "Vandelay Wonka Soylent Tyrell Stark Wayne Monarch Aperture Dunder Bluth Oceanic".split()
SUFFIXES = ["Analytics", "Logistics", "Health", "Labs", "Retail", "Media"]
GOALS = ["Registrations up", "Support cost down", "Manual work cut", "Faster launches"]


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
                goal = _goal(session, plan, rng.choice(GOALS), due, template=rng.choice(TEMPLATES))
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


def seed(session: Session) -> Values:
    """The report tests' company plus 36 accounts of three CSMs across the three segments."""
    people = create_people(session, "dave", "bob", "erin", "femi")
    build_company(session, bob=people["bob"], erin=people["erin"])
    _more_accounts(session, [people["bob"], people["erin"], people["femi"]], ACCOUNTS)
    return {}


AREA = Area(
    key="reports",
    summary="outcomes and coverage reports (docs/outcomes-report.png)",
    seed=seed,
    frozen_at=NOW,
    shots=(
        Shot("outcomes", "/reports/outcomes", doc="outcomes-report.png"),
        Shot("coverage", "/reports/coverage"),
    ),
)
