"""headway outcomes …: work on goals from the command line."""

from __future__ import annotations

import typer

app = typer.Typer(help="Outcome goals: sample the KPIs Headway computes.", no_args_is_help=True)
