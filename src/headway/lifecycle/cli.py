"""headway lifecycle ttfv|apply: time to first value and the daily stage rules."""

from __future__ import annotations

import typer

app = typer.Typer(help="Lifecycle: time to first value and stage rules.", no_args_is_help=True)
