"""headway usage stats|rollup: what has been received, and rolling it up by day."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from headway.core.console import command_session, console, err_console, print_json
from headway.core.errors import HeadwayError
from headway.usage.rollup import SOURCES, rollup_usage
from headway.usage.service import usage_stats

app = typer.Typer(help="Product usage: stats and daily rollups.", no_args_is_help=True)

# What each figure of `usage stats` counts, as the table labels it.
STATS_LABELS = {
    "events": "events stored",
    "accounts": "accounts (keys events name)",
    "users": "users (userId, else anonymousId)",
    "known_accounts": "accounts in Headway",
    "events_without_account": "events waiting for an account",
}


@app.command("stats")
def usage_stats_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show how many events are stored, for how many accounts and users."""
    with command_session() as session:
        stats = usage_stats(session=session)
    if as_json:
        print_json(stats)
        return
    table = Table("", "count", title="Product usage")
    for key, value in stats.items():
        table.add_row(STATS_LABELS.get(key, key.replace("_", " ")), f"{value:,}")
    console.print(table)


@app.command("rollup")
def usage_rollup_command(
    source: Annotated[
        str, typer.Option("--source", help=f"Where the events are: {', '.join(SOURCES)}.")
    ] = "app",
    path: Annotated[
        str | None,
        typer.Option("--path", help="The events file or glob (Parquet, CSV, JSON lines)."),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Rebuild every day from this source.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Roll the events that are new since the last run up by account and day."""
    with command_session() as session, err_console.status(f"Rolling up events from {source}…"):
        try:
            run = rollup_usage(session=session, source=source, path=path, full=full)
        except HeadwayError as error:
            err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    if as_json:
        print_json(asdict(run))
        return
    watermark = run.watermark.isoformat() if isinstance(run.watermark, datetime) else run.watermark
    console.print(
        f"Rolled up {run.events_read:,} new events from {run.source}: "
        f"{run.days_written:,} account-days written in {run.seconds:.1f} s "
        f"(watermark {watermark}).",
        highlight=False,
    )
