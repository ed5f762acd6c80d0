"""headway demo …: generate the demo company into the database or as bulk files."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.engine import make_url

from headway.config import get_settings
from headway.core import clock
from headway.core.audit import Actor
from headway.core.console import command_session, console, err_console, print_json
from headway.core.errors import HeadwayError
from headway.demo.bulk import Progress as ProgressCallback
from headway.demo.bulk import no_progress
from headway.demo.events import write_event_files
from headway.demo.service import DemoReport, generate_demo, load_demo_if_empty, write_demo_files

app = typer.Typer(
    help="The demo company: a realistic simulated customer base.", no_args_is_help=True
)
DEMO_ACTOR = Actor.system("demo")
# Runs at least this large show a progress bar.
PROGRESS_FROM_ACCOUNTS = 5_000

AccountsOption = Annotated[int, typer.Option("--accounts", min=1, help="How many accounts.")]
SeedOption = Annotated[
    int, typer.Option("--seed", min=0, help="Random seed: the same seed, the same company.")
]
AsOfOption = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Last day of the three simulated years, YYYY-MM-DD (default: today).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("generate")
def demo_generate(
    accounts: AccountsOption = 300,
    seed: SeedOption = 7,
    as_of: AsOfOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            file_okay=False,
            help="Write CSV and Parquet files into this folder instead of the database.",
            show_default=False,
        ),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Delete the demo data of an earlier run first.")
    ] = False,
    usage: Annotated[
        bool,
        typer.Option(
            "--usage/--no-usage",
            help="Write product usage and weekly health scores too (slow past ~10,000 accounts).",
        ),
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Generate the demo company into the database (or as bulk files with --out)."""
    day = as_of.date() if as_of else None
    with _progress_bar(accounts) as progress:
        if out is not None:
            report = write_demo_files(
                out_dir=out, seed=seed, accounts=accounts, as_of=day, progress=progress
            )
        else:
            with command_session() as session:
                try:
                    report = generate_demo(
                        session=session,
                        actor=DEMO_ACTOR,
                        seed=seed,
                        accounts=accounts,
                        as_of=day,
                        replace=replace,
                        usage=usage,
                        progress=progress,
                    )
                except HeadwayError as error:
                    err_console.print(f"[red]error:[/red] {error}")
                    raise typer.Exit(1) from None
    _print_report(report, as_json=as_json, into=str(out) if out else _database())


@app.command("events")
def demo_events(
    out: Annotated[
        Path,
        typer.Option(
            "--out", file_okay=False, help="Folder to write accounts.csv and events-*.parquet to."
        ),
    ],
    accounts: Annotated[
        int, typer.Option("--accounts", min=1, help="How many accounts.")
    ] = 100_000,
    events: Annotated[
        int, typer.Option("--events", min=1, help="About how many events to write.")
    ] = 20_000_000,
    seed: SeedOption = 7,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the demo accounts and their product events as Parquet files, one per month."""
    with _progress_bar(PROGRESS_FROM_ACCOUNTS) as progress:
        report = write_event_files(
            out_dir=out,
            seed=seed,
            accounts=accounts,
            events=events,
            as_of=as_of.date() if as_of else clock.today(),
            progress=progress or no_progress,
        )
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"{report.events:,} events of {report.accounts:,} accounts (seed {report.seed}, three "
        f"years up to {report.as_of}) written to {out} in {report.seconds:.1f} s: "
        f"{len(report.files)} files."
    )


@app.command("load-if-empty")
def demo_load_if_empty(
    accounts: AccountsOption = 300,
    seed: SeedOption = 7,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Generate the demo company only if the database has no accounts (used by make demo)."""
    with _progress_bar(accounts) as progress, command_session() as session:
        try:
            report = load_demo_if_empty(
                session=session,
                actor=DEMO_ACTOR,
                seed=seed,
                accounts=accounts,
                as_of=as_of.date() if as_of else None,
                progress=progress,
            )
        except HeadwayError as error:
            err_console.print(f"[red]error:[/red] {error}")
            raise typer.Exit(1) from None
    if report is not None:
        _print_report(report, as_json=as_json, into=_database())
    elif as_json:
        print_json({"loaded": False, "reason": "the database has accounts already"})
    else:
        console.print("The database has accounts already: the demo company was not loaded.")


def _database() -> str:
    """The configured database, without its password."""
    return make_url(get_settings().database_url).render_as_string(hide_password=True)


@contextmanager
def _progress_bar(accounts: int) -> Iterator[ProgressCallback | None]:
    """A progress bar on stderr for large runs (stdout stays clean for --json)."""
    if accounts < PROGRESS_FROM_ACCOUNTS:
        yield None
        return
    columns = (
        TextColumn("{task.description:>14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        tasks: dict[str, object] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done)  # type: ignore[arg-type]

        yield report


def _print_report(report: DemoReport, *, as_json: bool, into: str) -> None:
    if as_json:
        print_json({"loaded": True, "into": into, **report.as_dict()})
        return
    console.print(f"Demo company, seed {report.seed}, three years up to {report.as_of}:")
    table = Table(show_header=False, box=None, padding=(0, 2))
    labels = ["accounts", "contacts", "subscriptions", "stage_changes"]
    if not report.files:
        labels += ["users", "success_plans", "goals", "evidence", "milestones", "activities"]
        labels += ["tickets", "survey_invitations", "survey_responses"]
        labels += ["product_users", "usage_events", "usage_rollup_rows", "health_scores"]
    for label in labels:
        table.add_row(label.replace("_", " "), f"{getattr(report, label):,}")
    console.print(table)
    if report.replaced_accounts:
        console.print(f"Replaced {report.replaced_accounts:,} demo accounts of an earlier run.")
    console.print(f"Written to {into} in {report.seconds:.1f} s.")
    if report.files:
        console.print("Files: " + ", ".join(Path(f).name for f in report.files))
    else:
        console.print(f"Log in as {report.login_email} with the password {report.login_password}.")
