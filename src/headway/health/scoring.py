"""Health scoring rules: plain functions over a scorecard definition and raw values.

A measure's raw value maps to 0–100:
- linear: `worst` scores 0, `best` scores 100, straight between and clamped outside; `worst`
  above `best` reads a measure where less is better;
- bands: the first band whose [from, to) holds the value gives its score (an open end holds
  everything on that side); a value no band holds counts as no data.

A measure without a value follows its no-data rule: `exclude` leaves it out (the others'
weights are renormalised), `score` gives it the fixed score.

The account's score, by the scorecard's aggregation:
- weighted_average: a measure's share = its group's weight ÷ the weights of the groups with at
  least one scored measure × its weight ÷ the weights of its group's scored measures;
  score = Σ share × measure score. points = share × score, lost = share × (100 − score),
  so points add up to the score and lost points to 100 − score.
- additive: a group's weight is the most points its measures can add to or take from the
  baseline, split among its measures by their weights (share = that range ÷ 100). A measure
  adds range × (score − 50) ÷ 50 points: + range at 100, nothing at 50, − range at 0.
  score = clamp(baseline + Σ points, 0, 100); lost = the points a measure took away,
  max(0, −points). Excluded measures add nothing; the others keep their ranges.
- worst_of: the lowest measure score is the score; that measure has share 1 (points = its
  score, lost = 100 − it), the others share 0.

Without any scored measure the account has no score and no band.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from headway.health.definition import (
    Aggregation,
    Bands,
    BandScoring,
    LinearScoring,
    Measure,
    ScorecardDefinition,
    Trend,
)

# The score at which an additive measure neither adds nor takes points.
ADDITIVE_NEUTRAL = 50.0
# An account's score is kept to this many decimals (far below what anyone reads).
SCORE_DECIMALS = 6
# Scores are floats: a move of exactly the threshold (80.3 − 75.3) must not read as more.
_ROUNDING = 1e-9


class Band(enum.StrEnum):
    """Where a score stands."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class Direction(enum.StrEnum):
    """Which way a score moved over the trend window."""

    UP = "up"
    DOWN = "down"
    STEADY = "steady"


@dataclass(frozen=True)
class MeasureResult:
    """One measure of one account: its raw value, its score and what it did to the total."""

    key: str
    name: str
    group: str
    source: str
    value: float | None  # the raw value read; None without data
    score: float | None  # 0–100; None when left out for want of data
    weight: float  # the measure's configured weight
    share: float  # its part of the total (see the module docstring per aggregation)
    points: float  # what it contributed
    lost: float  # the points it cost
    no_data: bool  # the source had no value (the no-data rule applied)

    def as_detail(self) -> dict[str, Any]:
        """The measure as stored with a daily score."""
        return asdict(self)


@dataclass(frozen=True)
class ScoreResult:
    """An account's score (None without data), its band and every measure."""

    score: float | None
    band: Band | None
    measures: list[MeasureResult]


def score_measure(measure: Measure, value: float | None) -> float | None:
    """Map a raw value to 0–100 by the measure's scoring; None without a value or band."""
    if value is None or math.isnan(value):
        return None
    scoring = measure.scoring
    if isinstance(scoring, LinearScoring):
        share = (value - scoring.worst) / (scoring.best - scoring.worst)
        return 100.0 * min(1.0, max(0.0, share))
    assert isinstance(scoring, BandScoring)
    for band in scoring.bands:
        above = band.from_ is None or value >= band.from_
        below = band.to is None or value < band.to
        if above and below:
            return float(band.score)
    return None


def band_of(score: float | None, bands: Bands) -> Band | None:
    """red below the yellow threshold, yellow below the green one, green from it up."""
    if score is None:
        return None
    if score < bands.yellow:
        return Band.RED
    if score < bands.green:
        return Band.YELLOW
    return Band.GREEN


@dataclass(frozen=True)
class _Scored:
    key: str
    group_index: int
    value: float | None
    score: float | None
    no_data: bool


def _read(definition: ScorecardDefinition, values: Mapping[str, float | None]) -> list[_Scored]:
    scored = []
    for index, group in enumerate(definition.groups):
        for measure in group.measures:
            value = values.get(measure.key)
            score = score_measure(measure, value)
            no_data = score is None
            if no_data and measure.no_data.rule == "score":
                score = measure.no_data.score
            scored.append(_Scored(measure.key, index, value, score, no_data))
    return scored


def _weighted_average_shares(
    definition: ScorecardDefinition, scored: Sequence[_Scored]
) -> dict[str, float]:
    weights = {m.key: m.weight for _, m in definition.measures()}
    in_group: dict[int, float] = {}
    for s in scored:
        if s.score is not None:
            in_group[s.group_index] = in_group.get(s.group_index, 0.0) + weights[s.key]
    groups_total = sum(definition.groups[i].weight for i in in_group)
    shares = {}
    for s in scored:
        if s.score is None:
            continue
        group_share = definition.groups[s.group_index].weight / groups_total
        shares[s.key] = group_share * weights[s.key] / in_group[s.group_index]
    return shares


def _additive_ranges(definition: ScorecardDefinition) -> dict[str, float]:
    ranges = {}
    for group in definition.groups:
        total = sum(m.weight for m in group.measures)
        for measure in group.measures:
            ranges[measure.key] = group.weight * measure.weight / total
    return ranges


def score_account(
    definition: ScorecardDefinition, values: Mapping[str, float | None]
) -> ScoreResult:
    """Score an account from the raw value of each measure (by measure key)."""
    scored = _read(definition, values)
    present = [s for s in scored if s.score is not None]
    shares: dict[str, float] = {}
    points: dict[str, float] = {}
    lost: dict[str, float] = {}
    total: float | None = None
    if present and definition.aggregation is Aggregation.WEIGHTED_AVERAGE:
        shares = _weighted_average_shares(definition, scored)
        for s in present:
            assert s.score is not None
            points[s.key] = shares[s.key] * s.score
            lost[s.key] = shares[s.key] * (100.0 - s.score)
        total = sum(points.values())
    elif present and definition.aggregation is Aggregation.ADDITIVE:
        ranges = _additive_ranges(definition)
        for s in present:
            assert s.score is not None
            shares[s.key] = ranges[s.key] / 100.0
            points[s.key] = ranges[s.key] * (s.score - ADDITIVE_NEUTRAL) / ADDITIVE_NEUTRAL
            lost[s.key] = max(0.0, -points[s.key])
        total = min(100.0, max(0.0, definition.baseline + sum(points.values())))
    elif present:
        worst = min(present, key=lambda s: s.score if s.score is not None else 100.0)
        assert worst.score is not None
        shares[worst.key] = 1.0
        points[worst.key] = worst.score
        lost[worst.key] = 100.0 - worst.score
        total = worst.score

    if total is not None:
        # Shares are floats: three thirds of 50 must come out as 50, not 49.999…, and band so.
        total = round(total, SCORE_DECIMALS)
    measures = []
    for (group, measure), s in zip(definition.measures(), scored, strict=True):
        measures.append(
            MeasureResult(
                key=measure.key,
                name=measure.name,
                group=group.name,
                source=measure.source,
                value=s.value,
                score=s.score,
                weight=measure.weight,
                share=shares.get(measure.key, 0.0),
                points=points.get(measure.key, 0.0),
                lost=lost.get(measure.key, 0.0),
                no_data=s.no_data,
            )
        )
    return ScoreResult(score=total, band=band_of(total, definition.bands), measures=measures)


def _latest_on_or_before(history: Sequence[tuple[date, float]], day: date) -> tuple[date, float]:
    found = [(d, s) for d, s in history if d <= day]
    return max(found, key=lambda pair: pair[0]) if found else (date.min, float("nan"))


def trend_of(history: Sequence[tuple[date, float]], as_of: date, trend: Trend) -> Direction | None:
    """Up or down when the score moved more than the threshold over the window, else steady.

    Both ends are the latest score on or before their day (as_of, and window_days before it);
    None when either end has no score or both ends are the same score.
    """
    now_day, now = _latest_on_or_before(history, as_of)
    then_day, then = _latest_on_or_before(history, as_of - timedelta(days=trend.window_days))
    if now_day == date.min or then_day == date.min or then_day == now_day:
        return None
    moved = now - then
    if moved > trend.threshold + _ROUNDING:
        return Direction.UP
    if moved < -trend.threshold - _ROUNDING:
        return Direction.DOWN
    return Direction.STEADY
