"""Import 100 k accounts (with their contacts) and their subscriptions from CSV: time, peak memory.

Run: .venv/bin/python -m bench.bench_import                      (SQLite only)
     scripts/with-postgres.sh .venv/bin/python -m bench.bench_import   (SQLite and PostgreSQL)
     HEADWAY_BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python -m bench.bench_import
Each import runs in its own process, so each peak RSS is that import's alone ("baseline" is the
process before the import: Python and the libraries). The CSVs come from `headway demo generate
--out` when that command exists; `--builtin` uses the generator below instead (3 subscriptions per
account, so 300 k, and no contacts). The owners the accounts name are created as users first.
Prints one table; the figures go to bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from bench.common import (
    OUT_DIR,
    fresh_postgres_database,
    fresh_sqlite_database,
    peak_rss_mb,
    server_url,
)

ACCOUNTS = 100_000
SUBSCRIPTIONS_PER_ACCOUNT = 3
PLANS = [("Starter", "49"), ("Team", "199"), ("Business", "899.50"), ("Enterprise", "4200")]
INDUSTRIES = ["Software", "Manufacturing", "Retail", "Healthcare", "Finance", "Logistics"]


def generate_builtin(folder: Path, accounts: int, seed: int = 1) -> dict[str, Path]:
    """Write accounts.csv and subscriptions.csv with the canonical columns (deterministic)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    accounts_path, subscriptions_path = folder / "accounts.csv", folder / "subscriptions.csv"
    with accounts_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["account_id", "name", "domain", "industry", "employees", "parent_account_id", "Region"]
        )
        for number in range(1, accounts + 1):
            # One account in twenty belongs to a group whose head comes earlier in the file.
            parent = (
                f"A{rng.randint(1, number - 1):06d}" if number > 1 and rng.random() < 0.05 else ""
            )
            writer.writerow(
                [
                    f"A{number:06d}",
                    f"Company {number}",
                    f"company{number}.example",
                    rng.choice(INDUSTRIES),
                    rng.randint(5, 20_000),
                    parent,
                    rng.choice(["EMEA", "NA", "APAC", "LATAM"]),
                ]
            )
    with subscriptions_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "account_id",
                "subscription_id",
                "plan",
                "amount",
                "currency",
                "interval",
                "start_date",
                "end_date",
                "quantity",
            ]
        )
        for number in range(1, accounts + 1):
            start = date(2023, 1, 1) + timedelta(days=rng.randint(0, 900))
            for part in range(SUBSCRIPTIONS_PER_ACCOUNT):
                plan, price = rng.choice(PLANS)
                end = start + timedelta(days=365) if rng.random() < 0.3 else None
                writer.writerow(
                    [
                        f"A{number:06d}",
                        f"S{number:06d}-{part}",
                        plan,
                        price,
                        rng.choice(["USD", "USD", "USD", "EUR", "GBP"]),
                        rng.choice(["month", "year"]),
                        start.isoformat(),
                        end.isoformat() if end else "",
                        rng.randint(1, 20),
                    ]
                )
    return {"accounts": accounts_path, "subscriptions": subscriptions_path}


def generate_with_demo(folder: Path, accounts: int) -> dict[str, Path] | None:
    """Write the CSVs with `headway demo generate --out`, if that command exists."""
    command = [sys.executable, "-m", "headway.cli", "demo", "generate"]
    command += ["--accounts", str(accounts), "--seed", "1", "--out", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    paths = {kind: folder / f"{kind}.csv" for kind in ("accounts", "contacts", "subscriptions")}
    if done.returncode != 0 or not all(p.exists() for p in paths.values()):
        return None
    return paths


def create_owners(url: str, accounts_path: Path) -> int:
    """Create the Headway users the accounts file names as owners (the import requires them)."""
    import headway.tables  # noqa: F401
    from headway.core.audit import Actor
    from headway.core.db import ensure_schema, session_scope
    from headway.users.models import Role
    from headway.users.service import create_user, get_user_by_email

    with accounts_path.open(newline="", encoding="utf-8-sig") as handle:
        owners = {row.get("owner_email") or "" for row in csv.DictReader(handle)} - {""}
    ensure_schema(url)
    with session_scope(url) as session:
        for email in sorted(owners):
            if get_user_by_email(session=session, email=email) is None:
                create_user(
                    session=session,
                    actor=Actor.system("benchmark"),
                    email=email,
                    name=email.split("@")[0].replace(".", " ").title(),
                    role=Role.CSM,
                    password=None,
                )
    return len(owners)


def count_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle) - 1


def import_once(url: str, kind: str, path: Path) -> dict[str, object]:
    """Run one import in this process; return its time, memory and counts (child side)."""
    import headway.tables  # noqa: F401
    from headway.core.audit import Actor
    from headway.core.db import ensure_schema, session_scope
    from headway.importers.service import import_file

    ensure_schema(url)
    baseline = peak_rss_mb()
    start = time.perf_counter()
    with session_scope(url) as session:
        result = import_file(
            session=session,
            actor=Actor.system("benchmark"),
            permissions=None,
            kind=kind,
            path=path,
        )
    seconds = time.perf_counter() - start
    if not result.ok:
        raise SystemExit(f"import failed: {[str(e) for e in result.errors[:5]]}")
    return {
        "seconds": round(seconds, 1),
        "baseline_mb": baseline,
        "peak_mb": peak_rss_mb(),
        "summary": result.summary(),
    }


def run_in_child(url: str, kind: str, path: Path) -> dict[str, object]:
    command = [sys.executable, "-m", "bench.bench_import", "--child", kind, url, str(path)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--builtin", action="store_true", help="Skip `headway demo generate`.")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, url, file = args.child
        print(json.dumps(import_once(url, kind, Path(file))))
        return

    folder = OUT_DIR / f"import-{args.accounts}"
    paths = None if args.builtin else generate_with_demo(folder, args.accounts)
    source = "headway demo generate"
    if paths is None:
        paths, source = generate_builtin(folder, args.accounts), "bench generator"
    databases = [("SQLite", fresh_sqlite_database(f"import-{args.accounts}"))]
    if server_url():
        databases.append(("PostgreSQL", fresh_postgres_database(f"bench_import_{args.accounts}")))

    print(
        f"Files from {source}: "
        + ", ".join(f"{k} {count_rows(p):,} rows" for k, p in paths.items())
    )
    header = (
        f"{'database':<11} {'import':<26} {'rows':>8} {'seconds':>8} {'rows/s':>8} "
        f"{'peak RSS MB':>12} {'baseline MB':>12}"
    )
    print(header)
    print("-" * len(header))
    steps = [
        ("accounts", "accounts (new)"),
        ("contacts", "contacts (new)"),
        ("subscriptions", "subscriptions (new)"),
        ("accounts", "accounts (re-import)"),
        ("contacts", "contacts (re-import)"),
        ("subscriptions", "subscriptions (re-import)"),
    ]
    for name, url in databases:
        create_owners(url, paths["accounts"])
        for kind, label in steps:
            if kind not in paths:
                continue
            figures = run_in_child(url, kind, paths[kind])
            summary = figures["summary"]
            assert isinstance(summary, dict)
            rows = int(summary["rows"])
            seconds = float(str(figures["seconds"]))
            print(
                f"{name:<11} {label:<26} {rows:>8,} {seconds:>8.1f} {rows / seconds:>8,.0f} "
                f"{figures['peak_mb']!s:>12} {figures['baseline_mb']!s:>12}",
                flush=True,
            )
    if os.environ.get("HEADWAY_BENCH_KEEP") != "1":
        for path in folder.iterdir():
            path.unlink()


if __name__ == "__main__":
    main()
