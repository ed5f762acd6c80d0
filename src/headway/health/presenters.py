"""How the health pages present scores: band counts, distribution charts, the health card.

Plain functions over what the health services return; no session, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

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
    losers = sorted((m for m in measures if not m.no_data and m.lost > 0.5), key=lambda m: -m.lost)[
        :pulled_down
    ]
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
