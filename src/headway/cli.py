"""The headway command: attaches each domain's sub-commands."""

from __future__ import annotations

from typing import Annotated

import typer

import headway.tables  # noqa: F401  (every table known before the first write)
from headway.accounts import cli as accounts_cli
from headway.config import DEV_SECRET_KEY, get_settings
from headway.core.console import console, err_console
from headway.core.db import upgrade_schema
from headway.demo import cli as demo_cli
from headway.health import cli as health_cli
from headway.importers import cli as importers_cli
from headway.lifecycle import cli as lifecycle_cli
from headway.outcomes import cli as outcomes_cli
from headway.reports import cli as reports_cli
from headway.revenue import cli as revenue_cli
from headway.support import cli as support_cli
from headway.surveys import cli as surveys_cli
from headway.surveys import metrics_cli as survey_metrics_cli
from headway.usage import cli as usage_cli
from headway.users import cli as users_cli

app = typer.Typer(
    help="Headway: customer success measured by the outcomes customers reach.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_cli.app, name="user")
app.add_typer(users_cli.keys_app, name="keys")
app.add_typer(accounts_cli.app, name="accounts")
app.add_typer(importers_cli.app, name="import")
app.add_typer(demo_cli.app, name="demo")
app.add_typer(revenue_cli.app, name="metrics")
revenue_cli.app.command("support")(support_cli.metrics_support)
revenue_cli.app.command("surveys")(survey_metrics_cli.metrics_surveys)
app.add_typer(reports_cli.app, name="report")
app.add_typer(outcomes_cli.app, name="outcomes")
app.add_typer(usage_cli.app, name="usage")
app.add_typer(health_cli.app, name="health")
app.add_typer(lifecycle_cli.app, name="lifecycle")
app.add_typer(surveys_cli.app, name="surveys")
app.command("daily")(lifecycle_cli.daily)  # the job cron runs: `headway daily`


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply the database migrations (run on every deploy)."""
    url = get_settings().database_url
    upgrade_schema(url, revision)
    console.print(f"Database at {revision}.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
) -> None:
    """Run the web app and API."""
    import uvicorn

    settings = get_settings()
    if settings.secret_key == DEV_SECRET_KEY:
        # The development key is public: anyone could sign a session cookie with it.
        if host not in LOOPBACK_HOSTS:
            err_console.print(
                "[red]error:[/red] set HEADWAY_SECRET_KEY to a long random value before serving "
                f"on {host}: the development key is public and would let anyone forge a login."
            )
            raise typer.Exit(2)
        err_console.print(
            "[yellow]warning:[/yellow] using the public development secret key; set "
            "HEADWAY_SECRET_KEY before serving beyond this machine."
        )
    from headway.main import create_app

    create_app(settings)  # creates or upgrades the schema before the server listens
    uvicorn.run(
        "headway.main:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        log_level=settings.log_level,
    )


if __name__ == "__main__":
    app()
