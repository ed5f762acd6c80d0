"""headway metrics surveys: NPS, CSAT, CES and the response rate of a period."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table

from headway.accounts.service import get_account_by_external_id
from headway.core.console import command_session, console, err_console, print_json
from headway.core.errors import HeadwayError, NotFound
from headway.support.reports import parse_day
from headway.surveys.reports import survey_metrics

NOT_DEFINED = "—"


def _day(value: str | None, *, end: bool) -> date | None:
    try:
        return parse_day(value, end=end)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def metrics_surveys(
    first_day: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="First day of answers, YYYY-MM-DD or YYYY-MM (default: 29 days before --to).",
            show_default=False,
        ),
    ] = None,
    last_day: Annotated[
        str | None,
        typer.Option(
            "--to", help="Last day, YYYY-MM-DD or YYYY-MM (default: today).", show_default=False
        ),
    ] = None,
    segment: Annotated[
        str | None,
        typer.Option(
            "--segment", help="Only accounts now in this segment (key).", show_default=False
        ),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option("--account", help="Only this account (external id).", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Survey metrics of the answers given in a period: NPS with promoters, passives and
    detractors, CSAT, CES mean and share agreeing, and the response rate."""
    first, last = _day(first_day, end=False), _day(last_day, end=True)
    with command_session() as session:
        try:
            account_id = None
            if account is not None:
                found = get_account_by_external_id(session=session, external_id=account)
                if found is None:
                    raise NotFound(f"no account has the external id {account!r}")
                account_id = found.id
            report = survey_metrics(
                session=session, first=first, last=last, account_id=account_id, segment=segment
            )
        except HeadwayError as error:
            err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    if as_json:
        print_json(report)
    else:
        console.print(_table(report))


def _percent(value: float | None) -> str:
    return NOT_DEFINED if value is None else f"{value * 100:.1f} %"


def _number(value: float | None, decimals: int = 2) -> str:
    return NOT_DEFINED if value is None else f"{value:.{decimals}f}"


def _table(r: dict[str, Any]) -> Table:
    period = r["period"]
    table = Table("metric", "value", title=f"Surveys {period['from']} to {period['to']}")
    nps = NOT_DEFINED if r["nps"] is None else f"{r['nps']:+.1f}"
    rows = [
        ("responses", str(r["responses"])),
        ("NPS", nps),
        (
            "promoters · passives · detractors",
            f"{r['promoters']} · {r['passives']} · {r['detractors']}",
        ),
        ("CSAT", f"{_percent(r['csat'])} of {r['csat_responses']}"),
        ("CES mean (1–7)", _number(r["ces_mean"])),
        ("CES agreeing (5–7)", f"{_percent(r['ces_agree_rate'])} of {r['ces_responses']}"),
        ("invitations sent", str(r["invitations_sent"])),
        ("response rate", f"{_percent(r['response_rate'])} ({r['answered']} answered)"),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table
