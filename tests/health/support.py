"""What the health tests share: a small, hand-countable month of rolled-up usage."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from headway.usage.models import UsageActiveUser, UsageDaily, UsageDailyEvent

# Per day: events, the users active, and events by name. As of 31 March the 30 days are
# 2–31 March and the 30 before them 31 January–1 March:
#   31 Mar:  5 events, user u1;          Report Created × 2
#   28 Mar: 10 events, users u1, u2;     Report Created × 4, Login × 5
#   20 Mar: 20 events, user u3;          Export × 1
#   15 Feb: 15 events, user u4;          Login × 3
USAGE_DAYS = {
    date(2026, 3, 31): (5, ["u1"], {"Report Created": 2}),
    date(2026, 3, 28): (10, ["u1", "u2"], {"Report Created": 4, "Login": 5}),
    date(2026, 3, 20): (20, ["u3"], {"Export": 1}),
    date(2026, 2, 15): (15, ["u4"], {"Login": 3}),
}


def rolled_up_usage(session: Session, account_key: str) -> None:
    """The daily rollups of USAGE_DAYS for an account (by its external id)."""
    for day, (events, users, names) in USAGE_DAYS.items():
        session.add(
            UsageDaily(
                account_key=account_key,
                day=day,
                events=events,
                active_users=len(users),
                sessions=1,
                last_seen_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
            )
        )
        for user in users:
            session.add(UsageActiveUser(account_key=account_key, day=day, user_key=user, events=1))
        for name, count in names.items():
            session.add(
                UsageDailyEvent(account_key=account_key, day=day, event=name, events=count, users=1)
            )
    session.commit()
