"""How the health pages present scores: band counts, chart series, the scorecard as a table.

Plain functions over what the health services return; no session, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from headway.health.definition import (
    Aggregation,
    BandScoring,
    LinearScoring,
    Measure,
    ScorecardDefinition,
)
from headway.health.sources import MeasureSource

BANDS = ("red", "yellow", "green")
BAND_LABELS = {"red": "Red", "yellow": "Yellow", "green": "Green", "none": "No score"}
TREND_ARROWS = {"up": "↑", "steady": "→", "down": "↓"}
UNDEFINED = "—"
# Units whose values are fractions of one: shown as percentages.
FRACTION_UNITS = frozenset({"share", "ratio", "fraction", "rate"})


def format_value(value: float | None, unit: str = "") -> str:
    """A raw measure value with its unit; fractions of one read as percentages."""
    if value is None:
        return UNDEFINED
    if unit in FRACTION_UNITS:
        return f"{value * 100:,.0f} %"
    if unit in ("%", "percent"):
        return f"{value:,.0f} %"
    shown = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.2f}"
    shown = shown.rstrip("0").rstrip(".") if "." in shown else shown
    return f"{shown} {unit}".strip()


def percent(value: float | None, decimals: int = 0) -> str:
    """A fraction as a percentage; undefined shows as an em dash."""
    return UNDEFINED if value is None else f"{value * 100:.{decimals}f} %"


# --- the portfolio ------------------------------------------------------------------------


@dataclass(frozen=True)
class BandCount:
    """How many accounts a band holds, and their share of the scored ones."""

    band: str
    label: str
    count: int
    share: float | None


def band_counts(counts: Mapping[str, int], unscored: int) -> list[BandCount]:
    """Green first (what is going well), then yellow, red, and the accounts without a score."""
    scored = sum(counts.get(band, 0) for band in BANDS)
    lines = [
        BandCount(band, BAND_LABELS[band], counts.get(band, 0), counts.get(band, 0) / scored)
        if scored
        else BandCount(band, BAND_LABELS[band], 0, None)
        for band in reversed(BANDS)
    ]
    return [*lines, BandCount("none", BAND_LABELS["none"], unscored, None)]


def distribution_chart(rows: Sequence[Any]) -> dict[str, Any] | None:
    """Customers per band as stacked bars, red at the bottom, those without a score on top.

    `rows` are the service's distribution rows: a `name`, `counts` per band and `no_score`.
    """
    shown = [row for row in rows if sum(row.counts.values()) + row.no_score]
    if not any(sum(row.counts.values()) for row in shown):
        return None
    datasets = [
        {
            "label": BAND_LABELS[band],
            "key": band,
            "data": [row.counts.get(band, 0) for row in shown],
        }
        for band in BANDS
    ]
    if any(row.no_score for row in shown):
        datasets.append(
            {"label": BAND_LABELS["none"], "key": "none", "data": [r.no_score for r in shown]}
        )
    return {
        "kind": "stacked-bar",
        "palette": "band",
        "labels": [row.name for row in shown],
        "datasets": datasets,
    }


def total_counts(rows: Sequence[Any]) -> tuple[dict[str, int], int]:
    """Customers per band over all rows of a distribution, and those without a score."""
    counts = {band: sum(row.counts.get(band, 0) for row in rows) for band in BANDS}
    return counts, sum(row.no_score for row in rows)


@dataclass(frozen=True)
class MoverLine:
    """A customer whose score dropped, with its CSM's name."""

    account_id: int
    name: str
    owner: str | None
    before: float
    band_before: str
    now: float
    band_now: str
    change: float

    @classmethod
    def of(cls, mover: Any, owner: str | None) -> MoverLine:
        return cls(
            mover.account_id,
            mover.name,
            owner,
            mover.before,
            mover.band_before,
            mover.after,
            mover.band_after,
            mover.change,
        )


# --- an account's score -------------------------------------------------------------------


def history_chart(
    history: Iterable[tuple[date, float]], bands: tuple[float, float]
) -> dict[str, Any] | None:
    """An account's daily scores as a sparkline between its yellow and green thresholds."""
    points = sorted(history)
    if len(points) < 2:
        return None
    return {
        "kind": "score-history",
        "labels": [day.isoformat() for day, _ in points],
        "data": [round(score, 1) for _, score in points],
        "bands": {"yellow": bands[0], "green": bands[1]},
    }


@dataclass(frozen=True)
class ExplanationLine:
    """One measure of an account's score, as the health card's table shows it."""

    key: str
    name: str
    group: str
    value: str
    score: float | None
    share: float
    points: float
    lost: float
    no_data: bool
    pulled_down: bool


def explanation_lines(
    measures: Sequence[Any], units: Mapping[str, str], pulled_down: int = 2
) -> list[ExplanationLine]:
    """Each measure with its raw value in its unit; the ones that lost the most are flagged."""
    losers = sorted(
        (m for m in measures if not m.no_data and m.lost > 0.5), key=lambda m: -m.lost
    )[:pulled_down]
    flagged = {m.key for m in losers}
    return [
        ExplanationLine(
            key=m.key,
            name=m.name,
            group=m.group,
            value=format_value(m.value, units.get(m.source, "")),
            score=None if m.no_data else m.score,
            share=m.share,
            points=m.points,
            lost=m.lost,
            no_data=m.no_data,
            pulled_down=m.key in flagged,
        )
        for m in measures
    ]


@dataclass(frozen=True)
class HealthCard:
    """The account 360's health card."""

    score: float | None
    band: str | None
    trend: str | None
    window_days: int
    day: date | None
    scorecard: str | None
    version: int | None
    bands: tuple[float, float]
    chart: dict[str, Any] | None
    lines: list[ExplanationLine]


def health_card(
    health: Any, units: Mapping[str, str], window_days: int, pulled_down: int = 2
) -> HealthCard:
    """An account's health (from the scores service) as its card shows it."""
    bands = (health.bands.yellow, health.bands.green)
    return HealthCard(
        score=health.score,
        band=health.band,
        trend=None if health.trend is None else str(health.trend),
        window_days=window_days,
        day=health.day,
        scorecard=health.scorecard_name,
        version=health.version,
        bands=bands,
        chart=history_chart(health.history, bands),
        lines=explanation_lines(health.measures, units, pulled_down),
    )


# --- the scorecard editor -----------------------------------------------------------------


@dataclass(frozen=True)
class MeasureRow:
    """A measure of the definition table: what it reads, how it scores, how much it weighs."""

    key: str
    name: str
    source: str
    source_label: str
    params: str
    scoring: str
    no_data: str
    share_in_group: float
    share_of_score: float | None


@dataclass(frozen=True)
class GroupRow:
    name: str
    share: float
    measures: list[MeasureRow]


def _number(value: float, unit: str) -> str:
    return format_value(value, unit)


def scoring_text(measure: Measure, unit: str = "") -> str:
    """How a raw value becomes 0–100, in words."""
    scoring = measure.scoring
    if isinstance(scoring, LinearScoring):
        worst, best = _number(scoring.worst, unit), _number(scoring.best, unit)
        if scoring.worst < scoring.best:
            return f"0 at {worst} or less, 100 at {best} or more, straight between"
        return f"100 at {best} or less, 0 at {worst} or more, straight between"
    assert isinstance(scoring, BandScoring)
    parts = []
    for band in scoring.bands:
        low = None if band.from_ is None else _number(band.from_, unit)
        high = None if band.to is None else _number(band.to, unit)
        if low is None and high is not None:
            span = f"below {high}"
        elif high is None and low is not None:
            span = f"{low} or more"
        elif low is not None and high is not None:
            span = f"{low} to {high}"
        else:
            span = "any value"
        parts.append(f"{span} → {band.score:g}")
    return " · ".join(parts)


def no_data_text(measure: Measure) -> str:
    if measure.no_data.rule == "score":
        return f"scores {measure.no_data.score:g}"
    return "left out, weights renormalised"


def definition_rows(
    definition: ScorecardDefinition, sources: Mapping[str, MeasureSource]
) -> list[GroupRow]:
    """The definition as groups of measures with their weight shares."""
    group_total = sum(g.weight for g in definition.groups)
    averaged = definition.aggregation is Aggregation.WEIGHTED_AVERAGE
    rows = []
    for group in definition.groups:
        group_share = group.weight / group_total
        measure_total = sum(m.weight for m in group.measures)
        measures = []
        for m in group.measures:
            source = sources.get(m.source)
            unit = source.unit if source else ""
            share = m.weight / measure_total
            measures.append(
                MeasureRow(
                    key=m.key,
                    name=m.name,
                    source=m.source,
                    source_label=source.label if source else "unknown source",
                    params=", ".join(f"{k}: {v}" for k, v in m.params.items()),
                    scoring=scoring_text(m, unit),
                    no_data=no_data_text(m),
                    share_in_group=share,
                    share_of_score=share * group_share if averaged else None,
                )
            )
        rows.append(GroupRow(group.name, group_share, measures))
    return rows


AGGREGATION_TEXT = {
    Aggregation.WEIGHTED_AVERAGE: "weighted average of the measures",
    Aggregation.ADDITIVE: "points added to or taken from a baseline",
    Aggregation.WORST_OF: "the weakest group decides",
}


@dataclass(frozen=True)
class BacktestLine:
    """How one version ranked the accounts that churned within the horizon."""

    version: int
    auc: float | None
    observations: int
    churned: int


def backtest_lines(result: Mapping[str, Any]) -> list[BacktestLine]:
    """The backtest's figures per version, oldest first."""
    return [
        BacktestLine(v["version"], v["auc"], v["observations"], v["churned"])
        for v in result["versions"]
    ]


def auc_chart(lines: Sequence[BacktestLine], current: int) -> dict[str, Any] | None:
    """AUC per version as horizontal bars; the current version in the accent colour."""
    if all(line.auc is None for line in lines):
        return None
    return {
        "kind": "auc-bars",
        "labels": [f"v{line.version}" for line in lines],
        "data": [None if line.auc is None else round(line.auc, 3) for line in lines],
        "current": next((i for i, line in enumerate(lines) if line.version == current), -1),
    }


# --- the preview of a change --------------------------------------------------------------


@dataclass(frozen=True)
class BandMove:
    """How many accounts would go from one band to another."""

    before: str
    after: str
    count: int

    @property
    def before_label(self) -> str:
        return BAND_LABELS[self.before]

    @property
    def after_label(self) -> str:
        return BAND_LABELS[self.after]


@dataclass(frozen=True)
class Preview:
    """What saving a scorecard's YAML would do to today's scores; or why it cannot be saved."""

    as_of: date | None
    errors: list[str]
    changed: bool = False
    version_before: int | None = None
    version_after: int | None = None
    changed_fields: Sequence[str] = ()
    accounts: int = 0
    moved_band: int = 0
    band_changes: Sequence[BandMove] = ()
    movers: Sequence[Any] = ()


def band_moves(changes: Mapping[str, int]) -> list[BandMove]:
    """Read the import's "green → yellow" counts, the worst moves (down most) first."""
    rank = {band: n for n, band in enumerate(("none", *BANDS))}
    moves = []
    for text, count in changes.items():
        before, _, after = (part.strip() for part in text.partition("→"))
        moves.append(BandMove(before, after, count))
    return sorted(moves, key=lambda m: (rank[m.after] - rank[m.before], m.before, -m.count))


def preview_of(result: Any, key: str) -> Preview:
    """The part of an import preview about one scorecard, as the editor shows it."""
    if result.errors:
        return Preview(result.as_of, list(result.errors))
    change = next((c for c in result.scorecards if c.key == key), None)
    if change is None:
        return Preview(result.as_of, [f"the YAML does not hold the scorecard {key!r}"])
    return Preview(
        as_of=result.as_of,
        errors=[],
        changed=change.action != "unchanged" or bool(change.changed_fields),
        version_before=change.version_before,
        version_after=change.version_after,
        changed_fields=change.changed_fields,
        accounts=change.accounts,
        moved_band=change.changed_bands,
        band_changes=band_moves(change.band_changes),
        movers=change.movers,
    )
