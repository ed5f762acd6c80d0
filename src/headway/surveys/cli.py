"""(being written)"""

from __future__ import annotations

import typer

app = typer.Typer(help="Survey campaigns: send invitations and reminders.", no_args_is_help=True)
