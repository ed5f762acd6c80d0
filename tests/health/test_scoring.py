"""Health scoring rules: tables of hand-computed cases for measures, aggregations, bands, trends.

One scorecard serves the aggregation tables:
- Adoption (weight 60): `usage` linear 0 → 10 (weight 3) and `last_seen` in days, banded
  (< 3: 100, 3–7: 80, 7–14: 60, 14–30: 30, from 30: 0) (weight 1);
- Outcomes (weight 40): `goals` linear 0 → 1 (weight 1).
With every measure scored, the weighted-average shares are usage 0.6 × 3/4 = 0.45,
last_seen 0.6 × 1/4 = 0.15 and goals 0.4; the additive ranges are 45, 15 and 40 points.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from headway.health.definition import Bands, Measure, ScorecardDefinition, Trend
from headway.health.scoring import (
    Band,
    Direction,
    band_of,
    score_account,
    score_measure,
    trend_of,
)

LAST_SEEN_BANDS = [
    {"to": 3, "score": 100},
    {"from": 3, "to": 7, "score": 80},
    {"from": 7, "to": 14, "score": 60},
    {"from": 14, "to": 30, "score": 30},
    {"from": 30, "score": 0},
]


def scorecard(aggregation: str = "weighted_average", **goals_no_data: Any) -> ScorecardDefinition:
    return ScorecardDefinition.model_validate(
        {
            "aggregation": aggregation,
            "baseline": 50,
            "groups": [
                {
                    "name": "Adoption",
                    "weight": 60,
                    "measures": [
                        {
                            "key": "usage",
                            "name": "Usage",
                            "source": "usage.wau",
                            "weight": 3,
                            "scoring": {"type": "linear", "worst": 0, "best": 10},
                        },
                        {
                            "key": "last_seen",
                            "name": "Days since last seen",
                            "source": "usage.days_since_last_seen",
                            "weight": 1,
                            "scoring": {"type": "bands", "bands": LAST_SEEN_BANDS},
                        },
                    ],
                },
                {
                    "name": "Outcomes",
                    "weight": 40,
                    "measures": [
                        {
                            "key": "goals",
                            "name": "Goals on track",
                            "source": "outcomes.goals_on_track",
                            "weight": 1,
                            "scoring": {"type": "linear", "worst": 0, "best": 1},
                            "no_data": goals_no_data or {"rule": "exclude"},
                        }
                    ],
                },
            ],
        }
    )


def measure(scoring: dict[str, Any]) -> Measure:
    return Measure.model_validate(
        {"key": "m", "name": "M", "source": "s", "weight": 1, "scoring": scoring}
    )


LINEAR_UP = measure({"type": "linear", "worst": 0, "best": 10})
LINEAR_DOWN = measure({"type": "linear", "worst": 30, "best": 0})  # days since last seen
BANDED = measure({"type": "bands", "bands": LAST_SEEN_BANDS})
GAPPED = measure({"type": "bands", "bands": [{"from": 0, "to": 10, "score": 50}]})


# --- one measure --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scored", "value", "expected"),
    [
        (LINEAR_UP, -1, 0.0),  # below worst: clamped
        (LINEAR_UP, 0, 0.0),
        (LINEAR_UP, 2.5, 25.0),
        (LINEAR_UP, 10, 100.0),
        (LINEAR_UP, 12, 100.0),  # beyond best: clamped
        (LINEAR_DOWN, 0, 100.0),  # less is better
        (LINEAR_DOWN, 15, 50.0),
        (LINEAR_DOWN, 30, 0.0),
        (LINEAR_DOWN, 45, 0.0),
        (LINEAR_DOWN, -5, 100.0),
        (BANDED, 0, 100.0),
        (BANDED, 2.999, 100.0),
        (BANDED, 3, 80.0),  # `from` is inclusive, `to` exclusive
        (BANDED, 6.9, 80.0),
        (BANDED, 7, 60.0),
        (BANDED, 29, 30.0),
        (BANDED, 30, 0.0),
        (BANDED, 400, 0.0),  # open upper end
        (GAPPED, -1, None),  # no band holds it: no data
        (GAPPED, 10, None),
        (GAPPED, 9.5, 50.0),
        (LINEAR_UP, None, None),
        (BANDED, None, None),
    ],
)
def test_a_measure_maps_its_raw_value_to_0_100(
    scored: Measure, value: float | None, expected: float | None
) -> None:
    assert score_measure(scored, value) == (None if expected is None else pytest.approx(expected))


# --- aggregation ---------------------------------------------------------------------------
# Values: usage 5 scores 50, last_seen 5 days scores 80, goals 0.75 scores 75.

ALL = {"usage": 5.0, "last_seen": 5.0, "goals": 0.75}
NO_GOALS = {"usage": 5.0, "last_seen": 5.0, "goals": None}
NO_USAGE = {"last_seen": 5.0, "goals": 0.75}  # a missing key is no data too


@pytest.mark.parametrize(
    ("values", "score", "band", "shares", "points", "lost"),
    [
        # 0.45 × 50 + 0.15 × 80 + 0.4 × 75 = 22.5 + 12 + 30.
        (
            ALL,
            64.5,
            Band.YELLOW,
            {"usage": 0.45, "last_seen": 0.15, "goals": 0.4},
            {"usage": 22.5, "last_seen": 12, "goals": 30},
            {"usage": 22.5, "last_seen": 3, "goals": 10},
        ),
        # Outcomes has no scored measure: Adoption takes the whole weight, 3/4 and 1/4.
        (
            NO_GOALS,
            57.5,
            Band.YELLOW,
            {"usage": 0.75, "last_seen": 0.25, "goals": 0},
            {"usage": 37.5, "last_seen": 20, "goals": 0},
            {"usage": 37.5, "last_seen": 5, "goals": 0},
        ),
        # usage left out: last_seen carries Adoption's 0.6 alone; 0.6 × 80 + 0.4 × 75.
        (
            NO_USAGE,
            78.0,
            Band.GREEN,
            {"usage": 0, "last_seen": 0.6, "goals": 0.4},
            {"usage": 0, "last_seen": 48, "goals": 30},
            {"usage": 0, "last_seen": 12, "goals": 10},
        ),
    ],
)
def test_weighted_average_renormalises_over_scored_measures(
    values: dict[str, float | None],
    score: float,
    band: Band,
    shares: dict[str, float],
    points: dict[str, float],
    lost: dict[str, float],
) -> None:
    result = score_account(scorecard(), values)
    assert result.score == pytest.approx(score)
    assert result.band is band
    by_key = {m.key: m for m in result.measures}
    assert {k: m.share for k, m in by_key.items()} == pytest.approx(shares)
    assert {k: m.points for k, m in by_key.items()} == pytest.approx(points)
    assert {k: m.lost for k, m in by_key.items()} == pytest.approx(lost)
    assert sum(m.lost for m in result.measures) == pytest.approx(100 - score)


def test_a_measure_without_data_scored_by_rule_keeps_its_weight() -> None:
    # goals scores the fixed 20: 22.5 + 12 + 0.4 × 20 = 42.5.
    result = score_account(scorecard(rule="score", score=20), NO_GOALS)
    assert result.score == pytest.approx(42.5)
    assert result.band is Band.RED
    goals = result.measures[2]
    assert (goals.value, goals.score, goals.no_data) == (None, 20, True)
    assert goals.share == pytest.approx(0.4)
    assert goals.lost == pytest.approx(32)


def test_an_excluded_measure_is_marked_no_data_without_a_score() -> None:
    goals = score_account(scorecard(), NO_GOALS).measures[2]
    assert (goals.key, goals.group, goals.source) == (
        "goals",
        "Outcomes",
        "outcomes.goals_on_track",
    )
    assert (goals.value, goals.score, goals.no_data, goals.weight) == (None, None, True, 1)


def test_equal_scores_average_to_themselves_exactly() -> None:
    # Three shares of 1/3 of 50 add up to 49.999… in floats: kept as 50, so yellow.
    three = ScorecardDefinition.model_validate(
        {
            "groups": [
                {
                    "name": "G",
                    "weight": 1,
                    "measures": [
                        {"key": k, "name": k, "source": "s", "weight": 1,
                         "scoring": {"type": "linear", "worst": 0, "best": 10}}
                        for k in ("a", "b", "c")
                    ],
                }
            ]
        }
    )  # fmt: skip
    result = score_account(three, {"a": 5, "b": 5, "c": 5})
    assert (result.score, result.band) == (50.0, Band.YELLOW)


@pytest.mark.parametrize("aggregation", ["weighted_average", "additive", "worst_of"])
def test_an_account_without_any_data_has_no_score_and_no_band(aggregation: str) -> None:
    result = score_account(scorecard(aggregation), {})
    assert (result.score, result.band) == (None, None)
    assert all(m.no_data and m.score is None and m.share == 0 for m in result.measures)


@pytest.mark.parametrize(
    ("values", "score", "points", "lost"),
    [
        # 0 + 15 × (80 − 50)/50 + 40 × (75 − 50)/50 = 9 + 20 above the baseline of 50.
        (ALL, 79.0, {"usage": 0, "last_seen": 9, "goals": 20}, {}),
        # Every measure at its worst but goals at 50: 50 − 45 − 15 = −10, clamped to 0.
        (
            {"usage": 0, "last_seen": 40, "goals": 0.5},
            0.0,
            {"usage": -45, "last_seen": -15, "goals": 0},
            {"usage": 45, "last_seen": 15},
        ),
        # Every measure at its best: 50 + 45 + 15 + 40 = 150, clamped to 100.
        ({"usage": 10, "last_seen": 0, "goals": 1}, 100.0, {"usage": 45, "last_seen": 15}, {}),
        # goals excluded adds nothing; the others keep their ranges: 50 + 0 + 9.
        (NO_GOALS, 59.0, {"usage": 0, "last_seen": 9, "goals": 0}, {}),
        # usage 2 scores 20: −45 × 30/50 = −27; 50 − 27 + 9 + 20 = 52.
        (
            {"usage": 2, "last_seen": 5, "goals": 0.75},
            52.0,
            {"usage": -27, "last_seen": 9, "goals": 20},
            {"usage": 27},
        ),
    ],
)
def test_additive_adds_signed_points_to_the_baseline(
    values: dict[str, float | None],
    score: float,
    points: dict[str, float],
    lost: dict[str, float],
) -> None:
    result = score_account(scorecard("additive"), values)
    assert result.score == pytest.approx(score)
    by_key = {m.key: m for m in result.measures}
    assert {k: by_key[k].points for k in points} == pytest.approx(points)
    assert {k: m.lost for k, m in by_key.items()} == pytest.approx(
        {"usage": 0, "last_seen": 0, "goals": 0} | lost
    )
    assert by_key["usage"].share == pytest.approx(0.45)


def test_additive_starts_from_the_scorecard_baseline() -> None:
    definition = scorecard("additive").model_copy(update={"baseline": 70})
    assert score_account(definition, ALL).score == pytest.approx(99.0)


@pytest.mark.parametrize(
    ("values", "score", "worst"),
    [
        (ALL, 50.0, "usage"),  # min(50, 80, 75)
        ({"usage": 9, "last_seen": 10, "goals": 0.75}, 60.0, "last_seen"),  # min(90, 60, 75)
        ({"usage": 9, "last_seen": 1, "goals": None}, 90.0, "usage"),  # goals excluded
        ({"usage": 8, "last_seen": 5, "goals": 0.8}, 80.0, "usage"),  # a tie: the first one
    ],
)
def test_worst_of_takes_the_lowest_measure(
    values: dict[str, float | None], score: float, worst: str
) -> None:
    result = score_account(scorecard("worst_of"), values)
    assert result.score == pytest.approx(score)
    for m in result.measures:
        assert m.share == (1.0 if m.key == worst else 0.0)
        assert m.lost == pytest.approx(100 - score if m.key == worst else 0.0)
        assert m.points == pytest.approx(score if m.key == worst else 0.0)


def test_a_measure_detail_is_plain_data() -> None:
    detail = score_account(scorecard(), ALL).measures[0].as_detail()
    assert detail == {
        "key": "usage",
        "name": "Usage",
        "group": "Adoption",
        "source": "usage.wau",
        "value": 5.0,
        "score": 50.0,
        "weight": 3,
        "share": pytest.approx(0.45),
        "points": pytest.approx(22.5),
        "lost": pytest.approx(22.5),
        "no_data": False,
    }


# --- bands ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "bands", "band"),
    [
        (0, Bands(), Band.RED),
        (49.99, Bands(), Band.RED),
        (50, Bands(), Band.YELLOW),  # exactly the yellow threshold
        (74.99, Bands(), Band.YELLOW),
        (75, Bands(), Band.GREEN),  # exactly the green threshold
        (100, Bands(), Band.GREEN),
        (39.9, Bands(yellow=40, green=60), Band.RED),
        (40, Bands(yellow=40, green=60), Band.YELLOW),
        (60, Bands(yellow=40, green=60), Band.GREEN),
        (55, Bands(yellow=55, green=55), Band.GREEN),  # no yellow band at all
        (None, Bands(), None),
    ],
)
def test_bands_run_red_below_yellow_below_green(
    score: float | None, bands: Bands, band: Band | None
) -> None:
    assert band_of(score, bands) == band


# --- trend ---------------------------------------------------------------------------------

MAR = date(2026, 3, 1)
THIRTY_DAYS_FIVE_POINTS = Trend(window_days=30, threshold=5)


def on(n: int) -> date:
    """Day n after 1 March 2026 (day 30 is 31 March)."""
    return MAR + timedelta(days=n)


@pytest.mark.parametrize(
    ("history", "as_of", "expected"),
    [
        ([(on(0), 70), (on(14), 72), (on(30), 80)], on(30), Direction.UP),  # +10
        ([(on(0), 80), (on(30), 74.9)], on(30), Direction.DOWN),  # −5.1
        ([(on(0), 70), (on(30), 75)], on(30), Direction.STEADY),  # exactly the threshold
        ([(on(0), 80.3), (on(30), 75.3)], on(30), Direction.STEADY),  # −5 in floats
        # The earlier end is the latest score on or before 1 March: 28 February's 60.
        ([(on(-9), 50), (on(-1), 60), (on(4), 90), (on(30), 62)], on(30), Direction.STEADY),
        # No score on as_of itself: the latest before it counts (31 March vs 1 March).
        ([(on(0), 70), (on(30), 80)], on(32), Direction.UP),
        ([(on(4), 70), (on(30), 90)], on(30), None),  # nothing on or before 1 March
        ([(on(-30), 60)], on(30), None),  # both ends are the same old score
        ([], on(30), None),
        ([(on(30), 80), (on(0), 70)], on(30), Direction.UP),  # order does not matter
    ],
)
def test_trend_compares_the_score_with_the_one_a_window_earlier(
    history: list[tuple[date, float]], as_of: date, expected: Direction | None
) -> None:
    assert trend_of(history, as_of, THIRTY_DAYS_FIVE_POINTS) == expected


def test_a_trend_window_and_threshold_come_from_the_scorecard() -> None:
    history = [(on(0), 70.0), (on(23), 73.0), (on(30), 75.0)]
    assert trend_of(history, on(30), Trend(window_days=7, threshold=1)) == Direction.UP
    assert trend_of(history, on(30), Trend(window_days=7, threshold=2)) == Direction.STEADY
