"""headway import accounts|contacts|subscriptions|… FILE: the same import as the web upload."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from headway.core import clock
from headway.core.console import command_session, console, err_console, print_json
from headway.importers.columns import ImportKind
from headway.importers.service import ImportResult, import_file
from headway.usage.importer import EventFileRefused, import_events
from headway.users.cli import CLI_ACTOR

app = typer.Typer(
    help="Import accounts, contacts, subscriptions, activities, goal evidence and more from CSV "
    "or XLSX (all or nothing).",
    no_args_is_help=True,
)

# Below these sizes an import takes a blink: no bar (about 3,000 rows of a typical CSV).
PROGRESS_MIN_BYTES = 256 * 1024
PROGRESS_MIN_ROWS = 3000

FileArgument = Annotated[
    Path,
    typer.Argument(exists=True, dir_okay=False, readable=True, help="A CSV (UTF-8) or XLSX file."),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Check and count, then write nothing.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("accounts")
def import_accounts(
    file: FileArgument, dry_run: DryRunOption = False, as_json: JsonOption = False
) -> None:
    """Import accounts (account_id, name, …; Salesforce and HubSpot exports too)."""
    _run(ImportKind.ACCOUNTS, file, dry_run=dry_run, as_json=as_json)


@app.command("contacts")
def import_contacts(
    file: FileArgument, dry_run: DryRunOption = False, as_json: JsonOption = False
) -> None:
    """Import contacts (account_id, email, …; Salesforce and HubSpot exports too)."""
    _run(ImportKind.CONTACTS, file, dry_run=dry_run, as_json=as_json)


@app.command("subscriptions")
def import_subscriptions(
    file: FileArgument, dry_run: DryRunOption = False, as_json: JsonOption = False
) -> None:
    """Import subscriptions (account_id, subscription_id, plan, amount, currency, …)."""
    _run(ImportKind.SUBSCRIPTIONS, file, dry_run=dry_run, as_json=as_json)


@app.command("fx-rates")
def import_fx_rates(
    file: FileArgument, dry_run: DryRunOption = False, as_json: JsonOption = False
) -> None:
    """Import exchange rates (currency, date, rate[, quote_currency]) for revenue metrics."""
    _run(ImportKind.FX_RATES, file, dry_run=dry_run, as_json=as_json)


@app.command("spend")
def import_spend(
    file: FileArgument, dry_run: DryRunOption = False, as_json: JsonOption = False
) -> None:
    """Import sales and marketing spend per month (month, amount, currency[, category])."""
    _run(ImportKind.SPEND, file, dry_run=dry_run, as_json=as_json)


@app.command("activities")
def import_activities(
    file: FileArgument, dry_run: DryRunOption = False, as_json: JsonOption = False
) -> None:
    """Import activities (account_id, type, occurred_at, …; Salesforce tasks and events too)."""
    _run(ImportKind.ACTIVITIES, file, dry_run=dry_run, as_json=as_json)


@app.command("goal-evidence")
def import_goal_evidence(
    file: FileArgument, dry_run: DryRunOption = False, as_json: JsonOption = False
) -> None:
    """Import KPI values of goals (goal_id or account_id + goal, measured_on, value[, note])."""
    _run(ImportKind.GOAL_EVIDENCE, file, dry_run=dry_run, as_json=as_json)


@app.command("tickets")
def import_tickets(
    file: FileArgument, dry_run: DryRunOption = False, as_json: JsonOption = False
) -> None:
    """Import support tickets (Headway CSV, Zendesk, HubSpot or Intercom exports)."""
    _run(ImportKind.TICKETS, file, dry_run=dry_run, as_json=as_json)


@app.command("survey-responses")
def import_survey_responses(
    file: FileArgument, dry_run: DryRunOption = False, as_json: JsonOption = False
) -> None:
    """Import survey answers (survey_type, account_id, contact_email, score, comment, …)."""
    _run(ImportKind.SURVEY_RESPONSES, file, dry_run=dry_run, as_json=as_json)


@app.command("events")
def import_events_file(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="A JSONL, CSV or Parquet file."
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Import product usage events (Segment-shaped, or timestamp, account_id, user_id, event)."""
    try:
        with command_session() as session, _progress_bar() as progress:
            result = import_events(
                session=session,
                path=file,
                received_at=clock.now(),
                progress=progress,
                display_name=str(file),
            )
    except EventFileRefused as refused:
        if as_json:
            print_json({"status": "invalid", "errors": [e.as_dict() for e in refused.errors]})
        else:
            for error in refused.errors:
                err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
            count = len(refused.errors)
            err_console.print(
                f"{count} problem{'s' if count != 1 else ''} in {file}: nothing was imported.",
                highlight=False,
                soft_wrap=True,
            )
        raise typer.Exit(1)
    if as_json:
        print_json(result.summary())
        return
    console.print(
        f"Imported {result.rows:,} event{'s' if result.rows != 1 else ''} from {file} "
        f"({result.shape} rows, {result.file_type}): "
        f"{result.stored:,} new, {result.duplicates:,} duplicates of events stored already.",
        highlight=False,
        soft_wrap=True,
    )


def _run(kind: ImportKind, file: Path, *, dry_run: bool, as_json: bool) -> None:
    with command_session() as session, _progress_bar() as progress:
        result = import_file(
            session=session,
            actor=CLI_ACTOR,
            permissions=None,
            kind=kind,
            path=file,
            display_name=str(file),
            dry_run=dry_run,
            progress=progress,
        )
    if as_json:
        print_json(result.summary())
    else:
        _print(result)
    if not result.ok:
        raise typer.Exit(1)


def _print(result: ImportResult) -> None:
    if not result.ok:
        for error in result.errors:
            err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
        err_console.print(
            f"{len(result.errors)} problem{'s' if len(result.errors) != 1 else ''} "
            f"in {result.file}: nothing was imported. Rows are numbered as a spreadsheet "
            "shows them: the header is row 1.",
            highlight=False,
            soft_wrap=True,
        )
        return
    verb = "Would import" if result.dry_run else "Imported"
    console.print(
        f"{verb} {result.rows} {result.kind} rows from {result.file} "
        f"({result.format} columns, {result.file_type}): {result.created} created, "
        f"{result.updated} updated, {result.unchanged} unchanged, "
        f"{result.duplicates} identical duplicates.",
        highlight=False,
        soft_wrap=True,
    )
    if result.traits_columns and result.kind == ImportKind.TICKETS:
        console.print(
            f"Not read: {', '.join(result.traits_columns)}.", highlight=False, soft_wrap=True
        )
    elif result.traits_columns:
        console.print(
            f"Kept as traits: {', '.join(result.traits_columns)}.", highlight=False, soft_wrap=True
        )
    if result.dry_run:
        console.print("Dry run: nothing was written.")


class _Bar:
    """Shows a progress bar on stderr once a file is large enough to be worth one."""

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, done: int, total: int, unit: str) -> None:
        if self.progress is None:
            # Only the file's own size opens the bar; the "Segments" step joins an open one.
            big = total >= (PROGRESS_MIN_BYTES if unit == "bytes" else PROGRESS_MIN_ROWS)
            if unit == "steps" or not big:
                return
            self.progress = Progress(
                TextColumn("{task.description:<9}"),
                BarColumn(),
                TextColumn("{task.fields[amount]}"),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            )
            self.progress.start()
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(phase, total=total or None, amount="")
        self.progress.update(self.tasks[phase], completed=done, amount=_amount(done, total, unit))

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _amount(done: int, total: int, unit: str) -> str:
    if unit == "bytes":
        return f"{done / 1e6:.1f}/{total / 1e6:.1f} MB"
    if unit == "rows":
        return f"{done:,}/{total:,} rows"
    return ""


@contextmanager
def _progress_bar() -> Iterator[_Bar]:
    bar = _Bar()
    try:
        yield bar
    finally:
        bar.stop()
