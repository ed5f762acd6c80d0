"""Product usage at benchmark scale: the demo's accounts and their events as Parquet files.

`headway demo events --accounts 100000 --events 20000000 --out DIR` writes accounts.csv and
subscriptions.csv (the canonical import columns, as `demo generate --out` does) and one
Parquet file of events per month, `events-YYYY-MM.parquet`, in the columns the app stores
(message_id, type, event, user_id, anonymous_id, user_key, account_key, session_id,
timestamp, received_at). The events follow the database demo's usage model (usage_model.py),
drawn event by event rather than user by user and scaled to the number asked for.

Memory stays flat in the number of events: only the customer base (its accounts,
subscriptions and lives) is held; each month is drawn for a chunk of accounts at a time,
and written in row groups of about ROW_GROUP_ROWS events as they fill.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from headway.demo.bulk import Progress, no_progress
from headway.demo.company import generate_customer_base, stream
from headway.demo.files import write_base_files
from headway.demo.usage import ACTIVE_CHANCE, EXTRA_SESSIONS, WORKDAY_HOURS
from headway.demo.usage_model import (
    AFTER_ONBOARDING,
    DASHBOARD_VIEWED,
    EVENT_RATES,
    EVENTS,
    REPORT_CREATED,
    SIGNED_IN,
    AccountDays,
    UsageProfiles,
    account_days,
    profiles_of,
)

ACCOUNTS_PER_CHUNK = 2_000
SAMPLE_ACCOUNTS = 10_000
ROW_GROUP_ROWS = 250_000
# Dictionaries for the repetitive columns only: unique ids gain nothing from them.
DICTIONARY_COLUMNS = ["type", "event", "user_id", "anonymous_id", "user_key", "account_key"]
# Share of events sent before sign-in (an anonymousId only), and of events that arrive late.
ANONYMOUS_SHARE = 0.03
LATE_SHARE = 0.005
DELIVERY_SECONDS = (1, 90)
LATE_SECONDS = (3_600, 3 * 86_400)
# Which events an active user sends, in proportion: a session's sign-in, then the rest.
EVENT_WEIGHTS = np.where(np.arange(len(EVENTS)) == SIGNED_IN, 1 + EXTRA_SESSIONS, EVENT_RATES)
EVENT_WEIGHTS = EVENT_WEIGHTS * AFTER_ONBOARDING
EVENT_SCHEMA = pa.schema(
    [
        ("message_id", pa.string()),
        ("type", pa.string()),
        ("event", pa.string()),
        ("user_id", pa.string()),
        ("anonymous_id", pa.string()),
        ("user_key", pa.string()),
        ("account_key", pa.string()),
        ("session_id", pa.string()),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("received_at", pa.timestamp("us", tz="UTC")),
    ]
)


@dataclass(frozen=True)
class EventsReport:
    """What an events run wrote and how long it took."""

    seed: int
    as_of: date
    accounts: int
    events: int
    seconds: float
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The report as plain data, for --json."""
        return {
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "accounts": self.accounts,
            "events": self.events,
            "seconds": round(self.seconds, 2),
            "files": self.files,
        }


def write_event_files(
    *,
    out_dir: Path,
    seed: int,
    accounts: int,
    events: int,
    as_of: date,
    progress: Progress = no_progress,
) -> EventsReport:
    """Write the accounts and about `events` events over their three years into out_dir."""
    if events < 1:
        raise ValueError("at least one event is needed")
    started = time.perf_counter()
    base = generate_customer_base(seed=seed, as_of=as_of, accounts=accounts)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = write_base_files(base, out_dir)
    profiles = profiles_of(base)
    scale = events / _expected_events(profiles)
    rng = stream(seed, "usage at scale")
    keys = pa.array(base.accounts.external_id.tolist(), type=pa.string())
    written = 0
    for first, count, name in _months(profiles):
        path = out_dir / f"events-{name}.parquet"
        with pq.ParquetWriter(
            path, EVENT_SCHEMA, compression="zstd", use_dictionary=DICTIONARY_COLUMNS
        ) as writer:
            pending: list[pa.Table] = []
            for low in range(0, len(profiles), ACCOUNTS_PER_CHUNK):
                high = min(low + ACCOUNTS_PER_CHUNK, len(profiles))
                days = account_days(profiles, low, high, first, count)
                table = _draw_events(rng, profiles, days, low, scale, keys, seed, written)
                written += table.num_rows
                pending.append(table)
                if sum(t.num_rows for t in pending) >= ROW_GROUP_ROWS:
                    writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_ROWS)
                    pending = []
                progress("events", min(written, events), events)
            if pending:
                writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_ROWS)
        paths.append(path)
    progress("events", events, events)
    return EventsReport(
        seed=seed,
        as_of=as_of,
        accounts=accounts,
        events=written,
        seconds=time.perf_counter() - started,
        files=[str(p) for p in paths],
    )


def _rate(days: AccountDays) -> np.ndarray:
    """Expected events per account and day, before scaling: engaged users × their activity."""
    return days.seats * days.engaged * days.intensity * days.weekday * ACTIVE_CHANCE


def _expected_events(profiles: UsageProfiles) -> float:
    """The model's events over the whole history, to scale to the number asked for.

    Accounts are drawn alike whatever their number, so the first SAMPLE_ACCOUNTS of them
    tell the total well enough (about 1 % off at 100,000 accounts) at a tenth of the work.
    """
    count = profiles.last_day - profiles.first_day + 1
    sample = min(len(profiles), SAMPLE_ACCOUNTS)
    total = 0.0
    for low in range(0, sample, ACCOUNTS_PER_CHUNK):
        high = min(low + ACCOUNTS_PER_CHUNK, sample)
        total += float(_rate(account_days(profiles, low, high, profiles.first_day, count)).sum())
    return max(total * len(profiles) / sample, 1e-9)


def _months(profiles: UsageProfiles) -> Iterator[tuple[int, int, str]]:
    """(first day, days, YYYY-MM) of each month of the history."""
    first = np.datetime64(profiles.first_day, "D")
    month = first.astype("datetime64[M]")
    last = np.datetime64(profiles.last_day, "D")
    while month <= last.astype("datetime64[M]"):
        start = max(month.astype("datetime64[D]"), first)
        end = min((month + 1).astype("datetime64[D]") - 1, last)
        yield int(start.astype(np.int64)), int((end - start).astype(np.int64)) + 1, str(month)
        month += 1


def _draw_events(
    rng: np.random.Generator,
    profiles: UsageProfiles,
    days: AccountDays,
    low: int,
    scale: float,
    keys: pa.Array,
    seed: int,
    numbered: int,
) -> pa.Table:
    """The events of a chunk of accounts over some days, one row each, by time."""
    per_cell = rng.poisson(_rate(days) * scale)
    row, column = np.nonzero(per_cell)
    repeat = per_cell[row, column]
    row, column = np.repeat(row, repeat), np.repeat(column, repeat)
    n = len(row)
    account = row + low
    day = days.first_day + column
    # Users: the account's engaged seats, the first ones the busiest.
    engaged = np.maximum(1, np.round(days.seats * days.engaged)[row, column]).astype(np.int64)
    seat = np.minimum(np.floor(engaged * rng.random(n) ** 2), engaged - 1).astype(np.int64)
    weights = EVENT_WEIGHTS / EVENT_WEIGHTS.sum()
    event = np.searchsorted(np.cumsum(weights), rng.random(n) * (1 - 1e-12))
    too_early = (event == REPORT_CREATED) & (day < profiles.value_day[account])
    event[too_early] = DASHBOARD_VIEWED
    second = profiles.workday_start[account] * 3_600 + rng.integers(
        0, (WORKDAY_HOURS + 2) * 3_600, n
    )
    second = np.minimum(second, 86_399)
    moment = (day * 86_400 + second).astype(np.int64)
    late = rng.random(n) < LATE_SHARE
    delay = np.where(
        late, rng.integers(*LATE_SECONDS, n), rng.integers(*DELIVERY_SECONDS, n, endpoint=True)
    )
    anonymous = rng.random(n) < ANONYMOUS_SHARE
    order = np.argsort(moment, kind="stable")
    account, day, seat, event = account[order], day[order], seat[order], event[order]
    moment, delay, anonymous = moment[order], delay[order], anonymous[order]

    users = pc.binary_join_element_wise(
        "usr_", _padded(account + 1, 6), "_", _padded(seat + 1, 4), ""
    )
    devices = pc.binary_join_element_wise(
        "anon_", _padded(account + 1, 6), "_", _padded(seat + 1, 4), ""
    )
    user_id = pc.if_else(pa.array(anonymous), pa.nulls(n, pa.string()), users)
    anonymous_id = pc.if_else(pa.array(anonymous), devices, pa.nulls(n, pa.string()))
    user_key = pc.if_else(pa.array(anonymous), devices, users)
    numbers = np.arange(numbered + 1, numbered + n + 1, dtype=np.int64)
    return pa.table(
        {
            "message_id": pc.binary_join_element_wise(f"demo-{seed}-", _padded(numbers, 10), ""),
            "type": pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n, dtype=np.int8)), pa.array(["track"])
            ).cast(pa.string()),
            "event": pc.take(pa.array(EVENTS, type=pa.string()), pa.array(event)),
            "user_id": user_id,
            "anonymous_id": anonymous_id,
            "user_key": user_key,
            "account_key": pc.take(keys, pa.array(account)),
            "session_id": pc.binary_join_element_wise(
                user_key, pc.cast(pa.array(day), pa.string()), "-"
            ),
            "timestamp": pa.array(moment * 1_000_000, type=pa.timestamp("us", tz="UTC")),
            "received_at": pa.array(
                (moment + delay) * 1_000_000, type=pa.timestamp("us", tz="UTC")
            ),
        },
        schema=EVENT_SCHEMA,
    )


def _padded(numbers: np.ndarray, width: int) -> pa.Array:
    """Whole numbers as text, zero-padded to a width."""
    return pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")
