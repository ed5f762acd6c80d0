"""How the survey pages present the metrics: the URL's filters, periods, cards, chart, tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from headway.core.errors import InvalidInput
from headway.support.reports import parse_day

UNDEFINED = "—"
OVERVIEW_URL = "/surveys"
SURVEY_TYPE_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
POLARITY_NAMES = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}


def percent(value: float | None, decimals: int = 0) -> str:
    """A fraction as a percentage; undefined shows as an em dash."""
    return UNDEFINED if value is None else f"{value * 100:.{decimals}f} %"


def signed(value: float | None) -> str:
    """An NPS with its sign (+30, −12, 0); undefined shows as an em dash."""
    if value is None:
        return UNDEFINED
    shown = f"{abs(value):.0f}"
    if shown == "0":
        return "0"
    return ("+" if value > 0 else "−") + shown


def counted(n: int, word: str) -> str:
    """A count with its noun: 1 promoter, 2 promoters, 1,024 answers."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def mean(value: float | None) -> str:
    return UNDEFINED if value is None else f"{value:.1f}"


def twelve_months(last: date) -> date:
    """The first day of the month eleven months before `last`: twelve calendar months."""
    month = last.month - 11
    year = last.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


@dataclass(frozen=True)
class OverviewQuery:
    """What a /surveys URL asks for; blank means the default (the last 12 months, everyone)."""

    first: str = ""
    last: str = ""
    segment: str = ""
    survey_type: str = ""
    polarity: str = ""
    q: str = ""
    page: int = 1

    def period(self, today: date) -> tuple[date, date]:
        """The days asked for: by default twelve calendar months up to today."""
        try:
            start = parse_day(self.first or None, end=False)
            end = parse_day(self.last or None, end=True) or today
        except ValueError as error:
            raise InvalidInput(str(error)) from None
        return start or twelve_months(end), end

    def url(self, **changes: Any) -> str:
        values: dict[str, Any] = {
            "from": self.first,
            "to": self.last,
            "segment": self.segment,
            "type": self.survey_type,
            "polarity": self.polarity,
            "q": self.q,
            "page": self.page,
        } | changes
        params = {k: v for k, v in values.items() if v and not (k == "page" and v == 1)}
        return OVERVIEW_URL + (f"?{urlencode(params)}" if params else "")


@dataclass(frozen=True)
class Preset:
    label: str
    url: str
    current: bool


def period_presets(query: OverviewQuery, today: date, start: date, end: date) -> list[Preset]:
    """Quick periods ending today: 30 and 90 days, twelve months, the year to date."""
    spans = [
        ("30 days", today - timedelta(days=29)),
        ("90 days", today - timedelta(days=89)),
        ("12 months", twelve_months(today)),
        ("Year to date", date(today.year, 1, 1)),
    ]
    return [
        Preset(
            label,
            query.url(**{"from": first.isoformat(), "to": today.isoformat(), "page": 1}),
            (start, end) == (first, today),
        )
        for label, first in spans
    ]


def nps_bar(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Promoters, passives and detractors as shares of the NPS answers, for a stacked bar."""
    counts = [(key, figures[key]) for key in ("promoters", "passives", "detractors")]
    total = sum(n for _, n in counts)
    return [{"key": key, "count": n, "width": round(100 * n / total, 2)} for key, n in counts if n]


def trend_chart(trend: list[dict[str, Any]]) -> dict[str, Any] | None:
    """NPS and CSAT % (left axis), CES mean (right axis) and answers per month."""
    if not any(row["responses"] for row in trend):
        return None
    return {
        "kind": "survey-trend",
        "labels": [row["month"] for row in trend],
        "nps": [row["nps"] for row in trend],
        "csat": [None if row["csat"] is None else round(row["csat"] * 100, 1) for row in trend],
        "ces": [row["ces_mean"] for row in trend],
        "responses": [row["responses"] for row in trend],
    }


@dataclass(frozen=True)
class SegmentLine:
    """One segment's figures in the per-segment table."""

    key: str
    name: str
    figures: dict[str, Any]


def segment_lines(by_segment: dict[str, Any], names: dict[str, str]) -> list[SegmentLine]:
    return [
        SegmentLine(key, names.get(key, "No segment"), figures)
        for key, figures in by_segment.items()
    ]


def survey_figure(line: dict[str, Any]) -> str:
    """A survey's own figure as its aggregation reads: NPS, % positive or the mean."""
    if line["aggregation"] == "nps":
        return signed(line["figure"])
    if line["aggregation"] == "mean":
        return mean(line["figure"])
    return percent(line["figure"])
