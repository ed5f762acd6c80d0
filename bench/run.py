"""Run every benchmark, on SQLite and on the PostgreSQL server of scripts/with-postgres.sh.

`make bench` runs this under scripts/with-postgres.sh; copy the tables into bench/README.md.
"""

from __future__ import annotations

import subprocess
import sys

from bench.common import server_url

BENCHMARKS = [
    ["bench.bench_demo", "--postgres"],
    ["bench.bench_import"],
    ["bench.bench_account_list"],
    ["bench.bench_revenue"],
    ["bench.bench_ingest"],
    ["bench.bench_health"],
    ["bench.bench_surveys"],
]


def main() -> None:
    if not server_url():
        raise SystemExit("run under scripts/with-postgres.sh (make bench does)")
    for module, *args in BENCHMARKS:
        print(f"\n## {module}\n", flush=True)
        subprocess.run([sys.executable, "-m", module, *args], check=True)


if __name__ == "__main__":
    main()
