"""JSON API of customer health: scores, history, scorecards, backtests."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from headway.accounts.service import get_account
from headway.core import clock
from headway.core.errors import InvalidInput
from headway.core.fields import IsoDate
from headway.core.pagination import Page
from headway.health.backtest import DEFAULT_HORIZON_DAYS, backtest
from headway.health.schemas import (
    AccountHealthRead,
    BacktestRead,
    DistributionRead,
    HealthScoreRead,
    MeasureSourceRead,
    MoverRead,
    ScorecardDetailRead,
    ScorecardRead,
    ScorecardVersionCreate,
    account_health_read,
    backtest_read,
    distribution_read,
    health_score_read,
    measure_source_read,
    mover_read,
    scorecard_detail_read,
    scorecard_read,
)
from headway.health.score_lists import list_scores
from headway.health.scorecards import (
    get_scorecard,
    list_versions,
    save_version,
    summarise_scorecards,
)
from headway.health.scores import account_health, health_distribution, movers
from headway.health.sources import measure_sources
from headway.web.auth import ApiPrincipal, SessionDep
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PageNumber, PathId, PerPage

router = APIRouter(tags=["health"], responses=API_ERROR_RESPONSES)

# Sources look back from the day asked about (90 days of MRR, 28 of usage): keep both ends
# well inside the calendar.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)
HISTORY_DAYS = 180

AsOf = Annotated[
    IsoDate | None, Query(description="The day to read scores as of, YYYY-MM-DD (default: today).")
]
ScorecardKey = Annotated[str, Path(min_length=1, max_length=64)]


class BandName(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class DistributionBy(StrEnum):
    SEGMENT = "segment"
    CSM = "csm"


def _day(as_of: date | None) -> date:
    day = as_of or clock.today()
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(f"as_of: expected a day from {FIRST_DAY} to {LAST_DAY}, got {day}")
    return day


# --- scores --------------------------------------------------------------------------------


@router.get("/accounts/{account_id}/health", response_model=AccountHealthRead)
def get_account_health(
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: PathId,
    as_of: AsOf = None,
    days: Annotated[int, Query(ge=1, le=3650, description="Days of history.")] = HISTORY_DAYS,
) -> AccountHealthRead:
    """An account's latest score up to as_of: band, trend, the version that gave it, each
    measure explained, and the history of its scores."""
    get_account(session=session, account_id=account_id)
    health = account_health(session=session, account_id=account_id, as_of=_day(as_of), days=days)
    return account_health_read(health)


@router.get("/health/scores", response_model=Page[HealthScoreRead])
def get_health_scores(
    session: SessionDep,
    principal: ApiPrincipal,
    as_of: AsOf = None,
    segment: Annotated[str | None, Query(max_length=64, description="Segment key.")] = None,
    band: BandName | None = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> Page[HealthScoreRead]:
    """The customers' latest scores up to as_of, lowest first."""
    lines, total = list_scores(
        session=session,
        as_of=_day(as_of),
        segment=segment,
        band=band.value if band else None,
        page=page,
        per_page=per_page,
    )
    return Page[HealthScoreRead](
        items=[health_score_read(line) for line in lines],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.get("/health/distribution", response_model=DistributionRead)
def get_health_distribution(
    session: SessionDep,
    principal: ApiPrincipal,
    by: DistributionBy = DistributionBy.SEGMENT,
    as_of: AsOf = None,
) -> DistributionRead:
    """The customers per band, by segment or by CSM (each with its latest score)."""
    day = _day(as_of)
    rows = health_distribution(session=session, as_of=day, by=by.value)
    return distribution_read(day, by.value, rows)


@router.get("/health/movers", response_model=list[MoverRead])
def get_health_movers(
    session: SessionDep,
    principal: ApiPrincipal,
    as_of: AsOf = None,
    window_days: Annotated[int, Query(ge=1, le=365)] = 30,
    limit: Annotated[int, Query(ge=1, le=500)] = 10,
) -> list[MoverRead]:
    """The customers whose score dropped most over the window, largest drop first."""
    found = movers(session=session, as_of=_day(as_of), window_days=window_days, limit=limit)
    return [mover_read(m) for m in found]


# --- scorecards ----------------------------------------------------------------------------


@router.get("/scorecards", response_model=list[ScorecardRead])
def get_scorecards(session: SessionDep, principal: ApiPrincipal) -> list[ScorecardRead]:
    """The scorecards, the default first, each with its current definition."""
    return [scorecard_read(s) for s in summarise_scorecards(session=session)]


@router.get("/scorecards/{key}", response_model=ScorecardDetailRead)
def get_one_scorecard(
    session: SessionDep, principal: ApiPrincipal, key: ScorecardKey
) -> ScorecardDetailRead:
    """A scorecard with every version, oldest first."""
    return _detail(session, key)


def _detail(session: Session, key: str) -> ScorecardDetailRead:
    (summary,) = summarise_scorecards(session=session, keys=[key])
    versions = list_versions(session=session, scorecard=summary.scorecard)
    return scorecard_detail_read(summary, versions)


@router.put("/scorecards/{key}", response_model=ScorecardDetailRead)
def put_scorecard(
    session: SessionDep, principal: ApiPrincipal, key: ScorecardKey, data: ScorecardVersionCreate
) -> ScorecardDetailRead:
    """Save a new version of a scorecard (admins and managers); an unchanged definition
    saves nothing."""
    save_version(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        scorecard_key=key,
        definition=data.definition,
        note=data.note,
    )
    session.expire_all()
    return _detail(session, key)


@router.get("/scorecards/{key}/backtest", response_model=BacktestRead)
def get_scorecard_backtest(
    session: SessionDep,
    principal: ApiPrincipal,
    key: ScorecardKey,
    horizon: Annotated[
        int, Query(ge=1, le=730, description="Days after each as-of day that churn counts.")
    ] = DEFAULT_HORIZON_DAYS,
) -> BacktestRead:
    """ROC AUC of each version's scores against churn within the horizon, month ends of the
    last 12 months that the horizon has passed."""
    get_scorecard(session=session, key=key)
    return backtest_read(backtest(session=session, scorecard_key=key, horizon_days=horizon))


@router.get("/measure-sources", response_model=list[MeasureSourceRead])
def get_measure_sources(principal: ApiPrincipal) -> list[MeasureSourceRead]:
    """The raw values scorecard measures can read, with their parameters."""
    return [measure_source_read(s) for s in measure_sources()]
