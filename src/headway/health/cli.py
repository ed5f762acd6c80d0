"""headway health score|backtest|export|import: daily scores and scorecards as code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from headway.core import clock
from headway.core.console import command_session, console, err_console, print_json
from headway.core.errors import HeadwayError
from headway.health.scorecard_commands import (
    health_backtest,
    health_export,
    health_import,
    health_scorecards,
)
from headway.health.scores import band_counts, score_accounts

app = typer.Typer(help="Customer health: scores, scorecards, backtests.", no_args_is_help=True)
app.command("scorecards")(health_scorecards)
app.command("export")(health_export)
app.command("import")(health_import)
app.command("backtest")(health_backtest)
# Scoring at least this many accounts shows a progress bar.
PROGRESS_FROM_ACCOUNTS = 2_000


@contextmanager
def _scoring_bar() -> Iterator[_ScoringBar]:
    bar = _ScoringBar()
    try:
        yield bar
    finally:
        if bar.progress is not None:
            bar.progress.stop()


class _ScoringBar:
    """A progress bar on stderr, opened once there are enough accounts to be worth one."""

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.total = total
        if self.progress is None:
            if total < PROGRESS_FROM_ACCOUNTS:
                return
            self.progress = Progress(
                TextColumn("Scoring"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err_console,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("score", total=total)
        self.progress.update(self.task, completed=done)


@app.command("score")
def health_score(
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="The day to score, YYYY-MM-DD (default: today). Rescoring a day replaces it.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score every customer for a day with its scorecard and keep the scores."""
    day = as_of.date() if as_of else clock.today()
    with command_session() as session, _scoring_bar() as bar:
        try:
            scored = score_accounts(session=session, as_of=day, progress=bar)
        except HeadwayError as error:
            err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        bands = band_counts(session=session, day=day)
    summary = {
        "as_of": day.isoformat(),
        "customers": bar.total,
        "scored": scored,
        "no_score": bar.total - scored,
        "bands": bands,
    }
    if as_json:
        print_json(summary)
        return
    console.print(
        f"Scored {scored} of {bar.total} customer{'' if bar.total == 1 else 's'} on {day}: "
        f"{bands['green']} green, {bands['yellow']} yellow, {bands['red']} red, "
        f"{bar.total - scored} without data.",
        highlight=False,
    )
