"""Ingestion through /v1/batch into PostgreSQL, beside PostgreSQL COPY of the same rows.

Run: scripts/with-postgres.sh .venv/bin/python -m bench.bench_ingest [--events 200000]

The server (`headway serve`, one uvicorn process) and the senders (threads posting batches of
500 messages, as segment-analytics-python does) share the machine's two cores. COPY writes the
rows /v1/batch stores (the same columns, payload included) into a fresh database: the floor
of what PostgreSQL can take. Besides wall time each path's CPU time is counted per process
(the server; PostgreSQL: the postmaster, its backends, and those it has reaped; the sending
side), which shared cores disturb far less. Prints one table; the figures go to
bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.common import fresh_postgres_database
from headway.core.audit import Actor
from headway.core.db import upgrade_schema
from headway.users.models import Role, Scope
from headway.users.service import create_api_key, create_user

EVENTS = ("Signed In", "Dashboard Viewed", "Report Created", "Report Shared", "Export Downloaded")
BATCH = 500
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Run:
    """One path's wall time and CPU seconds (server, PostgreSQL, sending side)."""

    seconds: float
    server_cpu: float
    postgres_cpu: float
    client_cpu: float
    stored: int = 0
    duplicates: int = 0


def process_cpu(pid: int, *, reaped: bool = False) -> float:
    """CPU seconds of a process (with its reaped children's when asked)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if reaped:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / TICKS


def postgres_cpu(url: str) -> float:
    """CPU seconds the PostgreSQL server has used so far: postmaster, backends, reaped ones."""
    engine = create_engine(url)
    with engine.connect() as connection:
        data = connection.scalar(text("SHOW data_directory"))
    engine.dispose()
    postmaster = int(Path(f"{data}/postmaster.pid").read_text().split()[0])
    total = process_cpu(postmaster, reaped=True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rpartition(")")[2].split()
                if int(stat[1]) == postmaster:
                    total += process_cpu(int(entry.name))
            except (OSError, ValueError):
                continue  # gone meanwhile
    return total


def messages(count: int) -> list[dict[str, object]]:
    """Track messages as a tracking library sends them: ids, times, properties, context."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        {
            "type": "track",
            "messageId": f"bench-{n:09d}",
            "event": EVENTS[n % len(EVENTS)],
            "userId": f"user-{n % 20_000}",
            "timestamp": (start + timedelta(seconds=n * 7)).isoformat(),
            "properties": {"plan": "Team", "items": n % 13},
            "context": {"groupId": f"A{n % 2_000:06d}", "library": {"name": "bench"}},
        }
        for n in range(count)
    ]


def ingest_key(url: str) -> str:
    engine = create_engine(url)
    with Session(engine) as session:
        actor = Actor(kind="system", label="bench")
        owner = create_user(
            session=session,
            actor=actor,
            email="bench@example.test",
            name="Bench",
            role=Role.ADMIN,
            password="bench-password-1",
        )
        _key, secret = create_api_key(
            session=session, actor=actor, user=owner, name="bench", scopes=[Scope.INGEST]
        )
    engine.dispose()
    return secret


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def send_over_http(url: str, key: str, rows: list[dict[str, object]], senders: int) -> Run:
    """Post the rows in batches from sender threads; wall and CPU time, stored, duplicates."""
    environment = {**os.environ, "HEADWAY_DATABASE_URL": url, "HEADWAY_SECRET_KEY": "b" * 40}
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "headway.cli", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            if server.poll() is not None:
                raise SystemExit(f"headway serve stopped with status {server.returncode}")
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit("headway serve did not answer within 60 s")
        batches = [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]

        with httpx.Client(auth=(key, ""), timeout=120) as client:

            def post(batch: list[dict[str, object]]) -> tuple[int, int]:
                response = client.post(f"{base}/v1/batch", json={"batch": batch})
                response.raise_for_status()
                answer = response.json()
                return int(answer["stored"]), int(answer["duplicates"])

            cpu = (process_cpu(server.pid), postgres_cpu(url), time.process_time())
            start = time.perf_counter()
            with ThreadPoolExecutor(senders) as pool:
                answers = list(pool.map(post, batches))
            seconds = time.perf_counter() - start
            return Run(
                seconds,
                server_cpu=process_cpu(server.pid) - cpu[0],
                postgres_cpu=postgres_cpu(url) - cpu[1],
                client_cpu=time.process_time() - cpu[2],
                stored=sum(a[0] for a in answers),
                duplicates=sum(a[1] for a in answers),
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


def copy_rows(url: str, rows: list[dict[str, object]]) -> Run:
    """COPY the rows /v1/batch would store; wall and CPU time."""
    received = datetime.now(UTC)
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    cpu = (postgres_cpu(url), time.process_time())
    start = time.perf_counter()
    with psycopg.connect(conninfo) as connection, connection.cursor() as cursor:
        columns = "message_id, type, event, user_id, user_key, account_key, timestamp, "
        columns += "received_at, payload"
        with cursor.copy(f"COPY usage_events ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    (
                        row["messageId"],
                        row["type"],
                        row["event"],
                        row["userId"],
                        row["userId"],
                        row["context"]["groupId"],  # type: ignore[index]
                        row["timestamp"],
                        received,
                        json.dumps(row),
                    )
                )
        connection.commit()
    seconds = time.perf_counter() - start
    return Run(
        seconds,
        server_cpu=0.0,
        postgres_cpu=postgres_cpu(url) - cpu[0],
        client_cpu=time.process_time() - cpu[1],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--senders", type=int, default=2)
    args = parser.parse_args()
    rows = messages(args.events)

    http_url = fresh_postgres_database("headway_bench_ingest")
    upgrade_schema(http_url)
    key = ingest_key(http_url)  # one key for both runs: its owner's email is unique
    quarter = len(rows) // 4
    sent = send_over_http(http_url, key, rows, args.senders)
    resent = send_over_http(http_url, key, rows[:quarter], args.senders)
    if (sent.stored, resent.stored, resent.duplicates) != (len(rows), 0, quarter):
        raise SystemExit(
            f"expected {len(rows):,} stored then {quarter:,} duplicates; got {sent.stored:,} "
            f"stored, then {resent.stored:,} stored and {resent.duplicates:,} duplicates"
        )

    copy_url = fresh_postgres_database("headway_bench_copy")
    upgrade_schema(copy_url)
    copied = copy_rows(copy_url, rows)

    size = len(json.dumps(rows)) / len(rows)
    print(f"{args.events:,} track messages (~{size:.0f} bytes each), batches of {BATCH}, ")
    print(f"{args.senders} sender threads, server and senders on one 2-core machine\n")
    print("| path | seconds | events/s | CPU s: server / PostgreSQL / sender | events/CPU s |")
    print("| --- | ---: | ---: | --- | ---: |")
    paths = [
        ("POST /v1/batch", sent, len(rows)),
        ("the first quarter re-sent (all duplicates)", resent, quarter),
        ("COPY of the same rows", copied, len(rows)),
    ]
    for name, run, count in paths:
        cpu = run.server_cpu + run.postgres_cpu + run.client_cpu
        print(
            f"| {name} | {run.seconds:.1f} | {count / run.seconds:,.0f} | "
            f"{run.server_cpu:.1f} / {run.postgres_cpu:.1f} / {run.client_cpu:.1f} | "
            f"{count / cpu:,.0f} |"
        )
    http_cpu = sent.server_cpu + sent.postgres_cpu + sent.client_cpu
    copy_cpu = copied.postgres_cpu + copied.client_cpu
    print(
        f"\n/v1/batch takes {sent.seconds / copied.seconds:.1f}× as long as COPY "
        f"and {http_cpu / copy_cpu:.1f}× its CPU."
    )


if __name__ == "__main__":
    main()
