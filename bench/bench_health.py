"""Health recompute from Parquet events: rollups + scores, beside a plain DuckDB scan-and-group.

Run: .venv/bin/python -m bench.bench_health [--accounts 100000] [--events 20000000]
     scripts/with-postgres.sh .venv/bin/python -m bench.bench_health --database postgres

The events, accounts and subscriptions come from `headway demo events` (three years of the
demo's usage model, one Parquet file per month), kept under bench/out/ for later runs. The
events received on their last day are held back as "the new day". Steps, in one process:

1. setup (not measured as recompute): a fresh app database; the accounts' owners, then the
   accounts and subscriptions imported from the generator's CSVs;
2. the baseline: DuckDB alone groups every event by account and day (count, distinct users);
3. the rollup expressions alone on DuckDB, to Arrow (nothing written: DuckDB's share of the
   rollup); then the full recompute: `rollup_usage(source="duckdb", full=True)` (the same
   plus writing the three rollup tables) and `score_accounts` for the day before the new day;
4. the incremental recompute: the new day's file joins the others; `rollup_usage` reads
   past its watermark, recomputes the (account, day) pairs it touches, and the new day is
   scored;
5. the baseline again (now with the new day), and a check that the daily rollup holds as
   many (account, day) rows and events as DuckDB counts.

Peak memory is sampled per step (the process's resident set, every 20 ms). Prints one
table; the figures go to bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from bench.bench_import import create_owners
from bench.bench_ingest import postgres_cpu
from bench.common import OUT_DIR, fresh_postgres_database, fresh_sqlite_database

AS_OF = "2026-06-30"
SEED = 1
BASELINE_SQL = (
    "SELECT account_key, date_trunc('day', timestamp) AS day, count(*) AS events, "
    "count(DISTINCT user_key) AS users FROM read_parquet('{files}') GROUP BY ALL"
)
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Step:
    """One measured step: what it did, how long, the highest resident memory meanwhile."""

    name: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process's threads (DuckDB's too) and the database server's
    peak_mb: float = 0.0
    rows: str = ""


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE_BYTES / 2**20


@contextmanager
def measured(steps: list[Step], server_cpu: Callable[[], float], name: str) -> Iterator[Step]:
    """Time a step (wall, and CPU here and in the database server); sample memory meanwhile."""
    step = Step(name)
    peak = [rss_mb()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start, cpu_start = time.perf_counter(), time.process_time() + server_cpu()
    try:
        yield step
    finally:
        step.seconds = time.perf_counter() - start
        step.cpu_seconds = time.process_time() + server_cpu() - cpu_start
        done.set()
        sampler.join()
        step.peak_mb = max(peak[0], rss_mb())
        steps.append(step)
        print(
            f"  {name}: {step.seconds:.1f} s (CPU {step.cpu_seconds:.1f} s), "
            f"{step.peak_mb:,.0f} MB, {step.rows}",
            flush=True,
        )


# --- the files -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Files:
    folder: Path
    events_glob: str  # the monthly files (and, once added, the new day's)
    held: Path  # the new day's events, outside the glob until the incremental step
    added: Path  # where the new day's file goes to join the glob
    new_day: date
    events: int
    held_events: int


def generate(folder: Path, accounts: int, events: int) -> float:
    """Write the demo's accounts, subscriptions and events unless an earlier run did."""
    marker = folder / "generated.json"
    if marker.exists():
        return float(json.loads(marker.read_text())["seconds"])
    shutil.rmtree(folder, ignore_errors=True)
    command = [sys.executable, "-m", "headway.cli", "demo", "events", "--out", str(folder)]
    command += ["--accounts", str(accounts), "--events", str(events), "--seed", str(SEED)]
    command += ["--as-of", AS_OF, "--json"]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    marker.write_text(json.dumps({"seconds": round(seconds, 1)}))
    return seconds


def split_new_day(folder: Path) -> Files:
    """Hold back the events received on the last day of events; the rest is history.

    The history keeps the generator's monthly files, the last month's rewritten without the
    held events (under split/, so the generator's files stay as written).
    """
    months = sorted(folder.glob("events-*.parquet"))
    split, held = folder / "split", folder / "held" / "events-new-day.parquet"
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    last = connection.execute(
        f"SELECT max(timestamp)::DATE::VARCHAR FROM read_parquet('{folder}/events-*.parquet')"
    ).fetchone()
    assert last is not None
    new_day = date.fromisoformat(last[0])
    shutil.rmtree(split, ignore_errors=True)
    split.mkdir()
    held.parent.mkdir(exist_ok=True)
    cutoff = f"TIMESTAMPTZ '{new_day.isoformat()} 00:00:00+00'"
    for month in months:
        target = split / month.name
        rows = connection.execute(
            f"SELECT count(*) FROM read_parquet('{month}') WHERE received_at >= {cutoff}"
        ).fetchone()
        if rows is not None and rows[0]:
            connection.execute(
                f"COPY (SELECT * FROM read_parquet('{month}') WHERE received_at < {cutoff}) "
                f"TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
            )
        else:
            os.link(month, target)
    connection.execute(
        f"COPY (SELECT * FROM read_parquet('{folder}/events-*.parquet') "
        f"WHERE received_at >= {cutoff} ORDER BY received_at) "
        f"TO '{held}' (FORMAT parquet, COMPRESSION zstd)"
    )
    connection.close()
    total = sum(pq.ParquetFile(m).metadata.num_rows for m in months)
    return Files(
        folder=folder,
        events_glob=str(split / "events-*.parquet"),
        held=held,
        added=split / f"events-{new_day.isoformat()}.parquet",
        new_day=new_day,
        events=total,
        held_events=pq.ParquetFile(held).metadata.num_rows,
    )


# --- the steps -------------------------------------------------------------------------------


def setup_database(kind: str, files: Files, accounts: int) -> tuple[str, float]:
    """A fresh app database with the generator's accounts and subscriptions; its URL."""
    import headway.tables  # noqa: F401
    from headway.core.audit import Actor
    from headway.core.db import session_scope, upgrade_schema
    from headway.importers.service import import_file

    if kind == "postgres":
        url = fresh_postgres_database(f"bench_health_{accounts}")
    else:
        url = fresh_sqlite_database(f"health-{accounts}")
    start = time.perf_counter()
    upgrade_schema(url)
    create_owners(url, files.folder / "accounts.csv")
    for name in ("accounts", "subscriptions"):
        with session_scope(url) as session:
            result = import_file(
                session=session,
                actor=Actor.system("benchmark"),
                permissions=None,
                kind=name,
                path=files.folder / f"{name}.csv",
            )
        if not result.ok:
            raise SystemExit(f"{name} import failed: {[str(e) for e in result.errors[:5]]}")
    return url, time.perf_counter() - start


def baseline(files_glob: str) -> int:
    """DuckDB alone: every event grouped by account and day; the groups it returns."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    table = connection.sql(BASELINE_SQL.format(files=files_glob)).to_arrow_table()
    connection.close()
    return int(table.num_rows)


def rollup_expressions(files_glob: str) -> tuple[int, int, int]:
    """The rollups' Ibis expressions alone on DuckDB, results to Arrow: rows of each table."""
    from headway.analytics import backends
    from headway.analytics.rollups import (
        daily_accounts,
        daily_active_users,
        daily_events,
        standard_events,
    )

    connection = backends.connect_duckdb()
    events = standard_events(backends.read_files(connection, files_glob))
    accounts, names, users = (
        int(rollup(events).to_pyarrow().num_rows)
        for rollup in (daily_accounts, daily_events, daily_active_users)
    )
    connection.disconnect()
    return accounts, names, users


def in_session(url: str, work: Callable[[Any], Any]) -> Any:
    from headway.core.db import session_scope

    with session_scope(url) as session:
        return work(session)


def rollup(url: str, files_glob: str, *, full: bool) -> Any:
    from headway.usage.rollup import rollup_usage

    return in_session(
        url, lambda s: rollup_usage(session=s, source="duckdb", path=files_glob, full=full)
    )


def score(url: str, day: date) -> int:
    from headway.health.scores import score_accounts

    return int(in_session(url, lambda s: score_accounts(session=s, as_of=day)))


def rollup_totals(url: str) -> tuple[int, int]:
    from sqlalchemy import func, select

    from headway.usage.models import UsageDaily

    row = in_session(
        url, lambda s: s.execute(select(func.count(), func.sum(UsageDaily.events))).one()
    )
    return int(row[0]), int(row[1] or 0)


def event_total(files_glob: str) -> int:
    """Events DuckDB counts as activity of an account (what the daily rollup sums)."""
    connection = duckdb.connect()
    found = connection.execute(
        f"SELECT count(*) FROM read_parquet('{files_glob}') WHERE account_key IS NOT NULL "
        "AND type IN ('page', 'screen', 'track')"
    ).fetchone()
    connection.close()
    return int(found[0]) if found else 0


# --- the run ---------------------------------------------------------------------------------


def run(kind: str, accounts: int, events: int) -> None:
    folder = OUT_DIR / f"health-{accounts}-{events}"
    generated = generate(folder, accounts, events)
    files = split_new_day(folder)
    print(
        f"{files.events:,} events of {accounts:,} accounts from `headway demo events` "
        f"(seed {SEED}, as of {AS_OF}; {generated:.0f} s to write once); new day "
        f"{files.new_day}: {files.held_events:,} events received that day or later",
        flush=True,
    )
    files.added.unlink(missing_ok=True)
    url, setup_seconds = setup_database(kind, files, accounts)
    print(f"  setup ({kind}: owners, accounts, subscriptions): {setup_seconds:.1f} s", flush=True)

    steps: list[Step] = []
    server = partial(postgres_cpu, url) if kind == "postgres" else float  # float() is 0.0
    with measured(steps, server, "DuckDB scan-and-group (baseline)") as step:
        step.rows = f"{baseline(files.events_glob):,} groups"
    with measured(steps, server, "rollup expressions on DuckDB, to Arrow (no write)") as step:
        counts = rollup_expressions(files.events_glob)
        step.rows = " / ".join(f"{c:,}" for c in counts)
    with measured(steps, server, "full: rollup_usage (DuckDB, full=True; writes rollups)") as step:
        full_run = rollup(url, files.events_glob, full=True)
        step.rows = f"{full_run.events_read:,} events, {full_run.days_written:,} days"
    day_before = files.new_day - timedelta(days=1)
    with measured(steps, server, f"full: score_accounts ({day_before})") as step:
        step.rows = f"{score(url, day_before):,} scores"
    shutil.copyfile(files.held, files.added)
    with measured(steps, server, "incremental: rollup_usage (the new day's file)") as step:
        new_run = rollup(url, files.events_glob, full=False)
        step.rows = f"{new_run.events_read:,} events, {new_run.days_written:,} days"
    with measured(steps, server, f"incremental: score_accounts ({files.new_day})") as step:
        step.rows = f"{score(url, files.new_day):,} scores"
    with measured(steps, server, "DuckDB scan-and-group again (with the new day)") as step:
        groups = baseline(files.events_glob)
        step.rows = f"{groups:,} groups"

    days, summed = rollup_totals(url)
    expected = event_total(files.events_glob)
    if (days, summed) != (groups, expected):
        raise SystemExit(
            f"the daily rollup has {days:,} rows and {summed:,} events; DuckDB counts "
            f"{groups:,} groups and {expected:,} events"
        )
    report(kind, accounts, files, steps)


def report(kind: str, accounts: int, files: Files, steps: list[Step]) -> None:
    base = [s for s in steps if s.name.startswith("DuckDB")]
    expressions = next(s for s in steps if s.name.startswith("rollup expressions"))
    full = [s for s in steps if s.name.startswith("full")]
    incremental = [s for s in steps if s.name.startswith("incremental")]
    database = "SQLite" if kind == "sqlite" else "PostgreSQL"
    print(f"\n{database}, {accounts:,} accounts, {files.events:,} events\n")
    print("| step | seconds | CPU seconds | peak RSS (MB) | rows |")
    print("| --- | ---: | ---: | ---: | --- |")
    for step in steps:
        print(
            f"| {step.name} | {step.seconds:.1f} | {step.cpu_seconds:.1f} | "
            f"{step.peak_mb:,.0f} | {step.rows} |"
        )
    totals = {"full": full, "incremental": incremental}
    for label, parts in totals.items():
        wall, cpu = sum(s.seconds for s in parts), sum(s.cpu_seconds for s in parts)
        print(f"| {label} recompute (rollup + scores) | {wall:.1f} | {cpu:.1f} | | |")

    def ratio(attribute: str) -> str:
        floor = min(getattr(s, attribute) for s in base)
        full_total = sum(getattr(s, attribute) for s in full)
        new_total = sum(getattr(s, attribute) for s in incremental)
        return (
            f"full ÷ DuckDB {full_total / floor:.1f}×, full rollup ÷ DuckDB "
            f"{getattr(full[0], attribute) / floor:.1f}×, rollup expressions ÷ DuckDB "
            f"{getattr(expressions, attribute) / floor:.1f}×, incremental ÷ full "
            f"{new_total / full_total:.2f}"
        )

    print(f"\nwall: {ratio('seconds')}\nCPU:  {ratio('cpu_seconds')}")
    per_event = sum(s.cpu_seconds for s in full) / files.events * 1e6
    print(f"full recompute: {per_event:.1f} µs of CPU per event")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    run(args.database, args.accounts, args.events)


if __name__ == "__main__":
    main()
