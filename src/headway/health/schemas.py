"""Pydantic shapes of customer health, as the API answers and `--json` prints them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from headway.health.definition import ScorecardDefinition
from headway.health.models import ScorecardVersion
from headway.health.score_lists import ScoreLine
from headway.health.scorecard_import import AccountChange, ImportPreview, ScorecardChange
from headway.health.scorecards import ScorecardSummary, definition_of
from headway.health.scores import AccountHealth, DistributionRow, Mover
from headway.health.sources import MeasureSource

# --- scorecards ----------------------------------------------------------------------------


class ScorecardVersionRead(BaseModel):
    """One saved definition of a scorecard."""

    version: int
    note: str
    created_at: datetime
    created_by: str
    definition: ScorecardDefinition


class ScorecardRead(BaseModel):
    """A scorecard, the segment it scores and its current definition."""

    key: str
    name: str
    segment: str | None = Field(description="segment key; null for the default scorecard")
    is_default: bool
    current_version: int
    updated_at: datetime
    accounts: int = Field(description="accounts this scorecard scores (by their segment)")
    definition: ScorecardDefinition


class ScorecardDetailRead(ScorecardRead):
    """A scorecard with every version, oldest first."""

    versions: list[ScorecardVersionRead]


def scorecard_read(summary: ScorecardSummary) -> ScorecardRead:
    card = summary.scorecard
    return ScorecardRead(
        key=card.key,
        name=card.name,
        segment=summary.segment,
        is_default=card.is_default,
        current_version=card.current_version,
        updated_at=card.updated_at,
        accounts=summary.accounts,
        definition=summary.definition,
    )


def scorecard_detail_read(
    summary: ScorecardSummary, versions: list[ScorecardVersion]
) -> ScorecardDetailRead:
    return ScorecardDetailRead(
        **scorecard_read(summary).model_dump(),
        versions=[
            ScorecardVersionRead(
                version=v.version,
                note=v.note,
                created_at=v.created_at,
                created_by=v.created_by,
                definition=definition_of(v),
            )
            for v in versions
        ],
    )


class ScorecardVersionCreate(BaseModel):
    """A scorecard's new definition; the same definition as the current one saves nothing."""

    definition: ScorecardDefinition
    note: str = Field("", max_length=2000)


class MeasureSourceRead(BaseModel):
    """A raw value scorecard measures can read."""

    key: str
    label: str
    unit: str
    description: str
    params: dict[str, str] = Field(description="parameter name → what it means")


def measure_source_read(source: MeasureSource) -> MeasureSourceRead:
    return MeasureSourceRead(
        key=source.key,
        label=source.label,
        unit=source.unit,
        description=source.description,
        params=dict(source.params or {}),
    )


# --- backtest ------------------------------------------------------------------------------


class BandChurnRead(BaseModel):
    observations: int
    churned: int
    churn_rate: float | None = Field(description="churned ÷ observations; null without any")


class BacktestFigures(BaseModel):
    auc: float | None = Field(
        description="P(a retained account scored above a churned one), ties half; "
        "null when nobody churned or nobody stayed"
    )
    observations: int = Field(description="scored (account, as-of day) pairs")
    churned: int = Field(description="observations whose account churned within the horizon")
    retained: int
    unscored: int = Field(description="paying accounts without any data for a score")


class BacktestDateRead(BacktestFigures):
    as_of: date


class BacktestVersionRead(BacktestFigures):
    version: int
    note: str
    created_at: datetime
    bands: dict[str, BandChurnRead] = Field(description="red, yellow, green: churn by band")
    dates: list[BacktestDateRead]


class BacktestRead(BaseModel):
    """How well each version of a scorecard ranked the accounts that churned afterwards."""

    scorecard: str
    horizon_days: int
    as_of_dates: list[date]
    current_version: int
    versions: list[BacktestVersionRead]


def backtest_read(result: dict[str, Any]) -> BacktestRead:
    return BacktestRead.model_validate(result)


# --- import --------------------------------------------------------------------------------


class AccountChangeRead(BaseModel):
    account_id: int
    name: str
    score_before: float | None
    band_before: str | None
    score_after: float | None
    band_after: str | None
    change: float | None


class ScorecardChangeRead(BaseModel):
    key: str
    name: str
    segment: str | None
    action: str = Field(description="unchanged, new_version or new_scorecard")
    version_before: int | None
    version_after: int
    changed_fields: list[str] = Field(description="name, segment: changed outside versions")
    accounts: int = Field(description="accounts the scorecard scores after the import")
    band_changes: dict[str, int] = Field(description="'green → yellow': accounts")
    changed_bands: int
    movers: list[AccountChangeRead] = Field(description="the largest score changes first")


class ImportPreviewRead(BaseModel):
    """What a scorecards file changes, or why it cannot be imported."""

    as_of: date
    dry_run: bool
    saved: bool
    errors: list[str]
    scorecards: list[ScorecardChangeRead]


def _account_change_read(change: AccountChange) -> AccountChangeRead:
    return AccountChangeRead(
        account_id=change.account_id,
        name=change.name,
        score_before=change.score_before,
        band_before=change.band_before,
        score_after=change.score_after,
        band_after=change.band_after,
        change=change.change,
    )


def _scorecard_change_read(change: ScorecardChange) -> ScorecardChangeRead:
    return ScorecardChangeRead(
        key=change.key,
        name=change.name,
        segment=change.segment,
        action=change.action,
        version_before=change.version_before,
        version_after=change.version_after,
        changed_fields=change.changed_fields,
        accounts=change.accounts,
        band_changes=change.band_changes,
        changed_bands=change.changed_bands,
        movers=[_account_change_read(m) for m in change.movers],
    )


def import_preview_read(preview: ImportPreview) -> ImportPreviewRead:
    return ImportPreviewRead(
        as_of=preview.as_of,
        dry_run=preview.dry_run,
        saved=preview.saved,
        errors=preview.errors,
        scorecards=[_scorecard_change_read(c) for c in preview.scorecards],
    )


# --- scores --------------------------------------------------------------------------------


class MeasureRead(BaseModel):
    """One measure of a score: the raw value read, its 0–100 score and what it did."""

    key: str
    name: str
    group: str
    source: str
    value: float | None = Field(description="the raw value read; null without data")
    score: float | None = Field(description="0–100; null when left out for want of data")
    weight: float
    share: float = Field(description="its part of the total")
    points: float = Field(description="what it contributed to the score")
    lost: float = Field(description="the points it cost")
    no_data: bool


class HistoryPointRead(BaseModel):
    day: date
    score: float


class BandsRead(BaseModel):
    yellow: float = Field(description="scores below this are red")
    green: float = Field(description="scores from this up are green")


class AccountHealthRead(BaseModel):
    """An account's latest score, its trend, the version that gave it, explained, with history."""

    account_id: int
    day: date | None = Field(description="the day of the score; null without any score")
    score: float | None
    band: str | None = Field(description="red, yellow or green")
    trend: str | None = Field(description="up, steady or down over the scorecard's window")
    scorecard: str | None
    scorecard_name: str | None
    version: int | None
    bands: BandsRead
    measures: list[MeasureRead]
    pulled_down: list[str] = Field(description="keys of the measures that cost points, most first")
    history: list[HistoryPointRead]


def account_health_read(health: AccountHealth) -> AccountHealthRead:
    return AccountHealthRead(
        account_id=health.account_id,
        day=health.day,
        score=health.score,
        band=health.band,
        trend=None if health.trend is None else str(health.trend),
        scorecard=health.scorecard_key,
        scorecard_name=health.scorecard_name,
        version=health.version,
        bands=BandsRead(yellow=health.bands.yellow, green=health.bands.green),
        measures=[MeasureRead.model_validate(asdict(m)) for m in health.measures],
        pulled_down=[m.key for m in health.pulled_down],
        history=[HistoryPointRead(day=day, score=score) for day, score in health.history],
    )


class HealthScoreRead(BaseModel):
    """A customer's latest stored score on or before the day asked about."""

    account_id: int
    account_name: str
    segment: str | None
    owner_id: int | None
    day: date
    score: float
    band: str
    scorecard: str
    version: int


def health_score_read(line: ScoreLine) -> HealthScoreRead:
    return HealthScoreRead.model_validate(asdict(line))


class DistributionRowRead(BaseModel):
    key: str | None = Field(description="segment key or CSM email; null: none")
    name: str
    counts: dict[str, int] = Field(description="customers per band: red, yellow, green")
    no_score: int
    scored: int
    total: int


class DistributionRead(BaseModel):
    """The day's customers per band, by segment or by CSM."""

    as_of: date
    by: str
    rows: list[DistributionRowRead]


def distribution_read(as_of: date, by: str, rows: list[DistributionRow]) -> DistributionRead:
    return DistributionRead(
        as_of=as_of,
        by=by,
        rows=[
            DistributionRowRead(
                key=row.key,
                name=row.name,
                counts=row.counts,
                no_score=row.no_score,
                scored=row.scored,
                total=row.total,
            )
            for row in rows
        ],
    )


class MoverRead(BaseModel):
    """A customer whose score dropped over the window."""

    account_id: int
    name: str
    owner_id: int | None
    before: float
    after: float
    change: float = Field(description="after − before")
    band_before: str
    band_after: str


def mover_read(mover: Mover) -> MoverRead:
    return MoverRead.model_validate(asdict(mover))
