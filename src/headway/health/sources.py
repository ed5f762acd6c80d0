"""Where scorecard measures read their raw values: a registry any domain can add to.

A source reads one number per account as of a date, for many accounts at once. The sources
over domains below health (usage, revenue, later support and surveys) live in
`health/builtin_sources.py`; domains above it (outcomes, activities) register theirs in a
`health_sources` module of their own. `SOURCE_MODULES` lists those modules, so health loads
them without importing the domains above it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from headway.core.errors import InvalidInput

# Read the values of `account_ids` as of a day; an account left out of the result has no data.
Reader = Callable[[Session, Sequence[int], date, Mapping[str, Any]], dict[int, float]]

SOURCE_MODULES = (
    "headway.health.builtin_sources",
    "headway.health.support_survey_sources",
    "headway.outcomes.health_sources",
    "headway.activities.health_sources",
)


@dataclass(frozen=True)
class MeasureSource:
    """A raw value a measure can read: its key, what it means, its unit and its reader."""

    key: str
    label: str
    unit: str
    description: str
    read: Reader
    params: Mapping[str, str] | None = None  # parameter name → what it means


_SOURCES: dict[str, MeasureSource] = {}


def register_measure_source(source: MeasureSource) -> MeasureSource:
    """Make a source available to scorecards under its key."""
    _SOURCES[source.key] = source
    return source


@cache
def _load() -> None:
    for module in SOURCE_MODULES:
        importlib.import_module(module)


def measure_sources() -> list[MeasureSource]:
    """Every registered source, by key."""
    _load()
    return [_SOURCES[key] for key in sorted(_SOURCES)]


def get_measure_source(key: str) -> MeasureSource:
    """The source with this key; an unknown key is refused with the known ones listed."""
    _load()
    try:
        return _SOURCES[key]
    except KeyError:
        known = ", ".join(sorted(_SOURCES))
        raise InvalidInput(f"unknown measure source {key!r}; known sources: {known}") from None
