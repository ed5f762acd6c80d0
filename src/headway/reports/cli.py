"""headway report outcomes|coverage|support-success: outcome attainment, Appropriate Experience
coverage, and support load beside CS work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from headway.accounts.service import get_account_by_external_id
from headway.core.console import command_session, console, err_console, print_json
from headway.core.errors import HeadwayError, NotFound
from headway.reports.schemas import (
    ComplianceRead,
    CoverageReportRead,
    OutcomeReportRead,
    coverage_report_read,
    outcome_report_read,
)
from headway.reports.service import coverage_report, outcome_report
from headway.reports.support_success import account_support_success, portfolio_support_success
from headway.support.reports import parse_day
from headway.users.service import get_user_by_email

app = typer.Typer(
    help="Reports: outcome attainment, outputs vs outcomes, coverage, support & success.",
    no_args_is_help=True,
)

NOT_DEFINED = "—"
SHOWN_GAPS = 50  # the table for people; --json has every gap

T = TypeVar("T")


def _day_option(flag: str, text: str) -> object:
    return typer.Option(flag, formats=["%Y-%m-%d"], help=text, show_default=False)


FromOption = Annotated[
    datetime | None,
    _day_option("--from", "The period's first day, YYYY-MM-DD (default: 89 days before --to)."),
]
ToOption = Annotated[
    datetime | None,
    _day_option("--to", "The period's last day, included, YYYY-MM-DD (default: --as-of)."),
]
AsOfOption = Annotated[
    datetime | None,
    _day_option("--as-of", "Judge the figures as of this day, YYYY-MM-DD (default: today)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _run(work: Callable[[Session], T]) -> T:
    """Run a report on the configured database; a refused input exits 1 with the reason."""
    with command_session() as session:
        try:
            return work(session)
        except HeadwayError as error:
            err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


@app.command("outcomes")
def report_outcomes(
    first_day: FromOption = None,
    last_day: ToOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Outcome attainment of a period by segment, CSM and goal template; outputs vs outcomes."""
    report = _run(
        lambda session: outcome_report_read(
            outcome_report(
                session=session, start=_day(first_day), end=_day(last_day), as_of=_day(as_of)
            )
        )
    )
    if as_json:
        print_json(report.model_dump(mode="json", by_alias=True))
        return
    for table in _outcome_tables(report):
        console.print(table)


@app.command("coverage")
def report_coverage(
    segment: Annotated[
        str | None,
        typer.Option("--segment", help="Only accounts in this segment (key).", show_default=False),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option("--owner", help="Only accounts this CSM owns (email).", show_default=False),
    ] = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compliance with each segment's required touches, and the gaps, most overdue first."""
    report = _run(
        lambda session: coverage_report_read(
            coverage_report(
                session=session,
                as_of=_day(as_of),
                segment=segment,
                owner_id=_owner_id(session, owner),
            )
        )
    )
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    for table in _coverage_tables(report):
        console.print(table)
    if len(report.gaps) > SHOWN_GAPS:
        console.print(f"… and {len(report.gaps) - SHOWN_GAPS} more gaps (--json lists them all).")


def _period_day(value: str | None, *, end: bool) -> date | None:
    try:
        return parse_day(value, end=end)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _account_id(session: Session, external_id: str) -> int:
    found = get_account_by_external_id(session=session, external_id=external_id)
    if found is None:
        raise NotFound(f"no account has the external id {external_id!r}")
    return found.id


@app.command("support-success")
def report_support_success(
    first_day: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="The period's first day, YYYY-MM-DD or YYYY-MM (default: 89 days before --to).",
            show_default=False,
        ),
    ] = None,
    last_day: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="The period's last day, YYYY-MM-DD or YYYY-MM (default: today).",
            show_default=False,
        ),
    ] = None,
    segment: Annotated[
        str | None,
        typer.Option("--segment", help="Only accounts in this segment (key).", show_default=False),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option("--owner", help="Only accounts this CSM owns (email).", show_default=False),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option("--account", help="One account (external id).", show_default=False),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Support load (tickets, resolution, CSAT, effort) beside CS work (activities, goals
    progressed, coverage) of a period, and the accounts that need a proactive touch."""
    first, last = _period_day(first_day, end=False), _period_day(last_day, end=True)

    def work(session: Session) -> dict[str, Any]:
        if account is not None:
            return account_support_success(
                session=session, account_id=_account_id(session, account), first=first, last=last
            )
        return portfolio_support_success(
            session=session,
            first=first,
            last=last,
            segment=segment,
            owner_id=_owner_id(session, owner),
        )

    report = _run(work)
    if as_json:
        print_json(report)
        return
    for table in _support_success_tables(report):
        console.print(table)


def _owner_id(session: Session, email: str | None) -> int | None:
    if email is None:
        return None
    user = get_user_by_email(session=session, email=email)
    if user is None:
        err_console.print(f"[red]error:[/red] no Headway user has the email {email!r}")
        raise typer.Exit(1)
    return user.id


# --- tables for people ---------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return NOT_DEFINED if value is None else f"{value * 100:.1f} %"


def _outcome_tables(r: OutcomeReportRead) -> list[Table]:
    total = Table(
        "goals due",
        "achieved",
        "attainment",
        "at risk",
        title=f"Outcomes {r.period_from} to {r.period_to}",
        caption=f"as of {r.as_of}",
    )
    total.add_row(
        str(r.goals_due), str(r.goals_achieved), _percent(r.attainment_rate), str(r.at_risk)
    )
    tables = [total]
    for title, rows in (
        ("By segment", [(x.name, x) for x in r.by_segment]),
        ("By CSM", [(x.name, x) for x in r.by_csm]),
        ("By goal template", [(x.name, x) for x in r.by_template]),
    ):
        table = Table("", "goals due", "achieved", "attainment", "at risk", title=title)
        for name, x in rows:
            table.add_row(
                name,
                str(x.goals_due),
                str(x.goals_achieved),
                _percent(x.attainment_rate),
                str(x.at_risk),
            )
        tables.append(table)
    csms = Table(
        "CSM",
        "achieved",
        "attainment",
        "accounts",
        "share",
        "activities",
        "hours",
        title="Outputs vs outcomes, outcomes first",
        caption="accounts: current accounts with a goal achieved in the period",
    )
    for c in r.outputs_vs_outcomes:
        csms.add_row(
            c.name,
            f"{c.goals_achieved} of {c.goals_due}",
            _percent(c.attainment_rate),
            f"{c.accounts_with_achievement} of {c.accounts}",
            _percent(c.achievement_share),
            str(c.activities),
            f"{c.activity_hours:.1f}",
        )
    tables.append(csms)
    return tables


def _compliance_row(c: ComplianceRead) -> list[str]:
    return [
        str(c.accounts),
        str(c.accounts_covered),
        str(c.accounts_with_gap),
        _percent(c.compliance_rate),
        str(c.overdue_days),
    ]


def _coverage_tables(r: CoverageReportRead) -> list[Table]:
    columns = ("accounts", "covered", "with a gap", "compliance", "overdue days")
    total = Table(*columns, title=f"Coverage as of {r.as_of}")
    total.add_row(*_compliance_row(r.summary))
    tables = [total]
    for title, rows in (
        ("By segment", [(x.name, x) for x in r.by_segment]),
        ("By CSM", [(x.name, x) for x in r.by_csm]),
    ):
        table = Table("", *columns, title=title)
        for name, x in rows:
            table.add_row(name, *_compliance_row(x))
        tables.append(table)
    gaps = Table(
        "overdue",
        "account",
        "touch",
        "CSM",
        "due",
        title="Gaps, most overdue first",
        caption="overdue in days",
    )
    for g in r.gaps[:SHOWN_GAPS]:
        gaps.add_row(
            str(g.overdue_days), g.account_name, g.requirement, g.owner_name, str(g.due_on)
        )
    tables.append(gaps)
    return tables


def _support_row(name: str, figures: dict[str, Any]) -> list[str]:
    s = figures["support"]
    hours, effort = s["resolution_median_hours"], s["ces_mean"]
    return [
        name,
        str(s["tickets"]),
        str(s["tickets_previous"]),
        NOT_DEFINED if hours is None else f"{hours:.1f} h",
        _percent(s["csat"]),
        NOT_DEFINED if effort is None else f"{effort:.1f}",
    ]


def _success_row(name: str, figures: dict[str, Any]) -> list[str]:
    w = figures["success"]
    return [
        name,
        str(w["activities"]),
        f"{w['activity_hours']:.1f}",
        f"{w['accounts_touched']} of {figures.get('accounts', 1)}",
        str(w["goals_progressed"]),
        _percent(w["coverage"]),
    ]


def _support_success_tables(r: dict[str, Any]) -> list[Table]:
    period = f"{r['period']['from']} to {r['period']['to']}"
    support = Table(
        "", "tickets", "before", "resolve", "CSAT", "effort",
        title=f"Support, reactive: {period}",
        caption="tickets: created (in the previous period); resolve: median; effort: mean CES",
    )  # fmt: skip
    success = Table(
        "", "activities", "hours", "touched", "goals", "coverage",
        title=f"Success, proactive: {period}",
        caption="touched: accounts with a proactive touch; goals: with new evidence; "
        "coverage: required touches met",
    )  # fmt: skip
    groups = [[(r["account"]["name"], r)]] if "account" in r else [[("all accounts", r)]]
    if "account" not in r:
        groups += [[(x["name"], x) for x in r["by_segment"]], [(x["name"], x) for x in r["by_csm"]]]
    for rows in groups:
        for n, (name, figures) in enumerate(rows, start=1):
            last = n == len(rows)
            support.add_row(*_support_row(name, figures), end_section=last)
            success.add_row(*_success_row(name, figures), end_section=last)
    if "account" in r:
        return [support, success]
    attention = Table(
        "account", "CSM", "why", "last touch", title="Accounts needing a proactive touch"
    )
    for a in r["attention"][:SHOWN_GAPS]:
        attention.add_row(
            a["name"], a["owner_name"], a["why"], a["last_proactive_touch"] or NOT_DEFINED
        )
    return [support, success, attention]
