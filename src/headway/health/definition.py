"""A health scorecard's definition: the data a scorecard version holds, and its YAML form.

A scorecard groups weighted measures. Each measure reads a raw value from a source
(`usage.seat_utilisation`, `revenue.mrr_change`, `outcomes.goal_progress`, ...), maps it to
0–100 by a clamped linear range or by bands, and says what happens without data.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Aggregation(StrEnum):
    """How measure scores become the account's score."""

    WEIGHTED_AVERAGE = "weighted_average"  # Gainsight, Vitally
    ADDITIVE = "additive"  # Planhat: points added to or taken from a baseline
    WORST_OF = "worst_of"  # Totango: the weakest measure decides


class Strict(BaseModel):
    # inf or NaN (YAML's .inf, .nan) would make every share NaN and the score read as green.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class LinearScoring(Strict):
    """`worst` scores 0, `best` scores 100, straight between, clamped outside.

    `worst` above `best` reads a measure where less is better (days since last seen).
    """

    type: Literal["linear"] = "linear"
    worst: float
    best: float

    @model_validator(mode="after")
    def _distinct(self) -> LinearScoring:
        if self.worst == self.best:
            raise ValueError("worst and best must differ")
        return self


class Band(Strict):
    """Values from `from_` (inclusive) up to `to` (exclusive) score `score`; open ends allowed."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    from_: float | None = Field(default=None, alias="from")
    to: float | None = None
    score: float = Field(ge=0, le=100)


class BandScoring(Strict):
    """The first band that holds the value gives the score."""

    type: Literal["bands"] = "bands"
    bands: list[Band] = Field(min_length=1)


Scoring = Annotated[LinearScoring | BandScoring, Field(discriminator="type")]


class NoData(Strict):
    """Without a value the measure is left out (weights renormalised) or scores `score`."""

    rule: Literal["exclude", "score"] = "exclude"
    score: float | None = Field(default=None, ge=0, le=100)

    @model_validator(mode="after")
    def _score_given(self) -> NoData:
        if self.rule == "score" and self.score is None:
            raise ValueError("a no-data rule of 'score' needs the score to use")
        return self


class Measure(Strict):
    """One weighted reading of an account, scored 0–100."""

    key: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1, max_length=120)
    source: str = Field(min_length=1, max_length=64)
    params: dict[str, Any] = Field(default_factory=dict)
    weight: float = Field(gt=0)
    scoring: Scoring
    no_data: NoData = NoData()


class Group(Strict):
    """Measures shown together (Adoption, Outcomes, Revenue …) with the group's weight."""

    name: str = Field(min_length=1, max_length=120)
    weight: float = Field(gt=0)
    measures: list[Measure] = Field(min_length=1)


class Bands(Strict):
    """red below `yellow`, yellow below `green`, green from `green` up."""

    yellow: float = Field(default=50, ge=0, le=100)
    green: float = Field(default=75, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.yellow > self.green:
            raise ValueError("the yellow threshold must not be above the green one")
        return self


class Trend(Strict):
    """Up or down when the score moved more than `threshold` points over `window_days`."""

    window_days: int = Field(default=30, ge=1, le=365)
    threshold: float = Field(default=5, ge=0, le=100)


class ScorecardDefinition(Strict):
    """Everything a scorecard version says; stored as JSON and exchanged as YAML."""

    aggregation: Aggregation = Aggregation.WEIGHTED_AVERAGE
    baseline: float = Field(default=50, ge=0, le=100)  # additive mode starts here
    bands: Bands = Bands()
    trend: Trend = Trend()
    groups: list[Group] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> ScorecardDefinition:
        keys = [m.key for g in self.groups for m in g.measures]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"measure keys must be unique; repeated: {', '.join(repeated)}")
        return self

    def measures(self) -> list[tuple[Group, Measure]]:
        """Every measure with its group, in order."""
        return [(g, m) for g in self.groups for m in g.measures]
