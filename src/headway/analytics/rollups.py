"""Daily usage rollups, written once as Ibis expressions and run wherever the events live.

The same expressions run on the app database (SQLite, PostgreSQL), on DuckDB over files and
on Spark: each takes an events table with the columns `EVENT_COLUMNS` and returns a table of
daily aggregates. Days are UTC days (the backends' sessions are set to UTC). Only activity
(track, page, screen) of a known account counts; an event's name is its `event`, or its type
for a page or screen without a name.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.datatypes as dt
from ibis.expr.types import Table

from headway.core.errors import InvalidInput

EVENT_COLUMNS = ("account_key", "user_key", "type", "event", "session_id", "timestamp")
# The same as headway.usage.messages.ACTIVITY_TYPES (analytics sits below usage); a test
# keeps the two equal.
ACTIVITY_TYPES = ("page", "screen", "track")
DAY_KEY = ("account_key", "day")
# The column shapes of files and warehouse tables `standard_events` reads.
APP_SHAPE = ("account_key", "user_key", "type", "event", "timestamp")
FLAT_SHAPE = ("timestamp", "account_id", "user_id", "event")


def activity(events: Table) -> Table:
    """Activity of known accounts, with its UTC `day` and its event `name`."""
    return events.filter(events.account_key.notnull(), events.type.isin(ACTIVITY_TYPES)).mutate(
        day=events.timestamp.date(), name=ibis.coalesce(events.event, events.type)
    )


def daily_accounts(events: Table) -> Table:
    """Per account and day: events, active users, sessions and the last event's time."""
    acts = activity(events)
    return acts.group_by(DAY_KEY).aggregate(
        events=acts.count(),
        active_users=acts.user_key.nunique(),
        sessions=acts.session_id.nunique(),
        last_seen_at=acts.timestamp.max(),
    )


def daily_events(events: Table) -> Table:
    """Per account, day and event name: how often, by how many distinct users."""
    acts = activity(events)
    return acts.group_by([*DAY_KEY, acts.name.name("event")]).aggregate(
        events=acts.count(), users=acts.user_key.nunique()
    )


def daily_active_users(events: Table) -> Table:
    """Per account, day and user: the user's events that day (one row per active user)."""
    acts = activity(events)
    acts = acts.filter(acts.user_key.notnull())
    return acts.group_by([*DAY_KEY, "user_key"]).aggregate(events=acts.count())


def affected_days(new_events: Table) -> Table:
    """The (account_key, day) pairs new events touch: the only rollup rows they change."""
    return activity(new_events).select(*DAY_KEY).distinct()


def first_grouped_days(events: Table, *, new_events: Table, earlier_events: Table) -> Table:
    """The (account_key, day) pairs of users whose first `group` call is among the new events.

    Grouping a user attaches their earlier events without an account to it, so the days of
    those events change although the events themselves are not new.
    """
    grouped = new_events.filter(new_events.type == "group", new_events.user_key.notnull())
    grouped = grouped.select("user_key").distinct()
    before = earlier_events.filter(earlier_events.type == "group").select("user_key")
    users = grouped.anti_join(before, "user_key")
    acts = activity(events)
    # An inner join of distinct users drives the lookup from the few users (their index),
    # where a semi-join compiles to a correlated EXISTS that scans every event.
    joined = users.join(acts, "user_key")
    return joined.select(*DAY_KEY).distinct()


def events_on_days(events: Table, days: Table) -> Table:
    """The events of the (account_key, day) pairs in `days` (the semi-join of a recompute).

    `days` has one row per pair and the `next_day` after each `day`. The event time is
    compared with the two midnights rather than its date with the day, so a database can use
    its (account_key, timestamp) index. The pairs are distinct and the days of an account do
    not overlap, so the inner join (which, unlike a correlated EXISTS, lets the database
    start from the few pairs) returns each event once.
    """
    joined = days.join(
        events,
        [
            days.account_key == events.account_key,
            events.timestamp >= days.day.cast("timestamp"),
            events.timestamp < days.next_day.cast("timestamp"),
        ],
    )
    return joined.select(*(events[name] for name in events.columns))


def standard_events(table: Table) -> Table:
    """Events of a file or warehouse table in the columns the rollups read.

    Two shapes are read: the app table's own columns (`account_key`, `user_key`, `type`,
    `event`, `timestamp`, optional `session_id`), or Segment-flat exports (`timestamp`,
    `account_id`, `user_id`, `event`; optional `anonymous_id`, `type`). A `received_at`
    column is kept: it is the watermark of incremental runs. Times given as text are read as
    ISO 8601 (UTC unless they say otherwise).
    """
    columns = set(table.columns)
    text = "string"
    if set(APP_SHAPE) <= columns:
        fields = {name: table[name] for name in APP_SHAPE}
        fields["session_id"] = (
            table.session_id.cast(text) if "session_id" in columns else ibis.null(text)
        )
    elif set(FLAT_SHAPE) <= columns:
        user = table.user_id.cast(text)
        if "anonymous_id" in columns:
            user = ibis.coalesce(user, table.anonymous_id.cast(text))
        fields = {
            "account_key": table.account_id.cast(text),
            "user_key": user,
            "type": table["type"].cast(text) if "type" in columns else ibis.literal("track"),
            "event": table.event.cast(text),
            "session_id": ibis.null(text),
            "timestamp": table.timestamp,
        }
    else:
        raise InvalidInput(
            f"events need the columns {', '.join(APP_SHAPE)} or {', '.join(FLAT_SHAPE)}; "
            f"found {', '.join(table.columns)}"
        )
    fields["timestamp"] = _as_timestamp(fields["timestamp"])
    if "received_at" in columns:
        fields["received_at"] = _as_timestamp(table.received_at)
    return table.select(**fields)


def _as_timestamp(column: Any) -> Any:
    if column.type().is_timestamp():
        return column
    return column.cast(dt.Timestamp(timezone="UTC"))
