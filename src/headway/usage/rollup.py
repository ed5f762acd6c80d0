"""Rolling usage events up by account and UTC day, incrementally, from any source.

A run reads only the events that are new since the source's watermark, finds the
(account, day) pairs they touch, recomputes those pairs from all their events (so an event
arriving late corrects its day), replaces their rollup rows and moves the watermark: one
transaction. The aggregation is `headway.analytics.rollups`, run by Ibis where the events
are: the app database, DuckDB over files, or Spark; only daily aggregates come back.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend
from ibis.expr.types import Table
from sqlalchemy import bindparam, case, delete, func, select
from sqlalchemy.orm import Session

from headway.analytics import backends
from headway.analytics.rollups import (
    EVENT_COLUMNS,
    affected_days,
    daily_accounts,
    daily_active_users,
    daily_events,
    events_on_days,
    first_grouped_days,
    standard_events,
)
from headway.core import clock
from headway.core.errors import InvalidInput
from headway.core.upsert import upsert
from headway.usage.models import (
    RollupWatermark,
    UsageActiveUser,
    UsageDaily,
    UsageDailyEvent,
    UsageEvent,
    UsagePendingDay,
)

SOURCES = ("app", "duckdb", "spark")
# An event id is handed out when its row is written and becomes visible at commit, so on
# PostgreSQL a lower id can appear after a higher one was read. The watermark therefore
# stops at the last event received this long before the run; later ones are read again next
# time (recomputing a day is idempotent). It must exceed twice the longest ingest request.
LATE_COMMIT_MARGIN = timedelta(minutes=5)
WRITE_CHUNK = 5_000
ROLLUP_TABLES = (UsageDaily, UsageDailyEvent, UsageActiveUser)
# Backends whose results Ibis streams in batches. Its DuckDB reader calls a method DuckDB 2
# removed, and Spark collects whole results anyway: those come back as one Arrow table
# (daily aggregates, far smaller than the events).
STREAMING_BACKENDS = frozenset({"sqlite", "postgres"})


@dataclass(frozen=True)
class RollupRun:
    """What a rollup run did: events read, (account, day) rows written, the new watermark."""

    source: str
    events_read: int
    days_written: int
    watermark: int | datetime | None  # app: last event id; files: last received (or event) time
    seconds: float


@dataclass(frozen=True)
class _Plan:
    """What to recompute: the events, the pairs to replace (None: all), the next watermark."""

    events: Table
    days: pa.Table | None  # None: recompute every pair of `events`
    events_read: int
    last_id: int | None = None
    last_received_at: datetime | None = None


def rollup_usage(
    *,
    session: Session,
    source: str = "app",
    path: str | None = None,
    full: bool = False,
    spark: Any = None,
) -> RollupRun:
    """Roll new events up by account and day; `full` rebuilds every day from this source."""
    started = time.perf_counter()
    key = _watermark_key(source, path)
    now = clock.now()
    watermark = session.scalar(
        select(RollupWatermark).where(RollupWatermark.source == key).with_for_update()
    )
    connection = _connect(session, source, spark)
    try:
        if source == "app":
            plan = _plan_app(session, connection, watermark, full=full, now=now)
        else:
            assert path is not None
            plan = _plan_files(connection, path, watermark, full=full)
        redo = plan.events_read or (plan.days is not None and plan.days.num_rows)
        days_written = _rewrite(session, connection, plan, full=full) if redo else 0
        upsert(
            session,
            RollupWatermark,
            [
                {
                    "source": key,
                    "last_id": plan.last_id,
                    "last_received_at": plan.last_received_at,
                    "updated_at": now,
                }
            ],
            key=["source"],
            update=["last_id", "last_received_at", "updated_at"],
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        if source != "spark":  # the Spark session belongs to the caller
            connection.disconnect()
    return RollupRun(
        source=key,
        events_read=plan.events_read,
        days_written=days_written,
        watermark=plan.last_id if source == "app" else plan.last_received_at,
        seconds=round(time.perf_counter() - started, 3),
    )


def _watermark_key(source: str, path: str | None) -> str:
    if source not in SOURCES:
        raise InvalidInput(f"unknown rollup source {source!r}; expected one of {SOURCES}")
    if source == "app":
        if path:
            raise InvalidInput("the app source reads the app database: give no path")
        return "app"
    if not path:
        raise InvalidInput(f"the {source} source reads files: give their path or glob")
    key = f"{source}:{path}"
    if len(key) > 255:  # the column's width; a long path is known by its digest
        key = f"{source}:sha256:{hashlib.sha256(path.encode()).hexdigest()}"
    return key


def _connect(session: Session, source: str, spark: Any) -> BaseBackend:
    if source == "app":
        url = session.get_bind().engine.url.render_as_string(hide_password=False)
        return backends.connect_app_database(url)
    if source == "duckdb":
        return backends.connect_duckdb()
    return backends.connect_spark(spark if spark is not None else backends.local_spark_session())


# --- what to read ------------------------------------------------------------------------


def _plan_app(
    session: Session,
    connection: BaseBackend,
    watermark: RollupWatermark | None,
    *,
    full: bool,
    now: datetime,
) -> _Plan:
    """New events of the app database: ids above the watermark, up to the newest one now."""
    low = 0 if full or watermark is None or watermark.last_id is None else watermark.last_id
    settled = UsageEvent.received_at <= now - LATE_COMMIT_MARGIN
    upper, read, settled_id, settled_at = session.execute(
        select(
            func.max(UsageEvent.id),
            func.count(UsageEvent.id),
            func.max(case((settled, UsageEvent.id))),
            func.max(case((settled, UsageEvent.received_at))),
        ).where(UsageEvent.id > low)
    ).one()
    table = connection.table(UsageEvent.__tablename__)
    events = table.select(*EVENT_COLUMNS)
    if settled_id is None:  # nothing settled yet: stay where the watermark was
        settled_id = low or None
        settled_at = None if full or watermark is None else watermark.last_received_at
    plan = _Plan(events, None, int(read or 0), last_id=settled_id, last_received_at=settled_at)
    if full or low == 0:
        session.execute(delete(UsagePendingDay))  # every day is rolled up anew
        return plan
    if not read:
        pending = _with_pending(session, None)
        return replace(plan, days=pending, events_read=0) if pending is not None else plan
    new = table.filter(table.id > low, table.id <= upper)
    earlier = table.filter(table.id <= low)
    touched = affected_days(new).union(
        first_grouped_days(table, new_events=new, earlier_events=earlier), distinct=True
    )
    return _Plan(
        events,
        _with_pending(session, touched.to_pyarrow()),
        plan.events_read,
        last_id=plan.last_id,
        last_received_at=plan.last_received_at,
    )


def _with_pending(session: Session, touched: pa.Table | None) -> pa.Table | None:
    """Add the days marked for a redo (events attached to an account late) and clear them.

    Cleared in the rollup's own transaction: they stay marked should the run fail.
    """
    pending = session.execute(select(UsagePendingDay.account_key, UsagePendingDay.day)).all()
    if not pending:
        return touched
    session.execute(delete(UsagePendingDay))
    marked = pa.table(
        {
            "account_key": pa.array([p.account_key for p in pending], pa.string()),
            "day": pa.array([p.day for p in pending], pa.date32()),
        }
    )
    if touched is None:
        return marked
    both = pa.concat_tables([touched.select(["account_key", "day"]).cast(marked.schema), marked])
    return both.group_by(["account_key", "day"]).aggregate([])


def _plan_files(
    connection: BaseBackend, path: str, watermark: RollupWatermark | None, *, full: bool
) -> _Plan:
    """New events of files: received (else happened) after the watermark."""
    try:
        events = standard_events(backends.read_files(connection, path))
    except InvalidInput as error:
        raise InvalidInput(f"{path}: {error}") from error
    mark = events["received_at"] if "received_at" in events.columns else events["timestamp"]
    since = None if full or watermark is None else watermark.last_received_at
    new = events if since is None else events.filter(mark > _timestamp_literal(mark, since))
    new_mark = mark if since is None else new[mark.get_name()]
    stats = new.aggregate(read=new.count(), last=new_mark.max()).to_pyarrow().to_pylist()[0]
    last = _aware(stats["last"]) if stats["last"] is not None else since
    days = None if since is None or not stats["read"] else affected_days(new).to_pyarrow()
    base = events.select(*EVENT_COLUMNS)
    return _Plan(base, days, int(stats["read"]), last_received_at=last)


def _timestamp_literal(column: Any, value: datetime) -> Any:
    """A literal comparable with a timestamp column, with or without a time zone."""
    value = value.astimezone(UTC)
    if column.type().timezone is None:
        value = value.replace(tzinfo=None)
    return ibis.literal(value, type=column.type())


# --- what to write -----------------------------------------------------------------------


def _rewrite(session: Session, connection: BaseBackend, plan: _Plan, *, full: bool) -> int:
    """Replace the rollup rows of the planned pairs; return the (account, day) rows written."""
    events = plan.events
    if full:
        for model in ROLLUP_TABLES:
            session.execute(delete(model).execution_options(synchronize_session=False))
    elif plan.days is None:
        # Every event is new (a source's first run): replace every pair it has, if any.
        if not _rollups_empty(session):
            _delete_pairs(session, _pairs(affected_days(events).to_pyarrow()))
    else:
        pairs = _pairs(plan.days)
        if not pairs:
            return 0
        _delete_pairs(session, pairs)
        events = events_on_days(events, ibis.memtable(_with_next_day(plan.days)))
    stream = connection.name in STREAMING_BACKENDS
    written = _insert(session, UsageDaily, daily_accounts(events), stream=stream)
    _insert(session, UsageDailyEvent, daily_events(events), stream=stream)
    _insert(session, UsageActiveUser, daily_active_users(events), stream=stream)
    return written


def _pairs(days: pa.Table) -> list[tuple[str, date]]:
    return list(zip(days["account_key"].to_pylist(), days["day"].to_pylist(), strict=True))


def _rollups_empty(session: Session) -> bool:
    return all(
        session.execute(select(model.id).limit(1)).first() is None for model in ROLLUP_TABLES
    )


def _delete_pairs(session: Session, pairs: Sequence[tuple[str, date]]) -> None:
    # One statement per pair, sent as one batch: each uses the (account_key, day) index,
    # where SQLite scans the whole table for a `(account_key, day) IN (VALUES …)`.
    params = [{"key": key, "day": day} for key, day in pairs]
    for model in ROLLUP_TABLES:
        table: Any = model.__table__
        statement = delete(table).where(
            table.c.account_key == bindparam("key"), table.c.day == bindparam("day")
        )
        session.execute(statement, params)


def _with_next_day(days: pa.Table) -> pa.Table:
    """The pairs with the day after each day: the end of the day's time range."""
    next_days = [day + timedelta(days=1) for day in days["day"].to_pylist()]
    return days.append_column("next_day", pa.array(next_days, type=pa.date32()))


def _insert(session: Session, model: type[Any], rollup: Table, *, stream: bool) -> int:
    """Write a rollup's rows in chunks as they come back; return how many."""
    table = model.__table__
    names = [c.name for c in table.columns if c.name != "id"]
    expression = rollup.select(*names)
    batches = (
        expression.to_pyarrow_batches(chunk_size=WRITE_CHUNK)
        if stream
        else expression.to_pyarrow().to_batches(max_chunksize=WRITE_CHUNK)
    )
    written = 0
    for rows in _rows(batches, names):
        session.execute(table.insert(), rows)
        written += len(rows)
    return written


def _rows(batches: Iterable[pa.RecordBatch], names: list[str]) -> Iterator[list[dict[str, Any]]]:
    for batch in batches:
        columns = [batch.column(name).to_pylist() for name in names]
        if "last_seen_at" in names:
            at = names.index("last_seen_at")
            columns[at] = [_aware(value) for value in columns[at]]
        if columns and columns[0]:
            yield [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _aware(value: datetime) -> datetime:
    """Arrow gives naive times for columns without a zone: those are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
