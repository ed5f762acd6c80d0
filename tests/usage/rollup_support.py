"""What the rollup and adoption tests share: sending events, reading rollups, event files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.usage.messages import read_message
from headway.usage.models import UsageActiveUser, UsageDaily, UsageDailyEvent, UsageEvent
from headway.usage.service import store_messages

# Events are received long before the rollups run, so every run's watermark moves past them.
RECEIVED = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
RUN_AT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def track(
    account: str | None, user: str, event: str, at: str, session_id: str | None = None
) -> dict[str, Any]:
    """A track message of a user, for an account (its groupId) unless None."""
    context: dict[str, Any] = {"groupId": account} if account else {}
    if session_id:
        context["sessionId"] = session_id
    return {"type": "track", "userId": user, "event": event, "timestamp": at, "context": context}


def page(account: str, user: str, name: str | None, at: str, session_id: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "page",
        "userId": user,
        "timestamp": at,
        "context": {"groupId": account, "sessionId": session_id},
    }
    if name:
        message["name"] = name
    return message


def send(session: Session, *raw: dict[str, Any], received_at: datetime = RECEIVED) -> None:
    """Store messages as the ingestion API does, and commit."""
    messages = [read_message(message, received_at=received_at) for message in raw]
    store_messages(session=session, messages=messages, received_at=received_at)
    session.commit()


def daily(session: Session) -> dict[tuple[str, date], tuple[int, int, int, datetime]]:
    """(account, day) → (events, active users, sessions, last seen)."""
    session.expire_all()
    return {
        (r.account_key, r.day): (r.events, r.active_users, r.sessions, r.last_seen_at)
        for r in session.scalars(select(UsageDaily))
    }


def daily_events(session: Session) -> dict[tuple[str, date, str], tuple[int, int]]:
    """(account, day, event) → (events, users)."""
    return {
        (r.account_key, r.day, r.event): (r.events, r.users)
        for r in session.scalars(select(UsageDailyEvent))
    }


def active_users(session: Session) -> dict[tuple[str, date, str], int]:
    """(account, day, user) → events."""
    return {
        (r.account_key, r.day, r.user_key): r.events
        for r in session.scalars(select(UsageActiveUser))
    }


def rollups(session: Session) -> tuple[dict[Any, Any], dict[Any, Any], dict[Any, Any]]:
    """Every rollup table's rows, keyed."""
    return daily(session), daily_events(session), active_users(session)


APP_COLUMNS = ("account_key", "user_key", "type", "event", "session_id", "timestamp", "received_at")


def write_events_parquet(session: Session, path: Path, *, since: datetime | None = None) -> Path:
    """Export the stored events (those received after `since`) to Parquet in the app's columns."""
    query = select(UsageEvent).order_by(UsageEvent.id)
    if since is not None:
        query = query.where(UsageEvent.received_at > since)
    events = session.scalars(query).all()
    table = pa.table({name: [getattr(e, name) for e in events] for name in APP_COLUMNS})
    pq.write_table(table, path)
    return path
