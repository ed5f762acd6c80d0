"""headway metrics revenue|cohorts: revenue metrics and cohort retention, as tables or JSON."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from headway.config import get_settings
from headway.core.console import command_session, console, err_console, print_json
from headway.core.errors import HeadwayError
from headway.core.money import minor_exponent
from headway.revenue.metrics import CohortMeasure, CohortPeriod
from headway.revenue.schemas import (
    CohortMatrixRead,
    RevenueBy,
    RevenueMetricsRead,
    cohort_matrix_read,
    parse_year_month,
    revenue_report_read,
)
from headway.revenue.service import RevenueOptions, cohort_retention_matrix, revenue_metrics
from headway.users.service import get_user_by_email

app = typer.Typer(
    help="Revenue metrics: MRR movements, churn, GRR, NRR, LTV, CAC and cohort retention.",
    no_args_is_help=True,
)

NOT_DEFINED = "—"


def _month(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_year_month(value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


FirstMonthOption = Annotated[
    str | None,
    typer.Option(
        "--from", help="First month, YYYY-MM (default: 11 months before --to).", show_default=False
    ),
]
LastMonthOption = Annotated[
    str | None,
    typer.Option(
        "--to", help="Last month, YYYY-MM (default: the last complete month).", show_default=False
    ),
]
SegmentOption = Annotated[
    str | None,
    typer.Option("--segment", help="Only accounts now in this segment (key).", show_default=False),
]
OwnerOption = Annotated[
    str | None,
    typer.Option("--owner", help="Only accounts owned by this CSM (email).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("revenue")
def metrics_revenue(
    first_month: FirstMonthOption = None,
    last_month: LastMonthOption = None,
    by: Annotated[
        RevenueBy, typer.Option("--by", help="period: one result; month: one per month.")
    ] = RevenueBy.PERIOD,
    segment: SegmentOption = None,
    owner: OwnerOption = None,
    reactivation_window: Annotated[
        int | None,
        typer.Option(
            "--reactivation-window",
            min=0,
            help="Days after churning within which a return is reactivation, else new "
            "(default: HEADWAY_REACTIVATION_WINDOW_DAYS; unset = any time).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """MRR movements, churn and retention rates, ARPA, LTV and CAC of a period of months."""
    options = RevenueOptions.from_settings(
        get_settings(), reactivation_window_days=reactivation_window
    )
    first, last = _month(first_month), _month(last_month)
    with command_session() as session:
        try:
            report = revenue_metrics(
                session=session,
                options=options,
                first_month=first,
                last_month=last,
                segment=segment,
                owner_id=_owner_id(session, owner),
                by_month=by is RevenueBy.MONTH,
            )
        except HeadwayError as error:
            err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    periods = revenue_report_read(report)
    if as_json:
        if by is RevenueBy.MONTH:
            print_json([p.model_dump(mode="json") for p in periods])
        else:
            print_json(periods[0].model_dump(mode="json"))
    elif by is RevenueBy.MONTH:
        console.print(_months_table(periods))
    else:
        console.print(_period_table(periods[0]))


@app.command("cohorts")
def metrics_cohorts(
    by: Annotated[
        CohortPeriod,
        typer.Option("--by", help="Group accounts by the month or quarter they first paid."),
    ] = CohortPeriod.MONTH,
    measure: Annotated[
        CohortMeasure,
        typer.Option("--measure", help="logos: accounts still paying; mrr: MRR retained."),
    ] = CohortMeasure.LOGOS,
    first_month: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="First cohort's month, YYYY-MM (default: 12 months or 8 quarters before --to).",
            show_default=False,
        ),
    ] = None,
    last_month: LastMonthOption = None,
    segment: SegmentOption = None,
    owner: OwnerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cohort retention matrix: each cohort's logos (or MRR) retained k months or quarters on."""
    options = RevenueOptions.from_settings(get_settings())
    first, last = _month(first_month), _month(last_month)
    with command_session() as session:
        try:
            report = cohort_retention_matrix(
                session=session,
                options=options,
                by=by,
                measure=measure,
                first_month=first,
                last_month=last,
                segment=segment,
                owner_id=_owner_id(session, owner),
            )
        except HeadwayError as error:
            err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    matrix = cohort_matrix_read(report)
    if as_json:
        print_json(matrix.model_dump(mode="json"))
    else:
        console.print(_cohorts_table(matrix))


def _owner_id(session: Session, email: str | None) -> int | None:
    if email is None:
        return None
    user = get_user_by_email(session=session, email=email)
    if user is None:
        err_console.print(f"[red]error:[/red] no Headway user has the email {email!r}")
        raise typer.Exit(1)
    return user.id


# --- tables for people ---------------------------------------------------------------------


def _money(currency: str) -> Callable[[float | None], str]:
    places = minor_exponent(currency)
    return lambda value: NOT_DEFINED if value is None else f"{value:,.{places}f}"


def _percent(value: float | None) -> str:
    return NOT_DEFINED if value is None else f"{value * 100:.1f} %"


def _number(value: float | None) -> str:
    return NOT_DEFINED if value is None else f"{value:.2f}"


def _period_table(m: RevenueMetricsRead) -> Table:
    money = _money(m.currency)
    d = m.definitions
    period = m.period
    title = f"Revenue {period.first_month} to {period.last_month} ({m.currency})"
    if m.converted_currencies:
        title += f", converted from {', '.join(m.converted_currencies)}"
    table = Table("metric", "value", "definition", title=title)
    rows: list[tuple[str, str, str]] = [
        (f"MRR on {period.start_date}", money(m.mrr_start), "mrr_start"),
        ("new", money(m.new), "movements"),
        ("expansion", money(m.expansion), "movements"),
        ("reactivation", money(m.reactivation), "movements"),
        ("contraction", money(-m.contraction), "movements"),
        ("churn", money(-m.churn), "movements"),
        ("net new MRR", money(m.net_new), "net_new"),
        (f"MRR on {period.end_date}", money(m.mrr_end), "mrr_end"),
        ("gross MRR churn rate", _percent(m.gross_mrr_churn_rate), "gross_mrr_churn_rate"),
        ("net MRR churn rate", _percent(m.net_mrr_churn_rate), "net_mrr_churn_rate"),
        ("GRR", _percent(m.grr), "grr"),
        ("NRR", _percent(m.nrr), "nrr"),
        ("GRR, trailing 12 months", _percent(m.grr_cohort), "grr_cohort"),
        ("NRR, trailing 12 months", _percent(m.nrr_cohort), "nrr_cohort"),
        ("logo churn rate", _percent(m.logo_churn_rate), "logo_churn_rate"),
        ("expansion rate", _percent(m.expansion_rate), "expansion_rate"),
        ("quick ratio", _number(m.quick_ratio), "quick_ratio"),
        ("paying accounts at start → end", f"{m.accounts_start} → {m.accounts_end}", ""),
        ("ARPA", money(m.arpa), "arpa"),
        ("LTV", money(m.ltv), "ltv"),
        ("sales and marketing spend", money(m.spend), "cac"),
        ("CAC", money(m.cac), "cac"),
        ("CAC payback (months)", _number(m.cac_payback_months), "cac_payback_months"),
        ("LTV : CAC", _number(m.ltv_to_cac), "ltv_to_cac"),
    ]
    for label, value, key in rows:
        table.add_row(label, value, d[key].definition if key in d else "")
    return table


def _months_table(periods: list[RevenueMetricsRead]) -> Table:
    currency = periods[0].currency if periods else get_settings().reporting_currency
    money = _money(currency)
    table = Table(
        "month",
        "MRR start",
        "new",
        "expansion",
        "reactivation",
        "contraction",
        "churn",
        "MRR end",
        "NRR",
        "GRR",
        "logo churn",
        "quick ratio",
        title=f"Revenue by month ({currency})",
    )
    for m in periods:
        table.add_row(
            m.period.first_month,
            money(m.mrr_start),
            money(m.new),
            money(m.expansion),
            money(m.reactivation),
            money(-m.contraction),
            money(-m.churn),
            money(m.mrr_end),
            _percent(m.nrr),
            _percent(m.grr),
            _percent(m.logo_churn_rate),
            _number(m.quick_ratio),
        )
    return table


def _cohorts_table(matrix: CohortMatrixRead) -> Table:
    unit = "month" if matrix.by == "month" else "quarter"
    width = max((len(c.retention) for c in matrix.cohorts), default=0)
    table = Table(
        "cohort",
        "accounts",
        *(f"{unit} {k}" for k in range(width)),
        title=f"Retention of {matrix.measure} by first paying {unit}",
    )
    for cohort in matrix.cohorts:
        cells = [_percent(value) for value in cohort.retention]
        table.add_row(cohort.cohort, str(cohort.accounts), *cells, *([""] * (width - len(cells))))
    return table
