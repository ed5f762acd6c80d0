"""Write the demo company's product usage into the database, or take it out again.

The whole history is written as daily rollups (per account and day, per event, per active
user), as the rollup job would have left them; only the last RAW_DAYS days are written as raw
messages too, which keeps a three-year demo quick to load. The rollup watermark is set past
those messages, so the next rollup run starts from the messages that arrive after the demo.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from headway.core.upsert import upsert
from headway.demo.bulk import JSONText, Progress, insert_columns, no_progress
from headway.demo.company import ACCOUNT_ID_PREFIX, DemoCompany, stream
from headway.demo.raw_events import (
    GROUP,
    IDENTIFY,
    MESSAGE_TYPES,
    TRACK,
    RawEvents,
    draw_raw_events,
)
from headway.demo.usage import DemoUsage, DemoUsers
from headway.demo.usage_model import EVENTS
from headway.demo.usage_rollups import daily_event_rollup, daily_rollup, event_names
from headway.health.models import HealthScore
from headway.usage.models import (
    RollupWatermark,
    UsageActiveUser,
    UsageDaily,
    UsageDailyEvent,
    UsageEvent,
    UsageGroup,
    UsageIdentity,
)

# The rollup source of events stored in the app database.
APP_SOURCE = "app"
LIBRARY = {"name": "headway-demo", "version": "1"}


@dataclass(frozen=True)
class UsageCounts:
    """How many usage rows the demo wrote."""

    users: int
    raw_events: int
    rollup_rows: int


def write_usage(
    session: Session,
    company: DemoCompany,
    usage: DemoUsage,
    *,
    now: datetime,
    progress: Progress = no_progress,
) -> UsageCounts:
    """Insert the rollups of the whole history, the raw messages of the last days, the users'
    identities and the accounts' groups; set the rollup watermark past the raw messages."""
    keys = company.accounts.external_id
    names = event_names()
    active = usage.active
    daily = daily_rollup(active)
    insert_columns(
        session,
        UsageDaily,
        {
            "account_key": keys[daily.account],
            "day": daily.day.astype("datetime64[D]"),
            "events": daily.events,
            "active_users": daily.active_users,
            "sessions": daily.sessions,
            "last_seen_at": (daily.day * 86_400 + daily.last_second).astype("datetime64[s]"),
        },
        step="usage by day",
        progress=progress,
    )
    per_event = daily_event_rollup(active)
    insert_columns(
        session,
        UsageDailyEvent,
        {
            "account_key": keys[per_event.account],
            "day": per_event.day.astype("datetime64[D]"),
            "event": names[per_event.event],
            "events": per_event.events,
            "users": per_event.users,
        },
        step="usage by event",
        progress=progress,
    )
    insert_columns(
        session,
        UsageActiveUser,
        {
            "account_key": keys[active.account],
            "day": active.day.astype("datetime64[D]"),
            "user_key": usage.users.user_id[active.user],
            "events": active.events,
        },
        step="active users",
        progress=progress,
    )
    raw = draw_raw_events(stream(company.seed, "usage events"), usage)
    _write_raw_events(session, company, usage, raw, progress)
    users = _write_identities(session, company, usage)
    _write_groups(session, company, usage, now)
    return UsageCounts(
        users=users,
        raw_events=len(raw),
        rollup_rows=len(daily.account) + len(per_event.account) + len(active),
    )


def _write_raw_events(
    session: Session, company: DemoCompany, usage: DemoUsage, raw: RawEvents, progress: Progress
) -> None:
    keys = company.accounts.external_id[raw.account]
    user_ids = usage.users.user_id[raw.user]
    names = np.array([*EVENTS, None], dtype=object)[raw.event]  # -1 (identify, group) → None
    message_ids = [f"demo-{company.seed}-{i + 1:09d}" for i in range(len(raw))]
    sessions = [
        None if s < 0 else f"{u}-{d}-{s + 1}"
        for u, d, s in zip(user_ids.tolist(), raw.day.tolist(), raw.session.tolist(), strict=True)
    ]
    stamps = np.datetime_as_string(raw.timestamp, unit="s").tolist()
    payloads = [
        _payload(kind, message_id, user, key, name, session_id, stamp)
        for kind, message_id, user, key, name, session_id, stamp in zip(
            raw.type.tolist(),
            message_ids,
            user_ids.tolist(),
            keys.tolist(),
            names.tolist(),
            sessions,
            stamps,
            strict=True,
        )
    ]
    described = np.flatnonzero(raw.type != TRACK)
    for i, kind, user in zip(
        described.tolist(), raw.type[described].tolist(), raw.user[described].tolist(), strict=True
    ):
        payloads[i] = _described(kind, payloads[i], usage.users, user, company)
    insert_columns(
        session,
        UsageEvent,
        {
            "message_id": message_ids,
            "type": np.array(MESSAGE_TYPES, dtype=object)[raw.type],
            "event": names,
            "user_id": user_ids,
            "anonymous_id": [None] * len(raw),
            "user_key": user_ids,
            "account_key": keys,
            "session_id": sessions,
            "timestamp": raw.timestamp,
            "received_at": raw.received_at,
            "payload": payloads,
        },
        step="usage events",
        progress=progress,
    )
    if len(raw):
        received = raw.received_at.max().astype(object).replace(tzinfo=UTC)
        upsert(
            session,
            RollupWatermark,
            [
                {
                    "source": APP_SOURCE,
                    "last_id": session.scalar(select(func.max(UsageEvent.id))),
                    "last_received_at": received,
                    "updated_at": received,
                }
            ],
            key=["source"],
            update=["last_id", "last_received_at", "updated_at"],
        )


def _payload(
    kind: int,
    message_id: str,
    user_id: str,
    account_key: str,
    event: str | None,
    session_id: str | None,
    stamp: str,
) -> JSONText:
    """A track message as a Segment library sends it, written as JSON text directly (every
    value is drawn from ids and names without quotes, so none needs escaping)."""
    common = (
        f'"messageId": "{message_id}", "userId": "{user_id}", "timestamp": "{stamp}Z", '
        f'"context": {{"groupId": "{account_key}", '
        f'"library": {{"name": "{LIBRARY["name"]}", "version": "{LIBRARY["version"]}"}}'
    )
    if kind != TRACK:
        return JSONText(f'{{"type": "{MESSAGE_TYPES[kind]}", {common}}}}}')
    return JSONText(
        f'{{"type": "track", "event": "{event}", {common}, "sessionId": "{session_id}"}}, '
        '"properties": {}}'
    )


def _described(
    kind: int, payload: str, users: DemoUsers, user: int, company: DemoCompany
) -> JSONText:
    """An identify or group message: the common fields plus traits (which may need escaping)."""
    message: dict[str, Any] = json.loads(payload)
    if kind == IDENTIFY:
        message["traits"] = _user_traits(users, user)
    elif kind == GROUP:
        message["groupId"] = message["context"]["groupId"]
        message["traits"] = _group_traits(company, int(users.account[user]))
    return JSONText(json.dumps(message))


def _user_traits(users: DemoUsers, user: int) -> dict[str, Any]:
    traits = {"email": users.email[user], "name": users.name[user]}
    if users.title[user]:
        traits["title"] = users.title[user]
    return traits


def _group_traits(company: DemoCompany, account: int) -> dict[str, Any]:
    accounts = company.accounts
    return {
        "name": accounts.name[account],
        "website": accounts.domain[account],
        "industry": accounts.industry[account],
        "employees": int(accounts.employees[account]),
    }


def _write_identities(session: Session, company: DemoCompany, usage: DemoUsage) -> int:
    """One identity per user who was ever active, with its email, name and title."""
    active, users = usage.active, usage.users
    seen = np.unique(active.user)
    first = np.full(len(users), np.iinfo(np.int64).max)
    last = np.full(len(users), -1)
    moment = active.day * 86_400 + active.first_second
    np.minimum.at(first, active.user, moment)
    np.maximum.at(last, active.user, active.day * 86_400 + active.last_second)
    insert_columns(
        session,
        UsageIdentity,
        {
            "user_key": users.user_id[seen],
            "account_key": company.accounts.external_id[users.account[seen]],
            "email": users.email[seen],
            "traits": [_user_traits(users, int(u)) for u in seen.tolist()],
            "first_seen_at": first[seen].astype("datetime64[s]"),
            "last_seen_at": last[seen].astype("datetime64[s]"),
        },
    )
    return len(seen)


def _write_groups(session: Session, company: DemoCompany, usage: DemoUsage, now: datetime) -> None:
    """The traits each account's product sent with its group calls."""
    grouped = np.unique(usage.active.account)
    insert_columns(
        session,
        UsageGroup,
        {
            "account_key": company.accounts.external_id[grouped],
            "traits": [_group_traits(company, int(a)) for a in grouped.tolist()],
            "updated_at": [now] * len(grouped),
        },
    )


def delete_demo_usage(session: Session, demo_accounts: Select[Any]) -> None:
    """Delete the demo accounts' usage (by their keys) and health scores."""
    demo = f"{ACCOUNT_ID_PREFIX}%"
    session.execute(delete(HealthScore).where(HealthScore.account_id.in_(demo_accounts)))
    for model in (
        UsageEvent,
        UsageIdentity,
        UsageGroup,
        UsageDaily,
        UsageDailyEvent,
        UsageActiveUser,
    ):
        session.execute(delete(model).where(model.account_key.like(demo)))
