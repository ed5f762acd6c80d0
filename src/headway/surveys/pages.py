"""Pages of the voice of the customer: the survey overview and the account 360's card.

The overview reads `survey_metrics` and `list_comments` (the figures the API and the CLI
give); its comment filters swap the verbatims list alone through htmx. The account card
joins the account page through accounts.sections.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.presenters import page_numbers
from headway.accounts.sections import register_account_section, wants_fragment
from headway.accounts.service import list_segments
from headway.core import clock
from headway.core.errors import InvalidInput
from headway.surveys import presenters as present
from headway.surveys.reports import list_comments, survey_metrics
from headway.web.auth import PageUser, Principal, SessionDep, verify_csrf
from headway.web.params import PageNumber
from headway.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

COMMENTS_PER_PAGE = 20
CARD_DAYS = 365
CARD_COMMENTS = 3
Text = Annotated[str, Query(max_length=64)]


def _comments(
    session: Session, query: present.OverviewQuery, first: date, last: date
) -> dict[str, Any]:
    """One page of the verbatims of the period, with the pager."""
    comments, total = list_comments(
        session=session,
        first=first,
        last=last,
        survey_type=query.survey_type or None,
        segment=query.segment or None,
        polarity=query.polarity or None,
        search=query.q or None,
        page=query.page,
        per_page=COMMENTS_PER_PAGE,
    )
    pages = max(1, -(-total // COMMENTS_PER_PAGE))
    return {
        "comments": comments,
        "comments_total": total,
        "page": query.page,
        "pages": pages,
        "page_numbers": page_numbers(query.page, pages),
    }


@router.get("/surveys", response_class=HTMLResponse)
def survey_overview(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    segment: Text = "",
    survey_type: Annotated[str, Query(alias="type", max_length=8)] = "",
    polarity: Annotated[str, Query(max_length=16)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page: PageNumber = 1,
) -> Response:
    """NPS, CSAT, CES and the response rate of a period, by month and segment, and verbatims."""
    query = present.OverviewQuery(first, to, segment, survey_type, polarity, q.strip(), page)
    today = clock.today()
    segments = list_segments(session=session)
    context: dict[str, Any] = {
        "query": query,
        "segments": segments,
        "type_names": present.SURVEY_TYPE_NAMES,
        "polarity_names": present.POLARITY_NAMES,
        "percent": present.percent,
        "signed": present.signed,
        "mean": present.mean,
        "counted": present.counted,
        "survey_figure": present.survey_figure,
        "error": None,
    }
    fragment = wants_fragment(request)
    template = "surveys/_comments.html" if fragment else "surveys/overview.html"
    # A period, segment or filter that cannot be read is said beside the fields that fix it.
    try:
        start, end = query.period(today)
        context.update(_comments(session, query, start, end))
        report = None
        if not fragment:
            report = survey_metrics(session=session, first=start, last=end, segment=segment or None)
    except InvalidInput as error:
        context["error"] = str(error)
        return render(request, template, context)
    if report is not None:
        names = {s.key: s.name for s in segments}
        context.update(
            report=report,
            start=start,
            end=end,
            presets=present.period_presets(query, today, start, end),
            nps_bar=present.nps_bar(report),
            trend_chart=present.trend_chart(report["trend"]),
            segment_lines=present.segment_lines(report["by_segment"], names),
        )
    response: Response = render(request, template, context)
    response.headers["Vary"] = "HX-Request"
    return response


# --- the account 360 card ------------------------------------------------------------------


def voice_card_context(
    session: Session, account: Account, principal: Principal, today: date
) -> dict[str, Any]:
    """What the voice card shows: the account's NPS, CSAT and CES over a year, latest comments."""
    first = today - timedelta(days=CARD_DAYS - 1)
    report = survey_metrics(session=session, first=first, last=today, account_id=account.id)
    comments, total = list_comments(
        session=session, first=first, last=today, account_id=account.id, per_page=CARD_COMMENTS
    )
    return {
        "voice": {
            "report": report,
            "first": first,
            "nps_bar": present.nps_bar(report),
            "comments": comments,
            "comments_total": total,
            "signed": present.signed,
            "percent": present.percent,
            "mean": present.mean,
            "counted": present.counted,
            "type_names": present.SURVEY_TYPE_NAMES,
        }
    }


register_account_section(
    name="voice",
    template="surveys/_account_voice.html",
    slot="side",
    order=50,
    context=voice_card_context,
)
