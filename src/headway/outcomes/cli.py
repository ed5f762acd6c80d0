"""headway outcomes …: work on goals from the command line."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from headway.core import clock
from headway.core.audit import Actor
from headway.core.console import command_session, console, err_console, print_json
from headway.core.errors import HeadwayError
from headway.outcomes.goals import sample_metric_goals

app = typer.Typer(help="Outcome goals: sample the KPIs Headway computes.", no_args_is_help=True)
SAMPLER = Actor.system("rule: sample metrics")


@app.command("sample-metrics")
def outcomes_sample_metrics(
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="The day to record, YYYY-MM-DD (default: today).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Record the day's value of every open goal whose KPI Headway computes (MRR, seats)."""
    day = as_of.date() if as_of else clock.today()
    with command_session() as session:
        try:
            sampled = sample_metric_goals(session=session, actor=SAMPLER, on=day)
        except HeadwayError as error:
            err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    if as_json:
        print_json({"sampled": sampled})
    else:
        console.print(f"Sampled {sampled} goal{'' if sampled == 1 else 's'} on {day}.")
