"""How the scorecard editor presents a scorecard: its definition as a table, the backtest per
version, and the preview of a change. Plain functions over what the health services return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
from headway.health.presenters import BAND_LABELS, BANDS, format_value
from headway.health.sources import MeasureSource


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
