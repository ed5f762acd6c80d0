"""What the benchmarks share: databases to run on, timing and peak memory."""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

OUT_DIR = Path(__file__).resolve().parent / "out"


def server_url() -> str | None:
    """The PostgreSQL server to benchmark on (scripts/with-postgres.sh sets the test one)."""
    return os.environ.get("HEADWAY_BENCH_DATABASE_URL") or os.environ.get(
        "HEADWAY_TEST_DATABASE_URL"
    )


def fresh_postgres_database(name: str) -> str:
    """Create (or re-create) an empty database on the benchmark server; return its URL."""
    base = server_url()
    if not base:
        raise SystemExit("set HEADWAY_BENCH_DATABASE_URL, or run under scripts/with-postgres.sh")
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def fresh_sqlite_database(name: str) -> str:
    """Return the URL of a new, empty SQLite file under bench/out/."""
    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def timings_ms(call: Callable[[], object], *, warmup: int = 3, runs: int = 15) -> dict[str, float]:
    """Call something repeatedly; return the median and 90th percentile in milliseconds."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p90_ms": round(samples[int(0.9 * (len(samples) - 1))], 1),
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
