"""A small company for the support & success tests, read on 31 March 2026.

The default period is the 90 days 1 January – 31 March 2026; the previous period is
3 October – 31 December 2025. Every account became a customer on 1 October 2025 and is in
the adoption stage (Hooli: churned).

| account  | segment    | CSM  | tickets (before) | solved: hours     | CSAT answers       | CES  |
| -------- | ---------- | ---- | ---------------- | ----------------- | ------------------ | ---- |
| Acme     | high-touch | Bob  | 4 (2)            | 6, 48, 12, 72     | 5, 2, good, 4, bad | 6    |
| Globex   | high-touch | Bob  | 3 (0)            | —                 | —                  | 2    |
| Initech  | tech-touch | Erin | 1 (1)            | 2 (given minutes) | 4 (no scale)       | 3, 4 |
| Umbrella | tech-touch | Bob  | 0 (0)            | —                 | —                  | —    |
| Hooli    | high-touch | Bob  | 5 (0), churned: not in the portfolio                     | 1    |

Acme's CSAT: ticket ratings 5 (yes), 2 (no), good (yes); survey answers csat 4 (yes),
csat_good_bad 0 (no) → 3 of 5. A rating of a ticket created in the previous period (bad)
and a csat answer of December are outside the period. Acme's ticket a6 was created on
30 December and solved on 2 January (72 hours): solved in the period, created before it.

Activities: Acme a meeting on 10 March (60 min) and an email on 15 March (10 min); Globex a
call on 15 December 2025 and an escalation on 12 March (60 min; reactive, not a proactive
touch); Initech and Umbrella none.

Goals: Acme's "Registrations up" has evidence on 1 and 20 February (one goal progressed);
its "Pilot" goal only on 1 December 2025.

Required touches on 31 March: high-touch asks a business review (every 90 days) and a
check-in (every 30): Acme meets the check-in (meeting 10 March), not the review; Globex
meets neither. Tech-touch in adoption asks a digital touch every 90 days: Initech and
Umbrella miss it. 1 of 6 met.

Attention: Globex (effort 2.0 and 3 tickets up from 0, no proactive touch) and Initech
(effort 3.5); Acme has rising tickets (4, up from 2) but a proactive touch, so it is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.support.models import Ticket
from headway.surveys.models import Survey, SurveyResponse
from headway.users.models import User
from tests.helpers import log_touch, make_account, make_goal, make_plan, measure

TODAY = date(2026, 3, 31)
NOW = datetime(2026, 3, 31, 15, tzinfo=UTC)
CUSTOMERS_SINCE = datetime(2025, 10, 1, 9, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@dataclass
class SupportCompany:
    acme: Account
    globex: Account
    initech: Account
    umbrella: Account
    hooli: Account


def add_ticket(session: Session, account: Account, external_id: str, **fields) -> Ticket:
    ticket = Ticket(
        external_id=external_id,
        account_id=account.id,
        subject=fields.pop("subject", f"Ticket {external_id}"),
        priority=fields.pop("priority", "normal"),
        status=fields.pop("status", "open"),
        updated_at=NOW,
        **fields,
    )
    session.add(ticket)
    session.commit()
    return ticket


def answer(session: Session, account: Account, survey_key: str, score: int, at: datetime) -> None:
    survey_id = session.scalar(select(Survey.id).where(Survey.key == survey_key))
    session.add(
        SurveyResponse(
            external_id=f"{survey_key}:{account.external_id}:{at.isoformat()}",
            survey_id=survey_id,
            account_id=account.id,
            contact_email=f"someone@{account.external_id}.example",
            score=score,
            responded_at=at,
            source="api",
            created_at=at,
            updated_at=at,
        )
    )
    session.commit()


def build_support_company(session: Session, *, bob: User, erin: User) -> SupportCompany:
    """The accounts, tickets, answers, activities and goals of the tables above."""
    with time_machine.travel(CUSTOMERS_SINCE, tick=False):
        acme = make_account(
            session, "acme", "Acme", owner=bob, segment="high-touch", stage="adoption"
        )
        globex = make_account(
            session, "globex", "Globex", owner=bob, segment="high-touch", stage="adoption"
        )
        initech = make_account(
            session, "initech", "Initech", owner=erin, segment="tech-touch", stage="adoption"
        )
        umbrella = make_account(
            session, "umbrella", "Umbrella", owner=bob, segment="tech-touch", stage="adoption"
        )
        hooli = make_account(
            session, "hooli", "Hooli", owner=bob, segment="high-touch", stage="churned"
        )

    solved = {"status": "solved"}
    add_ticket(session, acme, "a1", created_at=utc(2026, 1, 10, 9), solved_at=utc(2026, 1, 10, 15),
               satisfaction="5", satisfaction_scale="1-5", **solved)  # fmt: skip
    add_ticket(session, acme, "a2", created_at=utc(2026, 2, 1, 10), solved_at=utc(2026, 2, 3, 10),
               satisfaction="2", satisfaction_scale="1-5", priority="high", **solved)  # fmt: skip
    add_ticket(session, acme, "a3", created_at=utc(2026, 3, 5, 8), subject="Export times out")
    add_ticket(session, acme, "a4", created_at=utc(2026, 3, 20, 12), solved_at=utc(2026, 3, 21),
               satisfaction="good", satisfaction_scale="good_bad", **solved)  # fmt: skip
    add_ticket(session, acme, "a5", created_at=utc(2025, 11, 10, 9), solved_at=utc(2025, 11, 11),
               **solved)  # fmt: skip
    add_ticket(session, acme, "a6", created_at=utc(2025, 12, 30), solved_at=utc(2026, 1, 2),
               satisfaction="bad", satisfaction_scale="good_bad", **solved)  # fmt: skip
    for n, day in enumerate([1, 10, 25], start=1):
        add_ticket(session, globex, f"g{n}", created_at=utc(2026, 3, day, 9), priority="urgent")
    add_ticket(session, initech, "i1", created_at=utc(2026, 2, 20, 9),
               solved_at=utc(2026, 2, 20, 12), resolution_minutes_calendar=120,
               satisfaction="4", **solved)  # fmt: skip
    add_ticket(session, initech, "i0", created_at=utc(2025, 12, 1, 9))
    for n in range(5):
        add_ticket(session, hooli, f"h{n}", created_at=utc(2026, 3, 2 + n, 9))

    answer(session, acme, "csat", 4, utc(2026, 2, 15, 10))
    answer(session, acme, "csat_good_bad", 0, utc(2026, 3, 1, 10))
    answer(session, acme, "csat", 1, utc(2025, 12, 1, 10))
    answer(session, acme, "ces", 6, utc(2026, 3, 10, 10))
    answer(session, globex, "ces", 2, utc(2026, 3, 26, 10))
    answer(session, initech, "ces", 3, utc(2026, 1, 15, 10))
    answer(session, initech, "ces", 4, utc(2026, 2, 15, 10))
    answer(session, hooli, "ces", 1, utc(2026, 3, 3, 10))

    log_touch(session, acme, "meeting", utc(2026, 3, 10, 10), minutes=60)
    log_touch(session, acme, "email", utc(2026, 3, 15, 10), minutes=10)
    log_touch(session, globex, "call", utc(2025, 12, 15, 10), minutes=30)
    log_touch(session, globex, "escalation", utc(2026, 3, 12, 10), minutes=60)

    with time_machine.travel(CUSTOMERS_SINCE, tick=False):
        plan = make_plan(session, acme, name="Plan")
        registrations = make_goal(session, plan, baseline_date=date(2025, 10, 1))
        pilot = make_goal(session, plan, name="Pilot", baseline_date=date(2025, 10, 1))
    for goal, day, value in [
        (pilot, date(2025, 12, 1), 120.0),
        (registrations, date(2026, 2, 1), 130.0),
        (registrations, date(2026, 2, 20), 150.0),
    ]:
        measure(session, goal, value, day)
    return SupportCompany(acme, globex, initech, umbrella, hooli)
