"""Account list, account pages and the revenue dashboard at 1 k and 100 k accounts.

Run: scripts/with-postgres.sh .venv/bin/python -m bench.bench_account_list
     .venv/bin/python -m bench.bench_account_list --sqlite
Prints one table; the figures go to bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from tests.helpers import csrf_token

from bench.common import fresh_postgres_database, fresh_sqlite_database, timings_ms
from headway.accounts.models import Account
from headway.config import Settings
from headway.main import create_app

SIZES = [1_000, 100_000]
DEMO_PASSWORD = "headway-demo"


def load_demo(url: str, accounts: int) -> None:
    """Generate the demo company into a database through the CLI, as a person would."""
    env = {**os.environ, "HEADWAY_DATABASE_URL": url}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "headway.cli",
            "demo",
            "generate",
            "--accounts",
            str(accounts),
            "--seed",
            "1",
            "--json",
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def requests_to_time(url: str) -> dict[str, str]:
    """The pages people open most, with the filters they use."""
    engine = create_engine(url)
    with engine.connect() as connection:
        total = connection.scalar(select(func.count(Account.id))) or 0
        some_id = connection.scalar(select(Account.id).order_by(Account.id).limit(1))
    engine.dispose()
    last_page = max(1, (total + 49) // 50)
    return {
        "list, first page by name": "/accounts",
        "list, last page by name": f"/accounts?page={last_page}",
        "list, sorted by MRR": "/accounts?sort=-mrr",
        "list, search 'north'": "/accounts?q=north",
        "list, high-touch by MRR": "/accounts?segment=high-touch&sort=-mrr",
        "list, HTMX fragment": "/accounts?q=an",
        "portfolio home": "/",
        "account 360": f"/accounts/{some_id}",
        "revenue dashboard (12 months)": "/revenue",
    }


def measure(url: str) -> dict[str, dict[str, float]]:
    client = TestClient(create_app(Settings(database_url=url)))
    client.post(
        "/login",
        data={
            "email": "admin@demo.headway.test",
            "password": DEMO_PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )
    results = {}
    for label, path in requests_to_time(url).items():
        headers = {"HX-Request": "true"} if "HTMX" in label else {}

        def get(path: str = path, headers: dict[str, str] = headers) -> None:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)

        results[label] = timings_ms(get)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sqlite", action="store_true", help="SQLite files instead of PostgreSQL")
    args = parser.parse_args()
    table: dict[int, dict[str, dict[str, float]]] = {}
    for size in SIZES:
        name = f"bench_list_{size}"
        url = fresh_sqlite_database(name) if args.sqlite else fresh_postgres_database(name)
        load_demo(url, size)
        table[size] = measure(url)
    print(json.dumps(table, indent=2))
    print(f"\n| request | {' | '.join(f'{s:,} accounts (median / p90 ms)' for s in SIZES)} |")
    print("| --- |" + " --- |" * len(SIZES))
    for label in table[SIZES[0]]:
        cells = [f"{table[s][label]['median_ms']} / {table[s][label]['p90_ms']}" for s in SIZES]
        print(f"| {label} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
