"""Pages of reports: outcome attainment with outputs vs outcomes, coverage gaps, support & success
(and its card on the account 360 page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.presenters import owner_candidates, page_numbers
from headway.accounts.sections import register_account_section
from headway.accounts.service import list_segments
from headway.core import clock
from headway.core.errors import InvalidInput
from headway.core.fields import MAX_DB_INT
from headway.reports.attainment import Attainment
from headway.reports.schemas import COVERAGE_DEFINITIONS, OUTCOME_DEFINITIONS
from headway.reports.service import Labelled, coverage_report, outcome_report
from headway.reports.support_success import (
    account_support_success,
    latest_tickets,
    portfolio_support_success,
)
from headway.support.reports import parse_day
from headway.users.service import list_users
from headway.web.auth import PageUser, Principal, SessionDep, settings_of, verify_csrf
from headway.web.params import PageNumber
from headway.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

UNDEFINED = "—"
SHOWN_AT_RISK = 50
DateText = Annotated[str, Query(max_length=10)]


def percent(value: float | None) -> str:
    """A fraction as a percentage; undefined shows as an em dash."""
    return UNDEFINED if value is None else f"{value * 100:.0f} %"


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not a day YYYY-MM-DD") from None


# --- outcomes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeQuery:
    """What an outcomes URL asks for; blank means the default."""

    first: str = ""
    last: str = ""
    as_of: str = ""

    def days(self) -> tuple[date | None, date | None, date | None]:
        return _day(self.first, "from"), _day(self.last, "to"), _day(self.as_of, "as of")

    def url(self, **changes: str) -> str:
        values = {"from": self.first, "to": self.last, "as_of": self.as_of} | changes
        params = {k: v for k, v in values.items() if v}
        return "/reports/outcomes" + (f"?{urlencode(params)}" if params else "")


@dataclass(frozen=True)
class Preset:
    label: str
    url: str
    current: bool


def period_presets(query: OutcomeQuery, today: date, start: date, end: date) -> list[Preset]:
    """Quick periods ending today: the last 30, 90 and 365 days, the quarter, the year."""
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    spans = [
        ("30 days", today - timedelta(days=29)),
        ("90 days", today - timedelta(days=89)),
        ("Quarter to date", quarter),
        ("Year to date", date(today.year, 1, 1)),
        ("365 days", today - timedelta(days=364)),
    ]
    return [
        Preset(
            label,
            query.url(**{"from": first.isoformat(), "to": today.isoformat(), "as_of": ""}),
            (start, end) == (first, today) and not query.as_of,
        )
        for label, first in spans
    ]


def attainment_chart(lines: list[Labelled[Attainment]]) -> dict[str, Any] | None:
    """Goals due per group as stacked bars: achieved by the due date, and missed."""
    shown = [line for line in lines if line.figures.goals_due]
    if not shown:
        return None
    return {
        "kind": "stacked-bar",
        "palette": "goal",
        "labels": [f"{line.name} · {percent(line.figures.attainment_rate)}" for line in shown],
        "datasets": [
            {
                "label": "Reached by the due date",
                "key": "achieved",
                "data": [line.figures.goals_achieved for line in shown],
            },
            {
                "label": "Missed",
                "key": "missed",
                "data": [line.figures.goals_due - line.figures.goals_achieved for line in shown],
            },
        ],
    }


@router.get("/reports/outcomes", response_class=HTMLResponse)
def outcomes_page(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: DateText = "",
    as_of: DateText = "",
) -> Response:
    """Outcome attainment of a period by segment and CSM, goals at risk, outputs vs outcomes."""
    query = OutcomeQuery(first, to, as_of)
    today = clock.today()
    context: dict[str, Any] = {
        "query": query,
        "today": today,
        "report": None,
        "error": None,
        "definitions": OUTCOME_DEFINITIONS,
        "percent": percent,
        "shown_at_risk": SHOWN_AT_RISK,
    }
    # A period that cannot be reported on is said beside the picker that fixes it.
    try:
        start, end, day = query.days()
        report = outcome_report(session=session, start=start, end=end, as_of=day)
    except InvalidInput as error:
        context["error"] = str(error)
        return render(request, "reports/outcomes.html", context)
    period = report.period
    context.update(
        report=report,
        period=period,
        presets=period_presets(query, today, period.start, period.end),
        segment_chart=attainment_chart(report.by_segment),
        csm_chart=attainment_chart(report.by_csm),
    )
    return render(request, "reports/outcomes.html", context)


# --- coverage ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageQuery:
    """What a coverage URL asks for; blank means everyone."""

    segment: str = ""
    owner: str = ""
    as_of: str = ""

    def owner_id(self) -> int | None:
        if not self.owner:
            return None
        if not self.owner.isdigit() or not 1 <= int(self.owner) <= MAX_DB_INT:
            raise InvalidInput(f"owner must be a user id, not {self.owner!r}")
        return int(self.owner)

    def url(self, **changes: Any) -> str:
        values = {"segment": self.segment, "owner": self.owner, "as_of": self.as_of} | changes
        params = {k: v for k, v in values.items() if v and not (k == "page" and v == 1)}
        return "/reports/coverage" + (f"?{urlencode(params)}" if params else "")


@router.get("/reports/coverage", response_class=HTMLResponse)
def coverage_page(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    segment: Annotated[str, Query(max_length=64)] = "",
    owner: Annotated[str, Query(max_length=20)] = "",
    as_of: DateText = "",
    page: PageNumber = 1,
) -> Response:
    """Accounts missing the touches their segment requires, most overdue first."""
    query = CoverageQuery(segment, owner, as_of)
    per_page = settings_of(request).page_size
    context: dict[str, Any] = {
        "query": query,
        "segments": list_segments(session=session),
        "owners": owner_candidates(list_users(session=session)),
        "today": clock.today(),
        "report": None,
        "error": None,
        "definitions": COVERAGE_DEFINITIONS,
        "percent": percent,
    }
    try:
        report = coverage_report(
            session=session,
            as_of=_day(as_of, "as of"),
            segment=segment or None,
            owner_id=query.owner_id(),
        )
    except InvalidInput as error:
        context["error"] = str(error)
        return render(request, "reports/coverage.html", context)
    total = len(report.gaps)
    pages = max(1, -(-total // per_page))
    first = (page - 1) * per_page
    context.update(
        report=report,
        gaps=report.gaps[first : first + per_page],
        page=page,
        pages=pages,
        total=total,
        first_shown=first + 1,
        last_shown=min(total, first + per_page),
        page_numbers=page_numbers(page, pages),
    )
    return render(request, "reports/coverage.html", context)


# --- support & success ---------------------------------------------------------------------

SHOWN_ATTENTION = 50
SHOWN_TICKETS = 5


def as_day(value: str | None) -> date | None:
    """An ISO day of a report as a date, for the `day` macro."""
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class SupportQuery:
    """What a support & success URL asks for; blank means the default."""

    first: str = ""
    last: str = ""
    segment: str = ""
    owner: str = ""

    def days(self) -> tuple[date | None, date | None]:
        try:
            return parse_day(self.first or None, end=False), parse_day(self.last or None, end=True)
        except ValueError as error:
            raise InvalidInput(str(error)) from None

    def owner_id(self) -> int | None:
        return CoverageQuery(owner=self.owner).owner_id()


def tickets_and_touches_chart(monthly: dict[str, Any]) -> dict[str, Any] | None:
    """Tickets created beside proactive touches, month by month; None when both are empty."""
    if not any(monthly["tickets"]) and not any(monthly["proactive_touches"]):
        return None
    return {
        "kind": "monthly-counts",
        "palette": "support",
        "labels": monthly["months"],
        "datasets": [
            {"label": "Tickets created", "key": "tickets", "data": monthly["tickets"]},
            {
                "label": "Proactive touches",
                "key": "touches",
                "data": monthly["proactive_touches"],
            },
        ],
    }


@router.get("/reports/support", response_class=HTMLResponse)
def support_success_page(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: DateText = "",
    segment: Annotated[str, Query(max_length=64)] = "",
    owner: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Support load beside CS work for a period, and the accounts needing a proactive touch."""
    query = SupportQuery(first, to, segment, owner)
    context: dict[str, Any] = {
        "query": query,
        "segments": list_segments(session=session),
        "owners": owner_candidates(list_users(session=session)),
        "report": None,
        "error": None,
        "percent": percent,
        "as_day": as_day,
        "shown_attention": SHOWN_ATTENTION,
    }
    try:
        start, end = query.days()
        report = portfolio_support_success(
            session=session,
            first=start,
            last=end,
            segment=segment or None,
            owner_id=query.owner_id(),
        )
    except InvalidInput as error:
        context["error"] = str(error)
        return render(request, "reports/support_success.html", context)
    context.update(report=report, chart=tickets_and_touches_chart(report["monthly"]))
    return render(request, "reports/support_success.html", context)


def support_success_card_context(
    session: Session, account: Account, principal: Principal, today: date
) -> dict[str, Any]:
    """The account's support load beside its CS work over the last 90 days, and its newest
    tickets."""
    return {
        "support_success": {
            "report": account_support_success(session=session, account_id=account.id, last=today),
            "tickets": latest_tickets(session=session, account_id=account.id, limit=SHOWN_TICKETS),
            "as_day": as_day,
            "percent": percent,
        }
    }


register_account_section(
    name="support-success",
    template="reports/_account_support_success.html",
    slot="main",
    order=22,
    context=support_success_card_context,
)
