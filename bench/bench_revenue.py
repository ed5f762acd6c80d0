"""Revenue metrics over 5 years of subscriptions at 10 k, 50 k and 100 k accounts: time, memory.

Run: .venv/bin/python -m bench.bench_revenue                       (SQLite only)
     scripts/with-postgres.sh .venv/bin/python -m bench.bench_revenue   (SQLite and PostgreSQL)
     .venv/bin/python -m bench.bench_revenue --sizes 10000 --keep     (reuse databases)

Writes, per size, a database of accounts with subscriptions from 2020-01 to 2024-12 (about five
per account: upgrades, downgrades, add-ons, yearly plans, churn and returns, in USD, EUR and
GBP), monthly exchange rates and spend. Then each case runs in a fresh process so its peak
memory is its own (baseline: the process before the case, with Python and the libraries):

  read      the one SQL read of the subscriptions into arrays
  period    `headway metrics revenue --from 2020-01 --to 2024-12` (60 months, + 12 looked back)
  by-month  the same, one result per month
  cohorts   monthly MRR cohorts over the 60 months

Prints one table; the figures go to bench/README.md by hand. The cost should grow linearly with
the subscriptions (and accounts × months): compare the rows of one case across sizes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from bench.common import fresh_postgres_database, fresh_sqlite_database, server_url

SIZES = [10_000, 50_000, 100_000]
SEED = 1
FIRST_DAY = date(2020, 1, 1)
LAST_DAY = date(2024, 12, 31)
CASES = ["read", "period", "by-month", "cohorts"]
RUNS = 3
PRICES = np.array([4_900, 19_900, 89_950, 420_000])  # minor units per seat per month
CURRENCIES = np.array(["USD", "EUR", "GBP"])


# --- the data ------------------------------------------------------------------------------


def generate(accounts: int, seed: int = SEED) -> dict[str, Any]:
    """Subscriptions of `accounts` accounts over five years, vectorised (deterministic)."""
    rng = np.random.default_rng(seed)
    horizon = (LAST_DAY - FIRST_DAY).days
    # Each account: a chain of subscriptions, each starting when the previous ends (an upgrade
    # or downgrade mid-month), or after a gap (churn, then a return).
    chain = 1 + rng.poisson(6, accounts)
    total = int(chain.sum())
    account = np.repeat(np.arange(accounts), chain)
    first_of_account = np.r_[0, np.cumsum(chain)[:-1]]
    position = np.arange(total) - np.repeat(first_of_account, chain)
    signup = rng.integers(0, horizon - 30, accounts)
    length = rng.integers(30, 540, total)
    gap = np.where(rng.random(total) < 0.12, rng.integers(40, 400, total), 0)
    step = length + gap
    before = np.cumsum(step) - step  # the sum of earlier steps, all accounts together
    offset = before - np.repeat(before[first_of_account], chain)
    start = np.repeat(signup, chain) + offset
    end = start + length
    last = position == np.repeat(chain - 1, chain)
    ongoing = last & (rng.random(total) < 0.7)
    kept = start <= horizon
    seats = np.maximum(
        1, np.repeat(rng.integers(1, 40, accounts), chain) + rng.integers(-5, 15, total)
    )
    plan = np.minimum(3, np.repeat(rng.integers(0, 4, accounts), chain) + (position > 2))
    yearly = rng.random(total) < 0.2
    amount = np.where(yearly, PRICES[plan] * 10, PRICES[plan])  # two months free when yearly
    currency = np.repeat(rng.choice(3, accounts, p=[0.8, 0.13, 0.07]), chain)
    # An add-on alongside a third of the chains' first subscription.
    add_on = (position == 0) & (rng.random(total) < 0.33)
    columns = {
        "account": np.r_[account[kept], account[add_on & kept]],
        "amount": np.r_[amount[kept], np.full(int((add_on & kept).sum()), 2_900)],
        "seats": np.r_[seats[kept], np.ones(int((add_on & kept).sum()), dtype=np.int64)],
        "yearly": np.r_[yearly[kept], np.zeros(int((add_on & kept).sum()), dtype=bool)],
        "currency": np.r_[currency[kept], currency[add_on & kept]],
        "start": np.r_[start[kept], (start + length // 3)[add_on & kept]],
        "end": np.r_[np.where(ongoing, -1, end)[kept], np.where(ongoing, -1, end)[add_on & kept]],
    }
    return {"accounts": accounts, **columns}


def write_database(url: str, data: dict[str, Any]) -> int:
    """Write accounts, subscriptions, monthly rates and spend; return the subscriptions."""
    import headway.tables  # noqa: F401
    from headway.accounts.models import Account
    from headway.core.db import get_engine, refresh_statistics, session_scope, upgrade_schema
    from headway.revenue.models import FxRate, SalesMarketingSpend, Subscription

    upgrade_schema(url)
    now = datetime(2025, 1, 1, tzinfo=UTC)
    day = [FIRST_DAY + timedelta(days=d) for d in range((LAST_DAY - FIRST_DAY).days + 1000)]
    accounts = [
        {
            "external_id": f"A{n:06d}",
            "name": f"Company {n}",
            "segment_locked": False,
            "traits": {},
            "created_at": now,
            "updated_at": now,
        }
        for n in range(data["accounts"])
    ]
    with session_scope(url) as session:
        _insert(session, Account, accounts)
        ids = dict(
            session.execute(
                Account.__table__.select().with_only_columns(Account.external_id, Account.id)
            ).all()
        )
        account_ids = np.array([ids[f"A{n:06d}"] for n in range(data["accounts"])])
        subscriptions = [
            {
                "external_id": f"S{i:08d}",
                "account_id": int(account_ids[a]),
                "plan": "Plan",
                "amount_minor": int(amount),
                "currency": str(CURRENCIES[c]),
                "interval": "year" if yearly else "month",
                "quantity": int(seats),
                "start_date": day[s],
                "end_date": None if e < 0 else day[e],
                "created_at": now,
                "updated_at": now,
            }
            for i, (a, amount, seats, yearly, c, s, e) in enumerate(
                zip(
                    data["account"],
                    data["amount"],
                    data["seats"],
                    data["yearly"],
                    data["currency"],
                    data["start"],
                    data["end"],
                    strict=True,
                )
            )
        ]
        _insert(session, Subscription, subscriptions)
        months = [date(y, m, 1) for y in range(2019, 2025) for m in range(1, 13)]
        rates = [
            {
                "currency": code,
                "quote_currency": "USD",
                "rate_date": (month + timedelta(days=32)).replace(day=1) - timedelta(days=1),
                "rate": base + 0.01 * ((i * 7) % 5),
                "created_at": now,
                "updated_at": now,
            }
            for code, base in (("EUR", 1.08), ("GBP", 1.26))
            for i, month in enumerate(months)
        ]
        _insert(session, FxRate, rates)
        spend = [
            {
                "month": month,
                "category": "",
                "amount_minor": 50 * data["accounts"] * 100,
                "currency": "USD",
                "created_at": now,
                "updated_at": now,
            }
            for month in months
        ]
        _insert(session, SalesMarketingSpend, spend)
        session.commit()
        refresh_statistics(session)
    get_engine(url).dispose()
    return len(subscriptions)


def _insert(session: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    # COPY on PostgreSQL (executemany there takes minutes for half a million rows).
    table = model.__table__
    if session.get_bind().dialect.name != "postgresql":
        for start in range(0, len(rows), 10_000):
            session.execute(table.insert(), rows[start : start + 10_000])
        return
    names = list(rows[0])
    raw = session.connection().connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({", ".join(names)}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row.values()])


# --- one case, in its own process ----------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident memory of this process's own address space, in MB.

    Not getrusage: Linux carries its maximum over from the parent across fork and exec, and the
    parent here holds the generated data.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def run_case(url: str, case: str) -> dict[str, Any]:
    """Time one case (median of RUNS after one warm-up) and report this process's peak memory."""
    import headway.tables  # noqa: F401
    from headway.core.db import session_scope
    from headway.revenue.ledger import read_subscriptions
    from headway.revenue.metrics import CohortMeasure, CohortPeriod
    from headway.revenue.service import (
        RevenueOptions,
        cohort_retention_matrix,
        revenue_metrics,
    )

    options = RevenueOptions("USD", gross_margin=0.8)
    first, last = date(2020, 1, 1), date(2024, 12, 1)
    with session_scope(url) as session:
        calls = {
            "read": lambda: read_subscriptions(session=session),
            "period": lambda: revenue_metrics(
                session=session, options=options, first_month=first, last_month=last
            ),
            "by-month": lambda: revenue_metrics(
                session=session,
                options=options,
                first_month=first,
                last_month=last,
                by_month=True,
            ),
            "cohorts": lambda: cohort_retention_matrix(
                session=session,
                options=options,
                by=CohortPeriod.MONTH,
                measure=CohortMeasure.MRR,
                first_month=first,
                last_month=last,
            ),
        }
        session.connection()  # connected before the baseline
        baseline = peak_rss_mb()
        call = calls[case]
        result = call()
        samples = []
        for _ in range(RUNS):
            started = time.perf_counter()
            result = call()
            samples.append(time.perf_counter() - started)
    figures: dict[str, Any] = {
        "seconds": round(sorted(samples)[len(samples) // 2], 3),
        "peak_mb": peak_rss_mb(),
        "baseline_mb": baseline,
    }
    if case == "period":
        [period] = result.periods
        figures["mrr_end"] = round(period.mrr_end / 100)
    return figures


def _child(url: str, case: str) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.bench_revenue", "--case", case, "--url", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.url, args.case)))
        return
    databases = ["sqlite"] + ([] if args.sqlite_only or not server_url() else ["postgresql"])
    print(
        "| database | accounts | subscriptions | case | median s | µs per subscription "
        "| peak MB (baseline) |"
    )
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: |")
    for size in args.sizes:
        data = generate(size)
        for database in databases:
            name = f"revenue-{size}"
            url = (
                fresh_sqlite_database(name)
                if database == "sqlite"
                else (fresh_postgres_database(name.replace("-", "_")))
            )
            started = time.perf_counter()
            count = write_database(url, data)
            print(
                f"<!-- {database} {size}: written in {time.perf_counter() - started:.0f} s -->",
                file=sys.stderr,
                flush=True,
            )
            for case in CASES:
                f = _child(url, case)
                per_sub = f["seconds"] / count * 1e6
                print(
                    f"| {database} | {size:,} | {count:,} | {case} | {f['seconds']:.2f} "
                    f"| {per_sub:.2f} | {f['peak_mb']:.0f} ({f['baseline_mb']:.0f}) |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
