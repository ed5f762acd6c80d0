"""Pages of customer health: the portfolio, the scorecard editor with its backtest, the card.

The portfolio and the editor read the health services; the account 360's health card joins
the account page through accounts.sections. Saving a scorecard is a POST with a CSRF token,
open to admins and managers (the service refuses anyone else).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.presenters import owner_candidates
from headway.accounts.sections import register_account_section, wants_fragment
from headway.accounts.service import list_segments
from headway.core import clock
from headway.core.errors import InvalidInput, NotFound
from headway.core.fields import MAX_DB_INT
from headway.health import presenters as present
from headway.health import scorecard_presenters as editor
from headway.health.backtest import DEFAULT_HORIZON_DAYS, backtest
from headway.health.definition import Trend
from headway.health.scorecard_yaml import parse_scorecards
from headway.health.scorecards import (
    current_definition,
    default_scorecard,
    export_yaml,
    get_scorecard,
    import_yaml,
    list_scorecards,
    list_versions,
    segment_key_of,
)
from headway.health.scores import account_health, health_distribution, movers
from headway.health.sources import measure_sources
from headway.users.models import Role
from headway.users.service import Permissions, list_users
from headway.web.auth import PageUser, Principal, SessionDep, verify_csrf
from headway.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

SHOWN_MOVERS = 10
SHOWN_UNSCORED = 60
HISTORY_DAYS = 180


def may_edit_scorecards(permissions: Permissions) -> bool:
    """Admins and managers save scorecard versions (the service enforces it too)."""
    return permissions.role in (Role.ADMIN, Role.MANAGER)


# --- the portfolio --------------------------------------------------------------------------


@dataclass(frozen=True)
class HealthQuery:
    """What a portfolio URL asks for; blank means everyone."""

    segment: str = ""
    owner: str = ""

    def owner_id(self) -> int | None:
        if not self.owner:
            return None
        if not self.owner.isdigit() or not 1 <= int(self.owner) <= MAX_DB_INT:
            raise InvalidInput(f"CSM must be a user id, not {self.owner!r}")
        return int(self.owner)


def _portfolio(session: Session, query: HealthQuery, today: date) -> dict[str, Any]:
    """The counts, charts, movers and unscored accounts the portfolio shows."""
    card = default_scorecard(session=session)
    definition = current_definition(session=session, scorecard=card)
    window = definition.trend.window_days
    context: dict[str, Any] = {
        "bands": definition.bands,
        "window_days": window,
        "as_of": today,
        "error": None,
    }
    try:
        filters: dict[str, Any] = {"segment": query.segment or None, "owner_id": query.owner_id()}
        by_segment = health_distribution(session=session, as_of=today, by="segment", **filters)
        by_csm = health_distribution(session=session, as_of=today, by="csm", **filters)
        drops = movers(
            session=session, as_of=today, window_days=window, limit=SHOWN_MOVERS, **filters
        )
    except (InvalidInput, NotFound) as error:
        # A filter that names no segment or CSM is said beside the filters that fix it.
        context["error"] = str(error)
        return context
    counts, unscored = present.total_counts(by_segment)
    names = {user.id: user.name for user in list_users(session=session)}
    context.update(
        totals=present.band_counts(counts, unscored),
        segment_chart=present.distribution_chart(by_segment),
        csm_chart=present.distribution_chart(by_csm),
        movers=[present.MoverLine.of(mover, names.get(mover.owner_id or 0)) for mover in drops],
        unscored_total=unscored,
        unscored_rows=[row for row in by_segment if row.no_score],
    )
    return context


@router.get("/health", response_class=HTMLResponse)
def health_portfolio(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    segment: Annotated[str, Query(max_length=64)] = "",
    owner: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Customers per health band by segment and CSM, the biggest drops, the unscored."""
    query = HealthQuery(segment, owner)
    context = {"query": query, "percent": present.percent}
    context.update(_portfolio(session, query, clock.today()))
    if wants_fragment(request):
        response: Response = render(request, "health/_portfolio_results.html", context)
    else:
        context.update(
            segments=list_segments(session=session),
            owners=owner_candidates(list_users(session=session)),
        )
        response = render(request, "health/portfolio.html", context)
    response.headers["Vary"] = "HX-Request"
    return response


# --- scorecards -----------------------------------------------------------------------------


@router.get("/health/scorecards", response_class=HTMLResponse)
def scorecard_list(request: Request, session: SessionDep, principal: PageUser) -> Response:
    """Every scorecard, the segment it scores and its current version."""
    segments = {s.key: s.name for s in list_segments(session=session)}
    lines = []
    for card in list_scorecards(session=session):
        versions = list_versions(session=session, scorecard=card)
        current = next(v for v in versions if v.version == card.current_version)
        segment = segment_key_of(session=session, scorecard=card)
        definition = current_definition(session=session, scorecard=card)
        lines.append(
            {
                "key": card.key,
                "name": card.name,
                "segment": segments.get(segment or "", segment),
                "is_default": card.is_default,
                "current_version": card.current_version,
                "measures": len(definition.measures()),
                "saved_on": current.created_at.date(),
            }
        )
    response: Response = render(request, "health/scorecards.html", {"scorecards": lines})
    return response


def _editor(
    request: Request,
    session: Session,
    principal: Principal,
    key: str,
    *,
    text: str | None = None,
    note: str = "",
    notice: str | None = None,
    save_error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The editor page, with the text someone tried to save when it could not be."""
    card = get_scorecard(session=session, key=key)
    definition = current_definition(session=session, scorecard=card)
    segments = {s.key: s.name for s in list_segments(session=session)}
    segment = segment_key_of(session=session, scorecard=card)
    sources = {source.key: source for source in measure_sources()}
    context = {
        "scorecard": {
            "key": card.key,
            "name": card.name,
            "segment": segments.get(segment or "", segment),
            "is_default": card.is_default,
            "current_version": card.current_version,
        },
        "aggregation": editor.AGGREGATION_TEXT[definition.aggregation],
        "bands": definition.bands,
        "trend": definition.trend,
        "groups": editor.definition_rows(definition, sources),
        "yaml_text": export_yaml(session=session, keys=[card.key]) if text is None else text,
        "note": note,
        "versions": list_versions(session=session, scorecard=card),
        "can_edit": may_edit_scorecards(principal.permissions),
        "horizon_days": DEFAULT_HORIZON_DAYS,
        "notice": notice,
        "save_error": save_error,
        "percent": present.percent,
    }
    response: Response = render(request, "health/scorecard.html", context, status_code)
    return response


@router.get("/health/scorecards/{key}", response_class=HTMLResponse)
def scorecard_editor(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    key: str,
    saved: Annotated[int | None, Query(ge=1, le=MAX_DB_INT)] = None,
) -> Response:
    """A scorecard as a table and as YAML, its versions, and the backtest beside it."""
    notice = f"Version {saved} saved; scores use it from the next run." if saved else None
    return _editor(request, session, principal, key, notice=notice)


@router.get("/health/scorecards/{key}/backtest", response_class=HTMLResponse)
def scorecard_backtest(
    request: Request, session: SessionDep, principal: PageUser, key: str
) -> Response:
    """The AUC of each version against churn within the horizon (loaded after the page)."""
    card = get_scorecard(session=session, key=key)
    problem = None
    lines: list[editor.BacktestLine] = []
    try:
        lines = editor.backtest_lines(backtest(session=session, scorecard_key=card.key))
    except InvalidInput as error:
        problem = str(error)
    context = {
        "scorecard": {"key": card.key, "current_version": card.current_version},
        "backtest": lines,
        "auc_chart": editor.auc_chart(lines, card.current_version),
        "horizon_days": DEFAULT_HORIZON_DAYS,
        "backtest_problem": problem,
    }
    response: Response = render(request, "health/_backtest.html", context)
    return response


def _single_scorecard_problem(text: str, key: str) -> str | None:
    """The editor saves its own scorecard only; the command line imports whole files."""
    entries, errors = parse_scorecards(text)
    if errors:
        return None  # the import names them, with their paths
    keys = [entry.key for entry in entries]
    if keys != [key]:
        return (
            f"this page saves the scorecard {key!r} alone, but the YAML holds "
            f"{', '.join(repr(k) for k in keys)}; import several with `headway health import`"
        )
    return None


YamlText = Annotated[str, Form(max_length=200_000)]
NoteText = Annotated[str, Form(max_length=500)]


@router.post("/health/scorecards/{key}/preview", response_class=HTMLResponse)
def preview_scorecard(
    request: Request, session: SessionDep, principal: PageUser, key: str, yaml: YamlText
) -> Response:
    """What saving the YAML would do to today's scores, computed and rolled back."""
    get_scorecard(session=session, key=key)
    problem = _single_scorecard_problem(yaml, key)
    if problem:
        preview = editor.Preview(clock.today(), [problem])
    else:
        result = import_yaml(
            session=session,
            actor=principal.actor,
            permissions=principal.permissions,
            text=yaml,
            dry_run=True,
        )
        preview = editor.preview_of(result, key)
    response: Response = render(request, "health/_preview.html", {"preview": preview})
    return response


@router.post("/health/scorecards/{key}/versions")
def save_scorecard_version(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    key: str,
    yaml: YamlText,
    note: NoteText = "",
) -> Response:
    """Save the YAML as the scorecard's new version; a problem keeps the text on the page."""
    card = get_scorecard(session=session, key=key)
    before = card.current_version
    problem = _single_scorecard_problem(yaml, key)
    if problem is None:
        result = import_yaml(
            session=session,
            actor=principal.actor,
            permissions=principal.permissions,
            text=yaml,
            dry_run=False,
            note=note.strip(),
        )
        problem = "; ".join(result.errors) or None
    if problem:
        return _editor(
            request,
            session,
            principal,
            key,
            text=yaml,
            note=note,
            save_error=problem,
            status_code=422,
        )
    session.expire_all()
    after = get_scorecard(session=session, key=key).current_version
    target = f"/health/scorecards/{quote(key)}"
    if after != before:
        target += f"?saved={after}"
    return RedirectResponse(target, status_code=303)


# --- the account 360 card ------------------------------------------------------------------


def health_card_context(
    session: Session, account: Account, principal: Principal, today: date
) -> dict[str, Any]:
    """What the health card shows: score, band, trend, history and the explanation."""
    health = account_health(session=session, account_id=account.id, days=HISTORY_DAYS)
    units = {source.key: source.unit for source in measure_sources()}
    window = Trend().window_days
    if health.scorecard_key is not None:
        card = get_scorecard(session=session, key=health.scorecard_key)
        window = current_definition(session=session, scorecard=card).trend.window_days
    return {"health": present.health_card(health, units, window)}


register_account_section(
    name="health",
    template="health/_account_health.html",
    slot="main",
    order=25,
    context=health_card_context,
)
