"""Surveys and support at scale: a campaign over SMTP, a survey-response import, the reports.

Run: .venv/bin/python -m bench.bench_surveys [--size 0.25]                  (SQLite)
     scripts/with-postgres.sh .venv/bin/python -m bench.bench_surveys      (SQLite, PostgreSQL)
     ... --database postgres --size 1                                       (the full sizes)

`--size 1` is 10,000 contacts asked, 100,000 answers imported and the demo company at 10,000
accounts; the default, 0.25, runs both databases in a few minutes. Per database:

1. a fresh app database gets `size × 5,000` accounts with two contacts each (by the importer);
   a scheduled NPS campaign to all of them is made and scheduled, then `send_due` sends it
   through a real SMTP server (aiosmtpd, its own process, counting what arrives); a second
   `send_due` sends nothing (what a cron run costs when all is sent);
2. `headway import survey-responses` (its own process) of `size × 100,000` answers of those
   contacts, then the same file again (nothing written); a one-row `--dry-run` first gives
   the command's fixed cost (Python, libraries, the database);
3. `headway demo generate --accounts size×10,000` (seed 7, as of 2026-06-30, no usage) into
   another fresh database, then `survey_metrics` and `portfolio_support_success` over their
   default periods and over longer ones: 1 warm-up, the median of 3, then one run under
   cProfile for the top 3 functions by their own time and the split by step.

Prints the tables; the figures go to bench/README.md by hand.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bench.bench_ingest import postgres_cpu
from bench.bench_surveys_tools import (
    CpuSources,
    SmtpServer,
    Step,
    measured,
    profile,
    split_by_step,
    top_functions,
)
from bench.common import OUT_DIR, fresh_postgres_database, fresh_sqlite_database, server_url

AS_OF = date(2026, 6, 30)
SEED = 7
SECRET = "bench-secret-key-" + "s" * 32
TYPES = (("nps", 0.5), ("csat", 0.3), ("ces", 0.2))
PERSONAS = ("decision_maker", "champion", "admin", "end_user")


def sources(kind: str, url: str) -> CpuSources:
    """The CPU clocks a step reads: this process's, and PostgreSQL's on PostgreSQL."""
    found: CpuSources = {"bench": time.process_time}
    if kind == "postgres":
        found["PostgreSQL"] = partial(postgres_cpu, url)
    return found


def fresh_database(kind: str, name: str) -> str:
    from headway.core.db import upgrade_schema

    if kind == "postgres":
        url = fresh_postgres_database(f"bench_{name}")
    else:
        url = fresh_sqlite_database(name)
    upgrade_schema(url)
    return url


# --- 1. a campaign over SMTP -------------------------------------------------------------------


def write_people(folder: Path, contacts: int) -> tuple[Path, Path]:
    """accounts.csv and contacts.csv: two contacts per account."""
    folder.mkdir(parents=True, exist_ok=True)
    accounts_path, contacts_path = folder / "accounts.csv", folder / "contacts.csv"
    accounts = max(1, contacts // 2)
    with accounts_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "name", "domain"])
        for n in range(accounts):
            writer.writerow([f"A{n:06d}", f"Company {n}", f"company{n}.example"])
    with contacts_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "email", "name", "persona"])
        for n in range(contacts):
            account = n % accounts
            writer.writerow(
                [
                    f"A{account:06d}",
                    f"person{n}@company{account}.example",
                    f"Person {n}",
                    PERSONAS[n % len(PERSONAS)],
                ]
            )
    return accounts_path, contacts_path


def import_people(url: str, folder: Path, contacts: int) -> None:
    from headway.core.audit import Actor
    from headway.core.db import session_scope
    from headway.importers.service import import_file

    for kind, path in zip(("accounts", "contacts"), write_people(folder, contacts), strict=True):
        with session_scope(url) as session:
            result = import_file(
                session=session,
                actor=Actor.system("benchmark"),
                permissions=None,
                kind=kind,
                path=path,
            )
        if not result.ok:
            raise SystemExit(f"{kind} import failed: {[str(e) for e in result.errors[:5]]}")


def send_campaign(kind: str, url: str, contacts: int) -> list[Step]:
    """Make and schedule an NPS campaign to every contact; send it, then send again."""
    from headway.config import Settings
    from headway.core.audit import Actor
    from headway.core.db import session_scope
    from headway.surveys.campaigns import create_campaign, schedule_campaign, send_due

    actor = Actor.system("benchmark")
    with session_scope(url) as session:
        campaign = create_campaign(
            session=session, actor=actor, survey_key="nps", name="Benchmark NPS"
        )
        schedule_campaign(session=session, actor=actor, campaign_id=campaign.id)
    steps = []
    with SmtpServer() as smtp:
        settings = Settings(
            database_url=url,
            secret_key=SECRET,
            public_url="https://headway.example",
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            smtp_security="none",
            mail_from="Headway <surveys@headway.example>",
        )
        cpu = sources(kind, url) | {"SMTP server": smtp.cpu}
        for name in ("send_due: the campaign", "send_due again: nothing due"):
            with measured(name, cpu) as step, session_scope(url) as session:
                report = send_due(session=session, settings=settings)
                step.count = report.invitations_sent
            steps.append(step)
        time.sleep(0.5)  # the last message's DATA may still be counted
        if (steps[0].count, steps[1].count, smtp.received) != (contacts, 0, contacts):
            raise SystemExit(
                f"expected {contacts:,} invitations sent, received, and none sent again; got "
                f"{steps[0].count:,} sent, {smtp.received:,} received, {steps[1].count:,} again"
            )
        steps[0].note = f"{smtp.received_bytes / smtp.received / 1024:.1f} kB a message"
    return steps


# --- 2. a survey-response import ---------------------------------------------------------------


def write_answers(path: Path, rows: int, contacts: int) -> None:
    """Answers of the contacts: NPS, CSAT (some good/bad), CES; a third with a comment."""
    rng = random.Random(SEED)
    accounts = max(1, contacts // 2)
    start = datetime.combine(AS_OF - timedelta(days=364), datetime.min.time(), UTC)
    step = 364 * 86_400 / rows
    kinds, weights = zip(*TYPES, strict=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["survey_type", "account_id", "contact_email", "score", "comment", "responded_at"]
        )
        for n in range(rows):
            contact = rng.randrange(contacts)
            account = contact % accounts
            kind = rng.choices(kinds, weights)[0]
            if kind == "nps":
                score = str(rng.choice([10, 10, 9, 9, 9, 8, 8, 7, 6, 5, 3, 0]))
            elif kind == "csat":
                score = rng.choice(["good", "bad"]) if n % 20 == 0 else str(rng.randint(1, 5))
            else:
                score = str(rng.randint(1, 7))
            comment = f"Answer {n}: the reports help our team every week." if n % 3 == 0 else ""
            at = start + timedelta(seconds=int(n * step))
            writer.writerow(
                [
                    kind,
                    f"A{account:06d}",
                    f"person{contact}@company{account}.example",
                    score,
                    comment,
                    at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                ]
            )


def run_import(
    kind: str, url: str, path: Path, name: str, *extra: str
) -> tuple[Step, dict[str, Any]]:
    """`headway import survey-responses FILE --json` in its own process: wall, CPU, peak RSS."""
    command = [sys.executable, "-m", "headway.cli", "import", "survey-responses", str(path)]
    environment = {**os.environ, "HEADWAY_DATABASE_URL": url, "HEADWAY_SECRET_KEY": SECRET}
    # The progress bar and any error go to a file: printed only when the import fails.
    with tempfile.TemporaryFile() as errors, measured(name, sources(kind, url)) as step:
        child = subprocess.Popen(
            [*command, "--json", *extra], env=environment, stdout=subprocess.PIPE, stderr=errors
        )
        assert child.stdout is not None
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        said = errors.read().decode(errors="replace")
    del step.cpu["bench"]
    step.cpu["import process"] = usage.ru_utime + usage.ru_stime
    step.peak_mb = usage.ru_maxrss / 1024
    summary = json.loads(output or b"{}")
    if summary.get("status") != "ok":
        raise SystemExit(f"{name} failed: {json.dumps(summary)[:2000]}\n{said[-2000:]}")
    step.count = int(summary["rows"])
    step.note = f"{summary['created']:,} created, {summary['unchanged']:,} unchanged"
    return step, summary


def import_answers(kind: str, url: str, folder: Path, rows: int, contacts: int) -> list[Step]:
    path, one = folder / f"survey-responses-{rows}.csv", folder / "survey-responses-1.csv"
    write_answers(path, rows, contacts)
    with path.open() as handle, one.open("w") as single:
        single.write(handle.readline() + handle.readline())
    fixed, _ = run_import(kind, url, one, "one row, --dry-run (the fixed cost)", "--dry-run")
    fixed.count, fixed.note = 0, "Python, the libraries, the database; nothing written"
    new, first = run_import(kind, url, path, "import survey-responses: new answers")
    again, second = run_import(kind, url, path, "the same file again: nothing changes")
    if (first["created"], second["unchanged"]) != (rows, rows):
        raise SystemExit(
            f"expected {rows:,} answers created, then unchanged: {new.note}, {again.note}"
        )
    return [fixed, new, again]


# --- 3. the reports on the demo company --------------------------------------------------------


def generate_demo(kind: str, url: str, accounts: int) -> tuple[Step, dict[str, Any]]:
    command = [sys.executable, "-m", "headway.cli", "demo", "generate", "--no-usage", "--json"]
    command += ["--accounts", str(accounts), "--seed", str(SEED), "--as-of", AS_OF.isoformat()]
    environment = {**os.environ, "HEADWAY_DATABASE_URL": url, "HEADWAY_SECRET_KEY": SECRET}
    with measured(f"headway demo generate --accounts {accounts}", sources(kind, url)) as step:
        output = subprocess.run(command, env=environment, check=True, capture_output=True).stdout
    company = json.loads(output)
    step.count = accounts
    return step, company


def report_cases() -> list[tuple[str, Callable[..., dict[str, Any]], date, date]]:
    from headway.reports.support_success import portfolio_support_success
    from headway.surveys.reports import survey_metrics

    three_years = date(AS_OF.year - 3, AS_OF.month, AS_OF.day) + timedelta(days=1)
    return [
        ("survey_metrics, 30 days (default)", survey_metrics, AS_OF - timedelta(days=29), AS_OF),
        ("survey_metrics, the 3 years", survey_metrics, three_years, AS_OF),
        (
            "portfolio_support_success, 90 days (default)",
            portfolio_support_success,
            AS_OF - timedelta(days=89),
            AS_OF,
        ),
        (
            "portfolio_support_success, 12 months",
            portfolio_support_success,
            date(AS_OF.year - 1, AS_OF.month, AS_OF.day) + timedelta(days=1),
            AS_OF,
        ),
    ]


def rows_read(result: dict[str, Any]) -> str:
    if "support" not in result:
        return f"{result['responses']:,} answers, {result['invitations_sent']:,} invitations"
    support, success = result["support"], result["success"]
    answers = support["csat_responses"] + support["ces_responses"]
    return (
        f"{result['accounts']:,} accounts, {support['tickets']:,} tickets "
        f"({support['solved']:,} solved), {answers:,} answers, "
        f"{success['activities']:,} activities"
    )


def measure_reports(kind: str, url: str, repeat: int) -> list[tuple[Step, list[str]]]:
    from headway.core.db import session_scope

    measured_reports = []
    for name, report, first, last in report_cases():

        def call(
            report: Callable[..., dict[str, Any]] = report, first: date = first, last: date = last
        ) -> Any:
            with session_scope(url) as session:
                return report(session=session, first=first, last=last)

        result = call()  # warm-up
        runs = []
        for _ in range(repeat):
            with measured(name, sources(kind, url)) as step:
                call()
            runs.append(step)
        middle = sorted(runs, key=lambda s: s.seconds)[len(runs) // 2]
        middle.note = rows_read(result)
        stats = profile(call)
        lines = ["top 3 by own time: " + "; ".join(top_functions(stats))]
        lines += split_by_step(stats, report.__name__)
        measured_reports.append((middle, lines))
    return measured_reports


# --- the run -----------------------------------------------------------------------------------


def cpu_text(step: Step) -> str:
    return " / ".join(f"{label} {seconds:.1f}" for label, seconds in step.cpu.items())


def print_steps(title: str, steps: list[Step], unit: str) -> None:
    print(f"\n{title}\n", flush=True)
    print(f"| step | seconds | {unit}/s | CPU s by process | peak RSS (MB) | load | notes |")
    print("| --- | ---: | ---: | --- | ---: | ---: | --- |")
    for s in steps:
        rate = f"{s.per_second:,.0f}" if s.count else ""
        print(
            f"| {s.name} | {s.seconds:.2f} | {rate} | {cpu_text(s)} | {s.peak_mb:,.0f} | "
            f"{s.load:.1f} | {s.note} |",
            flush=True,
        )


def run(kind: str, size: float, repeat: int) -> None:
    import headway.tables  # noqa: F401

    contacts, answers, accounts = (max(2, round(n * size)) for n in (10_000, 100_000, 10_000))
    label = "SQLite" if kind == "sqlite" else "PostgreSQL"
    print(f"\n## {label}, size {size:g}, load average at start {os.getloadavg()[0]:.1f}")
    folder = OUT_DIR / f"surveys-{contacts}"
    url = fresh_database(kind, f"surveys_{contacts}")
    import_people(url, folder, contacts)
    sent = send_campaign(kind, url, contacts)
    print_steps(f"1. an NPS campaign to {contacts:,} contacts over SMTP", sent, "messages")
    imported = import_answers(kind, url, folder, answers, contacts)
    print_steps(f"2. {answers:,} survey answers imported", imported, "rows")

    demo_url = fresh_database(kind, f"surveys_demo_{accounts}")
    generated, company = generate_demo(kind, demo_url, accounts)
    counts = ", ".join(
        f"{company[k]:,} {k.replace('_', ' ')}"
        for k in ("accounts", "tickets", "survey_responses", "survey_invitations", "activities")
    )
    print(f"\n3. the demo company: {counts} ({generated.seconds:.0f} s to generate)", flush=True)
    reports = measure_reports(kind, demo_url, repeat)
    print_steps("reports (median of the runs)", [step for step, _ in reports], "rows")
    for step, lines in reports:
        print(f"\n{step.name}:")
        print("\n".join(f"  {line}" for line in lines), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=0.25, help="1 = the full sizes")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default=None)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each report")
    args = parser.parse_args()
    database = args.database or ("both" if server_url() else "sqlite")
    kinds = ("sqlite", "postgres") if database == "both" else (database,)
    if "postgres" in kinds and not server_url():
        raise SystemExit("PostgreSQL: run under scripts/with-postgres.sh")
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()}, as of {datetime.now(UTC)}")
    for kind in kinds:
        run(kind, args.size, args.repeat)


if __name__ == "__main__":
    main()
