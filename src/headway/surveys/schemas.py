"""Pydantic shapes of surveys, answers and opt-outs, and how an answer names its survey.

An answer names its survey by key (`nps`, `csat`, `csat_good_bad`, `ces` or one added later) or
by type (`nps`, `csat`, `ces`): a type goes to its built-in survey, and a CSAT answered "good" or
"bad" goes to the good/bad survey as 1 or 0 (`typed_survey`). The API and the import share it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from headway.core.pagination import Page
from headway.support.schemas import UtcTime

SurveyType = Literal["nps", "csat", "ces"]
# The built-in survey of each type, and the one CSAT answers in words go to.
TYPE_SURVEYS: dict[str, str] = {"nps": "nps", "csat": "csat", "ces": "ces"}
GOOD_BAD_SURVEY = "csat_good_bad"
GOOD_BAD_SCORES = {"bad": 0, "good": 1}
SurveyKey = Annotated[str, Field(min_length=1, max_length=64)]
ScoreWord = Annotated[str, Field(min_length=1, max_length=32)]
_WHOLE_NUMBER = re.compile(r"-?\d{1,9}")


def typed_survey(survey_type: str, word: str | None) -> str:
    """The key of the built-in survey an answer of this type goes to (good/bad CSAT: its own)."""
    if survey_type == "csat" and word is not None and word.strip().lower() in GOOD_BAD_SCORES:
        return GOOD_BAD_SURVEY
    return TYPE_SURVEYS[survey_type]


def read_score(text: str, labels: dict[str, Any]) -> int | None:
    """A score written as a whole number ("9", "9.0") or as a word of the survey's labels."""
    plain = text.strip().removesuffix(".0")
    if _WHOLE_NUMBER.fullmatch(plain):
        return int(plain)
    return score_of_word(text, labels)


def score_of_word(word: str, labels: dict[str, Any]) -> int | None:
    """The point of a scale a word names through the survey's labels ("good" → 1), if any."""
    wanted = word.strip().lower()
    for point, label in labels.items():
        if isinstance(label, str) and label.strip().lower() == wanted:
            try:
                return int(point)
            except ValueError:
                return None
    return None


class SurveyRead(BaseModel):
    """A survey: its question, its scale and how its answers are read."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    type: str
    name: str
    question: str
    scale_min: int
    scale_max: int
    labels: dict[str, Any]
    direction: str
    positive_min: int
    negative_max: int | None
    aggregation: str


class SurveyResponseCreate(BaseModel):
    """One answer as a survey tool sends it; the account is named by its external id."""

    survey: SurveyKey | None = Field(None, description="The survey's key; or give survey_type.")
    survey_type: SurveyType | None = Field(
        None, description="nps, csat or ces: the built-in survey of that type."
    )
    account_id: str = Field(min_length=1, max_length=128, description="The account's external id.")
    contact_email: str | None = Field(None, min_length=3, max_length=320)
    score: StrictInt | ScoreWord = Field(
        description="A whole number on the survey's scale; CSAT also takes good or bad."
    )
    comment: str = Field("", max_length=10_000)
    responded_at: UtcTime
    external_id: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="The sender's id of the answer; without one, survey, account, email and "
        "time identify it.",
    )

    @model_validator(mode="after")
    def _names_one_survey(self) -> SurveyResponseCreate:
        if (self.survey is None) == (self.survey_type is None):
            raise ValueError("give either survey (a survey key) or survey_type (nps, csat, ces)")
        return self


class SurveyResponseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str
    survey: str
    survey_type: str
    account_id: int
    contact_id: int | None
    contact_email: str | None
    campaign_id: int | None
    ticket_id: int | None
    score: int
    comment: str
    responded_at: datetime
    source: str
    created_at: datetime
    updated_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _from_response(cls, data: Any) -> Any:
        # A stored response names its survey through the relationship: flatten key and type.
        survey = getattr(data, "survey", None)
        if survey is not None and not isinstance(data, dict):
            fields = {name: getattr(data, name) for name in cls.model_fields if hasattr(data, name)}
            return fields | {"survey": survey.key, "survey_type": survey.type}
        return data


SurveyResponsePage = Page[SurveyResponseRead]


class OptOutCreate(BaseModel):
    """An email address that asked not to be surveyed."""

    email: str = Field(min_length=3, max_length=320)


class OptOutRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    email: str
    opted_out_at: datetime
    source: str
