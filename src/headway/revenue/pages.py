"""The revenue dashboard: MRR movements, retention trends and cohorts, filtered by segment,
CSM and period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from headway.accounts.presenters import major_units, owner_candidates
from headway.accounts.service import list_segments
from headway.core import clock
from headway.core.errors import InvalidInput
from headway.core.fields import MAX_DB_INT
from headway.core.money import format_money
from headway.revenue.metrics import (
    CohortMeasure,
    CohortPeriod,
    PeriodMetrics,
    month_label,
    month_number,
    month_start,
    quarter_label,
)
from headway.revenue.schemas import COHORT_DEFINITIONS, parse_year_month
from headway.revenue.service import (
    CohortReport,
    RevenueOptions,
    RevenueReport,
    cohort_retention_matrix,
    revenue_metrics,
)
from headway.users.service import list_users
from headway.web.auth import PageUser, SessionDep, settings_of, verify_csrf
from headway.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

DEFAULT_MONTHS = 12
UNDEFINED = "—"


# --- presenters: plain functions over what the services return -------------------------------


@dataclass(frozen=True)
class DashboardQuery:
    """What a dashboard URL asks for; blank means the default."""

    segment: str = ""
    owner: str = ""
    first: str = ""
    last: str = ""
    cohorts: CohortPeriod = CohortPeriod.MONTH
    measure: CohortMeasure = CohortMeasure.LOGOS

    def owner_id(self) -> int | None:
        if not self.owner:
            return None
        if not self.owner.isdigit() or not 1 <= int(self.owner) <= MAX_DB_INT:
            raise InvalidInput(f"owner must be a user id, not {self.owner!r}")
        return int(self.owner)

    def months(self, today: date) -> tuple[date, date]:
        """The period's first and last month; by default the last 12 complete months."""
        last = _month(self.last, "to") if self.last else month_start(month_number(today) - 1)
        first = (
            _month(self.first, "from")
            if self.first
            else month_start(month_number(last) - DEFAULT_MONTHS + 1)
        )
        return first, last

    def url(self, **changes: Any) -> str:
        values = {
            "segment": self.segment,
            "owner": self.owner,
            "from": self.first,
            "to": self.last,
            "cohorts": self.cohorts.value,
            "measure": self.measure.value,
        }
        values.update(changes)
        params = {
            k: v
            for k, v in values.items()
            if v and not (k == "cohorts" and v == "month") and not (k == "measure" and v == "logos")
        }
        return "/revenue" + (f"?{urlencode(params)}" if params else "")


def _month(value: str, name: str) -> date:
    try:
        return parse_year_month(value)
    except ValueError as error:
        raise InvalidInput(f"{name}: {error}") from None


@dataclass(frozen=True)
class Figure:
    """A headline figure, its value as shown, and what it means."""

    key: str
    label: str
    value: str
    definition: str
    note: str = ""


def percent(value: float | None, decimals: int = 1) -> str:
    """A fraction as a percentage; undefined shows as an em dash."""
    return UNDEFINED if value is None else f"{value * 100:.{decimals}f} %"


def _money(minor: float | None, currency: str) -> str:
    return UNDEFINED if minor is None else format_money(minor, currency, decimals=0)


def _signed_money(minor: float, currency: str) -> str:
    return ("+" if minor > 0 else "") + _money(minor, currency)


def _definition(definitions: dict[str, tuple[str, str]], key: str) -> str:
    variant, text = definitions.get(key, ("", ""))
    return f"{text} (variant: {variant})" if variant and variant != "default" else text


def headline_figures(report: RevenueReport) -> list[Figure]:
    """The period's headline figures, each with the definition behind it."""
    m: PeriodMetrics = report.periods[0]
    c = report.currency
    d = report.definitions

    def figure(key: str, label: str, value: str, note: str = "") -> Figure:
        return Figure(key, label, value, _definition(d, key), note)

    ratio = UNDEFINED if m.quick_ratio is None else f"{m.quick_ratio:.2f}"
    return [
        figure("mrr_start", "MRR at start", _money(m.mrr_start, c), f"{m.accounts_start} paying"),
        figure("mrr_end", "MRR at end", _money(m.mrr_end, c), f"{m.accounts_end} paying"),
        figure(
            "net_new",
            "Net new MRR",
            _signed_money(m.net_new, c),
            f"new {_money(m.new, c)} · churn {_money(m.churn, c)}",
        ),
        figure("grr", "GRR", percent(m.grr), "gross revenue retention"),
        figure("nrr", "NRR", percent(m.nrr), "net revenue retention"),
        figure(
            "logo_churn_rate",
            "Logo churn",
            percent(m.logo_churn_rate),
            f"{m.lost_accounts} of {m.accounts_start} accounts lost",
        ),
        figure("quick_ratio", "Quick ratio", ratio, "(new + expansion) ÷ losses"),
        figure("arpa", "ARPA", _money(m.arpa, c), "MRR per paying account"),
        figure("nrr_cohort", "NRR (TTM cohort)", percent(m.nrr_cohort), "accounts of a year ago"),
        figure("grr_cohort", "GRR (TTM cohort)", percent(m.grr_cohort), "accounts of a year ago"),
    ]


# Positive movements above the axis, losses below it, in the order they stack.
MOVEMENTS = [
    ("new", "New", 1),
    ("expansion", "Expansion", 1),
    ("reactivation", "Reactivation", 1),
    ("contraction", "Contraction", -1),
    ("churn", "Churn", -1),
]


def movements_chart(monthly: RevenueReport) -> dict[str, Any]:
    """Stacked bars of each month's MRR movements (losses negative), with month-end MRR."""
    c = monthly.currency
    return {
        "kind": "mrr-movements",
        "currency": c,
        "labels": [month_label(m.first_month) for m in monthly.periods],
        "datasets": [
            {
                "label": label,
                "key": key,
                "data": [sign * major_units(getattr(m, key), c) for m in monthly.periods],
            }
            for key, label, sign in MOVEMENTS
        ],
        "line": {"label": "MRR", "data": [major_units(m.mrr_end, c) for m in monthly.periods]},
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def _rate_line(label: str, key: str, axis: str, values: list[float | None]) -> dict[str, Any]:
    return {"label": label, "key": key, "axis": axis, "data": [_rounded(v) for v in values]}


def retention_chart(monthly: RevenueReport) -> dict[str, Any]:
    """Monthly NRR and GRR (left axis) and logo churn (right axis), in percent."""
    periods = monthly.periods
    return {
        "kind": "rate-lines",
        "labels": [month_label(m.first_month) for m in periods],
        "datasets": [
            _rate_line("NRR", "nrr", "left", [m.nrr for m in periods]),
            _rate_line("GRR", "grr", "left", [m.grr for m in periods]),
            _rate_line("Logo churn", "logo-churn", "right", [m.logo_churn_rate for m in periods]),
        ],
    }


@dataclass(frozen=True)
class HeatCell:
    text: str
    shade: int  # 0 (none) to 10 (the most retained), a CSS class picks the colour
    title: str


@dataclass(frozen=True)
class HeatRow:
    cohort: str
    accounts: int
    base: str
    cells: list[HeatCell]


def cohort_heatmap(report: CohortReport) -> tuple[list[str], list[HeatRow]]:
    """The cohort matrix as table rows of shaded cells, and the column headings."""
    quarterly = report.by is CohortPeriod.QUARTER
    unit = "Q" if quarterly else "M"
    label = quarter_label if quarterly else month_label
    by_money = report.measure is CohortMeasure.MRR
    rows = []
    for row in report.cohorts:
        name = label(row.first_month)
        cells = []
        for k, value in enumerate(row.retention):
            shade = 0 if value is None else max(0, min(10, round(value * 10)))
            cells.append(
                HeatCell(
                    text=percent(value, 0),
                    shade=shade,
                    title=f"{name}, {unit}{k}: {percent(value)} retained",
                )
            )
        # A cohort nobody joined has no starting MRR to speak of.
        money = _money(row.starting_mrr if row.accounts else None, report.currency)
        base = money if by_money else str(row.accounts)
        rows.append(HeatRow(name, row.accounts, base, cells))
    width = max((len(r.cells) for r in rows), default=0)
    return [f"{unit}{k}" for k in range(width)], rows


# --- the page ------------------------------------------------------------------------------


@router.get("/revenue", response_class=HTMLResponse)
def revenue_dashboard(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    segment: Annotated[str, Query(max_length=64)] = "",
    owner: Annotated[str, Query(max_length=20)] = "",
    first: Annotated[str, Query(alias="from", max_length=7)] = "",
    to: Annotated[str, Query(max_length=7)] = "",
    cohorts: CohortPeriod = CohortPeriod.MONTH,
    measure: CohortMeasure = CohortMeasure.LOGOS,
) -> Response:
    """MRR movements, retention and cohorts of a period, by segment and CSM."""
    options = RevenueOptions.from_settings(settings_of(request))
    query = DashboardQuery(segment, owner, first, to, cohorts, measure)
    today = clock.today()
    context: dict[str, Any] = {
        "query": query,
        "currency": options.reporting_currency,
        "segments": list_segments(session=session),
        "owners": owner_candidates(list_users(session=session)),
        "revenue_error": None,
        "cohort_error": None,
        "figures": [],
        "report": None,
        "cohort_report": None,
    }
    # A figure that cannot be computed (a missing exchange rate, a period in the future) is
    # said on the page, beside the filters that can fix it, rather than as an error page.
    try:
        first_month, last_month = query.months(today)
        context.update(first_month=first_month, last_month=last_month)
        segment_key, owner_id = segment or None, query.owner_id()
        report = revenue_metrics(
            session=session,
            options=options,
            first_month=first_month,
            last_month=last_month,
            segment=segment_key,
            owner_id=owner_id,
        )
        monthly = revenue_metrics(
            session=session,
            options=options,
            first_month=first_month,
            last_month=last_month,
            by_month=True,
            segment=segment_key,
            owner_id=owner_id,
        )
        context.update(
            report=report,
            figures=headline_figures(report),
            movements_chart=movements_chart(monthly),
            retention_chart=retention_chart(monthly),
        )
    except InvalidInput as error:
        context["revenue_error"] = str(error)
        return render(request, "revenue/dashboard.html", context)
    try:
        cohort_report = cohort_retention_matrix(
            session=session,
            options=options,
            by=cohorts,
            measure=measure,
            first_month=first_month,
            last_month=last_month,
            segment=segment_key,
            owner_id=owner_id,
        )
        columns, rows = cohort_heatmap(cohort_report)
        context.update(
            cohort_report=cohort_report,
            cohort_columns=columns,
            cohort_rows=rows,
            cohort_definitions=[
                COHORT_DEFINITIONS["cohort"][1],
                COHORT_DEFINITIONS[measure.value][1],
            ],
        )
    except InvalidInput as error:
        context["cohort_error"] = str(error)
    return render(request, "revenue/dashboard.html", context)
