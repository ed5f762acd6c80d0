"""headway usage stats|rollup: what has been received, and rolling it up by day."""

from __future__ import annotations

import typer

app = typer.Typer(help="Product usage: stats and daily rollups.", no_args_is_help=True)
