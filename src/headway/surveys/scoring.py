"""How answers on a survey's scale are read: positive, negative, and the survey's figure.

Pure functions over scores, shared by the survey metrics, health sources and the reports:
- NPS: % of answers at or above `positive_min` (promoters, 9–10) minus % at or below
  `negative_max` (detractors, 0–6), passives in the denominator; −100 … +100.
- percent positive (CSAT): answers at or above `positive_min` (4–5 of 1–5; good of good/bad)
  ÷ all answers, as a fraction.
- mean (CES): the mean answer, and the share agreeing (5–7 of 1–7) beside it; means are
  pooled over answers on the CES 2.0 scale only (`on_ces_2_0`), counts over any scale (`pooled`).
A "lower_better" survey turns the scale round: low answers are the positive ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from headway.surveys.models import Survey


@dataclass(frozen=True)
class Scale:
    """What a survey's answers mean: its range, direction and thresholds."""

    minimum: int
    maximum: int
    positive_min: int
    negative_max: int | None = None
    direction: str = "higher_better"

    def check(self, score: int) -> None:
        """Refuse a score outside the scale, naming the scale."""
        if not self.minimum <= score <= self.maximum:
            raise ValueError(f"score {score} is outside the scale {self.minimum}–{self.maximum}")

    def is_positive(self, score: int) -> bool:
        if self.direction == "lower_better":
            return score <= self.positive_min
        return score >= self.positive_min

    def is_negative(self, score: int) -> bool:
        if self.negative_max is None:
            return False
        if self.direction == "lower_better":
            return score >= self.negative_max
        return score <= self.negative_max


# CES 2.0: 1–7 agreement that "the company made it easy to handle my issue"; 5–7 agree.
CES_2_0 = Scale(minimum=1, maximum=7, positive_min=5, negative_max=3)


@dataclass(frozen=True)
class Tally:
    """Answers counted positive, neutral and negative, with the figures they give."""

    responses: int
    positive: int
    neutral: int
    negative: int
    mean: float | None

    @property
    def positive_rate(self) -> float | None:
        return self.positive / self.responses if self.responses else None

    @property
    def net_score(self) -> float | None:
        """% positive − % negative, −100 … +100 (the NPS of an NPS survey)."""
        if not self.responses:
            return None
        return 100 * (self.positive - self.negative) / self.responses


def tally(scores: Sequence[int], scale: Scale) -> Tally:
    """Count the scores of one survey by what they mean on its scale."""
    positive = sum(1 for s in scores if scale.is_positive(s))
    negative = sum(1 for s in scores if scale.is_negative(s))
    return Tally(
        responses=len(scores),
        positive=positive,
        neutral=len(scores) - positive - negative,
        negative=negative,
        mean=sum(scores) / len(scores) if scores else None,
    )


def pooled(tallies: Iterable[Tally]) -> Tally:
    """Several surveys' tallies added up, each counted on its own scale (no mean: scales differ)."""
    parts = list(tallies)
    return Tally(
        responses=sum(t.responses for t in parts),
        positive=sum(t.positive for t in parts),
        neutral=sum(t.neutral for t in parts),
        negative=sum(t.negative for t in parts),
        mean=None,
    )


def on_ces_2_0(survey: Survey) -> bool:
    """Whether a survey answers on the CES 2.0 scale, so that its answers' mean is the CES mean."""
    return (survey.scale_min, survey.scale_max, survey.direction) == (
        CES_2_0.minimum,
        CES_2_0.maximum,
        CES_2_0.direction,
    )


def scale_words(survey: Survey) -> list[tuple[int, str]]:
    """Every answer of a survey's scale, lowest first, with its words ("" where it has none)."""
    labels = {str(point): str(words) for point, words in (survey.labels or {}).items()}
    scores = range(survey.scale_min, survey.scale_max + 1)
    return [(score, labels.get(str(score), "")) for score in scores]


def scale_of(survey: Survey) -> Scale:
    """The scale a stored survey declares."""
    return Scale(
        minimum=survey.scale_min,
        maximum=survey.scale_max,
        positive_min=survey.positive_min,
        negative_max=survey.negative_max,
        direction=survey.direction,
    )
