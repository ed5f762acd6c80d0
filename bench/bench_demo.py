"""The demo company at 100 k accounts: time and peak memory, into SQLite and as bulk files.

Run: .venv/bin/python -m bench.bench_demo                 (SQLite file, --out files, generation)
     scripts/with-postgres.sh .venv/bin/python -m bench.bench_demo --postgres   (adds PostgreSQL)
Each case runs in a fresh process, so its peak memory is its own. Prints one table; the
figures go to bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from typing import Any

from bench.common import OUT_DIR, fresh_postgres_database, fresh_sqlite_database, peak_rss_mb

ACCOUNTS = 100_000
SEED = 1
AS_OF = date(2026, 6, 30)
CASES = {
    "generate": "generate the company in memory (no writing)",
    "sqlite": "generate into a fresh SQLite file",
    "files": "generate with --out (CSV + Parquet)",
    "postgres": "generate into a fresh PostgreSQL database",
}


def run_case(case: str, accounts: int) -> dict[str, object]:
    """Run one case in this process; return its figures."""
    from headway.core.audit import Actor
    from headway.demo.company import generate_company

    started = time.perf_counter()
    summary: dict[str, Any]
    if case == "generate":
        summary = dict(generate_company(seed=SEED, as_of=AS_OF, accounts=accounts).summary())
    elif case == "files":
        from headway.demo.service import write_demo_files

        folder = OUT_DIR / "demo_files"
        shutil.rmtree(folder, ignore_errors=True)
        report = write_demo_files(out_dir=folder, seed=SEED, accounts=accounts, as_of=AS_OF)
        summary = report.as_dict()
        summary["megabytes"] = round(sum(f.stat().st_size for f in folder.iterdir()) / 1e6, 1)
    else:
        import headway.tables  # noqa: F401
        from headway.core.console import command_session
        from headway.demo.service import generate_demo

        with command_session():
            pass  # the schema is created before timing starts
        started = time.perf_counter()
        with command_session() as session:
            summary = generate_demo(
                session=session,
                actor=Actor.system("bench"),
                seed=SEED,
                accounts=accounts,
                as_of=AS_OF,
                usage=False,  # usage at scale: `headway demo events` (bench_demo_events)
            ).as_dict()
    return {
        "case": case,
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mb": peak_rss_mb(),
        "accounts": summary["accounts"],
        "contacts": summary["contacts"],
        "subscriptions": summary["subscriptions"],
        "stage_changes": summary["stage_changes"],
        **({"megabytes": summary["megabytes"]} if "megabytes" in summary else {}),
    }


def run_in_child(case: str, accounts: int) -> dict[str, object]:
    """Run one case in a fresh interpreter, so peak memory is measured per case."""
    env = dict(os.environ)
    if case == "sqlite":
        env["HEADWAY_DATABASE_URL"] = fresh_sqlite_database("bench_demo")
    elif case == "postgres":
        env["HEADWAY_DATABASE_URL"] = fresh_postgres_database("bench_demo")
    output = subprocess.run(
        [sys.executable, "-m", "bench.bench_demo", "--case", case, "--accounts", str(accounts)],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    parser.add_argument("--case", choices=list(CASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.accounts)))
        return
    cases = ["generate", "sqlite", "files"] + (["postgres"] if args.postgres else [])
    results = [run_in_child(case, args.accounts) for case in cases]
    print(json.dumps(results, indent=2))
    first = results[0]
    print(
        f"\n{first['accounts']:,} accounts, {first['contacts']:,} contacts, "
        f"{first['subscriptions']:,} subscriptions, {first['stage_changes']:,} stage changes\n"
    )
    print("| case | seconds | peak memory (MB) |")
    print("| --- | --- | --- |")
    for result in results:
        print(f"| {CASES[str(result['case'])]} | {result['seconds']} | {result['peak_rss_mb']} |")


if __name__ == "__main__":
    main()
