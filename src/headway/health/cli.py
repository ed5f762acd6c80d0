"""headway health score|backtest|export|import: daily scores and scorecards as code."""

from __future__ import annotations

import typer

app = typer.Typer(help="Customer health: scores, scorecards, backtests.", no_args_is_help=True)
