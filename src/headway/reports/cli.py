"""headway report outcomes|coverage: outcome attainment and Appropriate Experience coverage."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Reports: outcome attainment, outputs vs outcomes, coverage.", no_args_is_help=True
)
