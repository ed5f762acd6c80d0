"""A small company for the report tests, built through the services.

Bob and Erin are the CSMs; the company became customers on 1 October 2025 and the reports are
read on 31 March 2026 (TODAY), over Q1 2026 — also the default period, the 90 days to today.

| account  | segment    | CSM  | stage      |
| -------- | ---------- | ---- | ---------- |
| Acme     | high-touch | Bob  | adoption   |
| Initech  | high-touch | Erin | adoption   |
| Globex   | tech-touch | Bob  | adoption   |
| Umbrella | tech-touch | Erin | onboarding |
| Hooli    | high-touch | Bob  | churned    |

Goals (100 → 200 unless said; baseline date 1 January 2026 unless said):

| goal | account  | template      | due        | evidence                   | on 31 March          |
| ---- | -------- | ------------- | ---------- | -------------------------- | -------------------- |
| G1   | Acme     | registrations | 2026-02-15 | 210 on 02-10               | achieved 02-10       |
| G2   | Acme     | custom        | 2026-03-10 | 150 on 03-01               | missed               |
| G3   | Initech  | registrations | 2026-03-20 | 120 on 02-01, 205 on 03-25 | missed (late)        |
| G4   | Globex   | custom        | 2025-12-15 | 200 on 2025-12-01 (1)      | achieved, before Q1  |
| G5   | Globex   | support-cost  | 2026-01-31 | 75 on 01-20 (2)            | achieved 01-20       |
| G6   | Umbrella | custom        | 2026-06-30 | 105 on 03-15               | at risk              |
| G7   | Initech  | registrations | 2026-05-31 | 160 on 03-20               | on track             |
| G8   | Initech  | custom        | 2026-04-30 | 200 on 03-05               | achieved early 03-05 |
| G9   | Hooli    | custom        | 2026-02-28 | none                       | missed               |
| G10  | Hooli    | custom        | 2026-04-30 | none                       | at risk, but churned |

(1) baseline date 1 October 2025; (2) a decreasing KPI, 100 → 80.

Activities (who took part):

| # | account  | type            | when       | minutes | people     |
| - | -------- | --------------- | ---------- | ------- | ---------- |
| 1 | Acme     | business_review | 2026-03-10 | 120     | Bob        |
| 2 | Acme     | check_in        | 2026-03-25 | 30      | Bob, Erin  |
| 3 | Globex   | email           | 2025-11-15 | 10      | Bob        |
| 4 | Initech  | meeting         | 2025-12-20 | 60      | Erin       |
| 5 | Initech  | call            | 2026-03-28 | 30      | Erin       |
| 6 | Umbrella | email           | 2026-03-01 | 30      | Erin       |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import time_machine
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.activities.schemas import ActivityCreate
from headway.activities.service import log_activity
from headway.outcomes.goals import create_goal
from headway.outcomes.models import Goal, SuccessPlan
from headway.outcomes.progress import Direction
from headway.outcomes.schemas import GoalCreate
from headway.users.models import User
from tests.helpers import SETUP, make_account, make_plan, measure

TODAY = date(2026, 3, 31)
NOW = datetime(2026, 3, 31, 15, tzinfo=UTC)
CUSTOMERS_SINCE = datetime(2025, 10, 1, 9, tzinfo=UTC)
NEW_YEAR = date(2026, 1, 1)


@dataclass
class Company:
    acme: Account
    initech: Account
    globex: Account
    umbrella: Account
    hooli: Account
    goals: dict[str, Goal]


def _goal(
    session: Session,
    plan: SuccessPlan,
    name: str,
    due: date,
    *,
    template: str | None = None,
    baseline: float = 100.0,
    target: float = 200.0,
    baseline_date: date = NEW_YEAR,
) -> Goal:
    return create_goal(
        session=session,
        actor=SETUP,
        permissions=None,
        data=GoalCreate(
            plan_id=plan.id,
            name=name,
            kpi="Event registrations per month",
            unit="registrations",
            direction=Direction.INCREASE if target > baseline else Direction.DECREASE,
            baseline=baseline,
            baseline_date=baseline_date,
            target=target,
            due_date=due,
            template=template,
        ),
    )


def _touch(
    session: Session,
    account: Account,
    kind: str,
    day: date,
    minutes: int,
    people: list[User],
) -> None:
    log_activity(
        session=session,
        actor=SETUP,
        permissions=None,
        data=ActivityCreate(
            account_id=account.id,
            type=kind,
            occurred_at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
            minutes=minutes,
            user_ids=[p.id for p in people],
        ),
    )


def _on(day: date) -> time_machine.travel:
    """Write as of noon on a day, as it would have been written then."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False)


def build_company(session: Session, *, bob: User, erin: User) -> Company:
    """Create the accounts, goals, evidence and activities of the tables above, each on its day."""
    with time_machine.travel(CUSTOMERS_SINCE, tick=False):
        acme = make_account(
            session, "acme", "Acme", owner=bob, segment="high-touch", stage="adoption"
        )
        initech = make_account(
            session, "initech", "Initech", owner=erin, segment="high-touch", stage="adoption"
        )
        globex = make_account(
            session, "globex", "Globex", owner=bob, segment="tech-touch", stage="adoption"
        )
        umbrella = make_account(
            session, "umbrella", "Umbrella", owner=erin, segment="tech-touch", stage="onboarding"
        )
        hooli = make_account(
            session, "hooli", "Hooli", owner=bob, segment="high-touch", stage="churned"
        )
        accounts = (acme, initech, globex, umbrella, hooli)
        plans = {a.id: make_plan(session, a, name="Plan") for a in accounts}
        g: dict[str, Goal] = {}
        g["G4"] = _goal(
            session,
            plans[globex.id],
            "Pilot rollout",
            date(2025, 12, 15),
            baseline_date=date(2025, 10, 1),
        )
    with _on(NEW_YEAR):
        g["G1"] = _goal(
            session, plans[acme.id], "Registrations up", date(2026, 2, 15), template="registrations"
        )
        g["G2"] = _goal(session, plans[acme.id], "Newsletter reach", date(2026, 3, 10))
        g["G3"] = _goal(
            session,
            plans[initech.id],
            "Registrations up",
            date(2026, 3, 20),
            template="registrations",
        )
        g["G5"] = _goal(
            session,
            plans[globex.id],
            "Support cost down",
            date(2026, 1, 31),
            template="support-cost",
            target=80.0,
        )
        g["G6"] = _goal(session, plans[umbrella.id], "Teams onboarded", date(2026, 6, 30))
        g["G7"] = _goal(
            session,
            plans[initech.id],
            "Second event series",
            date(2026, 5, 31),
            template="registrations",
        )
        g["G8"] = _goal(session, plans[initech.id], "Sponsor leads", date(2026, 4, 30))
        g["G9"] = _goal(session, plans[hooli.id], "Attendance up", date(2026, 2, 28))
        g["G10"] = _goal(session, plans[hooli.id], "Renewal case", date(2026, 4, 30))
    measurements = [
        ("G4", 200, date(2025, 12, 1)),
        ("G5", 75, date(2026, 1, 20)),
        ("G3", 120, date(2026, 2, 1)),
        ("G1", 210, date(2026, 2, 10)),
        ("G2", 150, date(2026, 3, 1)),
        ("G8", 200, date(2026, 3, 5)),
        ("G6", 105, date(2026, 3, 15)),
        ("G7", 160, date(2026, 3, 20)),
        ("G3", 205, date(2026, 3, 25)),
    ]
    for name, value, day in measurements:
        with _on(day):
            measure(session, g[name], value, day)
    touches = [
        (globex, "email", date(2025, 11, 15), 10, [bob]),
        (initech, "meeting", date(2025, 12, 20), 60, [erin]),
        (umbrella, "email", date(2026, 3, 1), 30, [erin]),
        (acme, "business_review", date(2026, 3, 10), 120, [bob]),
        (acme, "check_in", date(2026, 3, 25), 30, [bob, erin]),
        (initech, "call", date(2026, 3, 28), 30, [erin]),
    ]
    for account, kind, day, minutes, people in touches:
        with _on(day):
            _touch(session, account, kind, day, minutes, people)
    return Company(acme, initech, globex, umbrella, hooli, g)
