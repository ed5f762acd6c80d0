"""headway accounts …: list accounts and apply the segment rules."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from headway.accounts.schemas import AccountFilter, AccountSort, account_read
from headway.config import get_settings
from headway.core import clock
from headway.core.audit import Actor
from headway.core.console import command_session, console, print_json
from headway.core.money import format_money
from headway.revenue.service import apply_segment_rules, list_accounts_with_mrr

app = typer.Typer(help="Accounts: list them, re-segment them by rule.", no_args_is_help=True)


@app.command("list")
def accounts_list(
    q: Annotated[str | None, typer.Option(help="Search name, domain or external id.")] = None,
    segment: Annotated[str | None, typer.Option(help="Segment key.")] = None,
    stage: Annotated[str | None, typer.Option(help="Lifecycle stage key.")] = None,
    sort: Annotated[AccountSort, typer.Option(help="Sort order.")] = AccountSort.NAME,
    page: Annotated[int, typer.Option(min=1)] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List accounts with today's MRR in the reporting currency."""
    currency = get_settings().reporting_currency
    with command_session() as session:
        rows, total = list_accounts_with_mrr(
            session=session,
            filters=AccountFilter(q=q, segment=segment, stage=stage),
            sort=sort,
            page=page,
            per_page=per_page,
            on=clock.today(),
            currency=currency,
        )
        items = [account_read(r.account, r.mrr_minor, currency) for r in rows]
    if as_json:
        print_json(
            {
                "items": [i.model_dump(mode="json") for i in items],
                "total": total,
                "page": page,
                "per_page": per_page,
            }
        )
        return
    table = Table(
        "external id", "name", "segment", "stage", f"MRR ({currency})", title=f"{total} accounts"
    )
    for item, row in zip(items, rows, strict=True):
        table.add_row(
            item.external_id,
            item.name,
            item.segment or "—",
            item.stage or "—",
            format_money(row.mrr_minor, currency, decimals=0),
        )
    console.print(table)


@app.command("resegment")
def accounts_resegment(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Apply the segments' ARR rules to every account whose segment was not set by hand."""
    currency = get_settings().reporting_currency
    with command_session() as session:
        moved = apply_segment_rules(
            session=session, actor=Actor.system("rule: segments"), currency=currency
        )
    if as_json:
        print_json({"moved": moved})
    else:
        console.print(f"{moved} accounts changed segment.")
