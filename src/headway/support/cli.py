"""headway metrics support: reply and resolution times, FCR, SLA, backlog and CSAT of a period."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table

from headway.accounts.service import get_account_by_external_id
from headway.core.console import command_session, console, err_console, print_json
from headway.core.errors import HeadwayError, NotFound
from headway.support.reports import parse_day, support_metrics

NOT_DEFINED = "—"


def _day(value: str | None, *, end: bool) -> date | None:
    try:
        return parse_day(value, end=end)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def metrics_support(
    first_day: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="First day of tickets created, YYYY-MM-DD or YYYY-MM (default: 29 days "
            "before --to).",
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
    priority: Annotated[
        str | None,
        typer.Option("--priority", help="Only tickets of this priority.", show_default=False),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option("--account", help="Only this account (external id).", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Support metrics of the tickets created in a period: reply and resolution times, FCR,
    SLA attainment, backlog, reopen rate, volume and CSAT."""
    first, last = _day(first_day, end=False), _day(last_day, end=True)
    with command_session() as session:
        try:
            account_id = None
            if account is not None:
                found = get_account_by_external_id(session=session, external_id=account)
                if found is None:
                    raise NotFound(f"no account has the external id {account!r}")
                account_id = found.id
            report = support_metrics(
                session=session,
                first=first,
                last=last,
                account_id=account_id,
                segment=segment,
                priority=priority,
            )
        except HeadwayError as error:
            err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    if as_json:
        print_json(report)
    else:
        console.print(_table(report))


def _hours(value: float | None) -> str:
    return NOT_DEFINED if value is None else f"{value:.1f} h"


def _percent(value: float | None) -> str:
    return NOT_DEFINED if value is None else f"{value * 100:.1f} %"


def _number(value: float | None) -> str:
    return NOT_DEFINED if value is None else f"{value:.2f}"


def _table(r: dict[str, Any]) -> Table:
    period = r["period"]
    table = Table("metric", "value", title=f"Support {period['from']} to {period['to']}")
    rows = [
        ("tickets created", str(r["tickets"])),
        ("first reply, median", _hours(r["first_reply_median_hours"])),
        ("first reply, p90", _hours(r["first_reply_p90_hours"])),
        ("first reply, median (business hours)", _hours(r["first_reply_business_median_hours"])),
        ("without reply", str(r["without_reply"])),
        ("resolution, median", _hours(r["resolution_median_hours"])),
        ("resolution, p90", _hours(r["resolution_p90_hours"])),
        ("resolution, median (business hours)", _hours(r["resolution_business_median_hours"])),
        ("FCR (one-touch)", _percent(r["fcr_rate"])),
        ("SLA attainment", _percent(r["sla_attainment"])),
        ("backlog at the end", str(r["backlog"])),
        ("reopen rate", _percent(r["reopen_rate"])),
        ("tickets per account per month", _number(r["tickets_per_account_month"])),
        ("tickets per 10 seats per month", _number(r["tickets_per_10_seats_month"])),
        ("CSAT", _percent(r["csat"])),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table
