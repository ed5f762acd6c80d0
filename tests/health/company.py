"""A small company with product usage and daily health scores, for the health page tests.

Customers since 1 November 2025; read on 31 March 2026 (TODAY). Usage is written as the
daily rollups would have it; scores are written by the scoring service on SCORED_DAYS.

| account  | segment    | CSM  | seats | usage                                                     |
| -------- | ---------- | ---- | ----- | --------------------------------------------------------- |
| Acme     | high-touch | Bob  | 10    | 8 users every day of the last 60, a report each day       |
| Globex   | mid-touch* | Erin | 10    | as Acme until 31 days ago; then u1 and u2 from 20 to 10   |
|          |            |      |       | days ago, 2 reports (15 and 12 days ago); last seen 10    |
|          |            |      |       | days ago                                                  |
| Umbrella | mid-touch  | Erin | 20    | 8 users every day of the last 60, a report each Monday    |
| Initech  | none       | Bob  | —     | none: no measure has data, so it has no score             |

(*) by the ARR rule: USD 1,000 a month is mid-touch.

The default scorecard gets a version 2 without its Outcomes group (no goals or touches here),
so Adoption weighs 50/70 and Revenue 20/70. Globex today:
- seat utilisation 2 ÷ 10 = 20 % → (0.2 − 0.1) ÷ 0.7 = 14.29
- last seen 10 days ago → the 7–14 band: 60
- reports per week 2 ÷ 4 = 0.5 → 0.5 ÷ 3 = 16.67
- MRR change over 90 days 0 % → 0.2 ÷ 0.3 = 66.67
score = 50/70 × (0.4 × 14.29 + 0.3 × 60 + 0.3 × 16.67) + 20/70 × 66.67 = 39.56: red.
Points lost: seat utilisation 24.49, reports 17.86, MRR 9.52, last seen 8.57.
Thirty days ago it scored 50/70 × 100 + 20/70 × 66.67 = 90.48 (green): a drop of 50.92.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import time_machine
from sqlalchemy import insert
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.health.scorecards import current_definition, get_scorecard, save_version
from headway.health.scores import score_accounts
from headway.usage.models import UsageActiveUser, UsageDaily, UsageDailyEvent
from headway.users.models import User
from tests.helpers import SETUP, make_account, subscribe

TODAY = date(2026, 3, 31)
NOW = datetime(2026, 3, 31, 10, tzinfo=UTC)
CUSTOMERS_SINCE = date(2025, 11, 1)
SCORED_DAYS = [TODAY - timedelta(days=n) for n in (60, 45, 30, 15, 0)]
REPORT = "Report Created"
TEAM = [f"u{n}" for n in range(1, 9)]


@dataclass
class HealthCompany:
    acme: Account
    globex: Account
    umbrella: Account
    initech: Account


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def add_usage(
    session: Session,
    account_key: str,
    on: Iterable[date],
    users: Sequence[str],
    events: Mapping[str, int],
) -> None:
    """Write the daily rollups of days on which these users did these events."""
    daily, named, active = [], [], []
    total = sum(events.values())
    for day in on:
        seen = datetime.combine(day, time(15), tzinfo=UTC)
        daily.append(
            {
                "account_key": account_key,
                "day": day,
                "events": total,
                "active_users": len(users),
                "sessions": len(users),
                "last_seen_at": seen,
            }
        )
        for event, count in events.items():
            named.append(
                {
                    "account_key": account_key,
                    "day": day,
                    "event": event,
                    "events": count,
                    "users": min(count, len(users)),
                }
            )
        for user in users:
            active.append(
                {
                    "account_key": account_key,
                    "day": day,
                    "user_key": user,
                    "events": max(1, total // len(users)),
                }
            )
    for model, rows in ((UsageDaily, daily), (UsageDailyEvent, named), (UsageActiveUser, active)):
        if rows:
            session.execute(insert(model), rows)
    session.commit()


def usage_and_revenue(session: Session) -> None:
    """Save version 2 of the default scorecard: its measures but those of Outcomes."""
    card = get_scorecard(session=session, key="default")
    definition = current_definition(session=session, scorecard=card)
    groups = [group for group in definition.groups if group.name != "Outcomes"]
    save_version(
        session=session,
        actor=SETUP,
        permissions=None,
        scorecard_key="default",
        definition=definition.model_copy(update={"groups": groups}),
        note="Usage and revenue only",
    )


def build_health_company(session: Session, *, bob: User, erin: User) -> HealthCompany:
    """Create the accounts, seats and usage of the table above, then score SCORED_DAYS."""
    since = datetime.combine(CUSTOMERS_SINCE, time(9), tzinfo=UTC)
    with time_machine.travel(since, tick=False):
        acme = make_account(session, "crm-acme", "Acme", owner=bob, segment="high-touch")
        globex = make_account(session, "crm-globex", "Globex", owner=erin)
        umbrella = make_account(
            session, "crm-umbrella", "Umbrella", owner=erin, segment="mid-touch"
        )
        initech = make_account(session, "crm-initech", "Initech", owner=bob)
        subscribe(session, acme, "sub-acme", "100", CUSTOMERS_SINCE, quantity=10)
        subscribe(session, globex, "sub-globex", "100", CUSTOMERS_SINCE, quantity=10)
        subscribe(session, umbrella, "sub-umbrella", "50", CUSTOMERS_SINCE, quantity=20)
    recent = days(TODAY - timedelta(days=59), TODAY)
    add_usage(session, "crm-acme", recent, TEAM, {REPORT: 1, "Dashboard Viewed": 6})
    add_usage(
        session, "crm-umbrella", [d for d in recent if d.weekday() != 0], TEAM, {"Page Viewed": 4}
    )
    add_usage(session, "crm-umbrella", [d for d in recent if d.weekday() == 0], TEAM, {REPORT: 1})
    add_usage(
        session,
        "crm-globex",
        days(TODAY - timedelta(days=59), TODAY - timedelta(days=31)),
        TEAM,
        {REPORT: 1, "Dashboard Viewed": 6},
    )
    quiet = days(TODAY - timedelta(days=20), TODAY - timedelta(days=10))
    reports = {TODAY - timedelta(days=15), TODAY - timedelta(days=12)}
    add_usage(
        session,
        "crm-globex",
        [d for d in quiet if d not in reports],
        ["u1", "u2"],
        {"Dashboard Viewed": 2},
    )
    add_usage(
        session, "crm-globex", sorted(reports), ["u1", "u2"], {REPORT: 1, "Dashboard Viewed": 1}
    )
    usage_and_revenue(session)
    for day in SCORED_DAYS:
        score_accounts(session=session, as_of=day)
    return HealthCompany(acme=acme, globex=globex, umbrella=umbrella, initech=initech)
