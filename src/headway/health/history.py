"""Stored daily health scores read back: the latest per account, an account's history and
its latest score explained.

Scores are written by `scores.score_accounts`; these read them for many accounts at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.accounts.service import get_account
from headway.core import clock
from headway.core.errors import NotFound
from headway.health.builtin_sources import id_chunks
from headway.health.definition import Bands, Trend
from headway.health.models import HealthScore, Scorecard
from headway.health.scorecards import definition_of, get_version
from headway.health.scoring import Band, Direction, MeasureResult, trend_of

BANDS = tuple(band.value for band in Band)  # red, yellow, green


def band_counts(*, session: Session, day: date) -> dict[str, int]:
    """How many scores of a day fall in each band."""
    counts = dict.fromkeys(BANDS, 0)
    for band, count in session.execute(
        select(HealthScore.band, func.count())
        .where(HealthScore.day == day)
        .group_by(HealthScore.band)
    ):
        counts[band] = count
    return counts


def latest_on_or_before(
    *, session: Session, day: date, account_ids: Sequence[int] | None = None
) -> dict[int, HealthScore]:
    """Each account's latest stored score on or before a day."""
    found: dict[int, HealthScore] = {}
    chunks: Sequence[Sequence[int] | None] = (
        [None] if account_ids is None else list(id_chunks(account_ids))
    )
    for chunk in chunks:
        newest = (
            select(HealthScore.account_id, func.max(HealthScore.day).label("day"))
            .where(HealthScore.day <= day)
            .group_by(HealthScore.account_id)
        )
        if chunk is not None:
            newest = newest.where(HealthScore.account_id.in_(chunk))
        sub = newest.subquery()
        for row in session.scalars(
            select(HealthScore).join(
                sub, (sub.c.account_id == HealthScore.account_id) & (sub.c.day == HealthScore.day)
            )
        ):
            found[row.account_id] = row
    return found


def latest_scores(
    *, session: Session, account_ids: Sequence[int], as_of: date | None = None
) -> dict[int, HealthScore]:
    """The latest stored score of each account (on or before as_of, default today)."""
    return latest_on_or_before(session=session, day=as_of or clock.today(), account_ids=account_ids)


def score_history(
    *, session: Session, account_id: int, days: int = 180, as_of: date | None = None
) -> list[tuple[date, float]]:
    """An account's stored scores of the `days` up to as_of (default today), oldest first."""
    last = as_of or clock.today()
    first = date.fromordinal(last.toordinal() - days + 1)
    rows = session.execute(
        select(HealthScore.day, HealthScore.score)
        .where(
            HealthScore.account_id == account_id,
            HealthScore.day >= first,
            HealthScore.day <= last,
        )
        .order_by(HealthScore.day)
    )
    return [(day, score) for day, score in rows]


# --- one account ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountHealth:
    """An account's latest score as of a day, explained, with its trend and history."""

    account_id: int
    day: date | None  # the day of the score shown; None without any score
    score: float | None
    band: str | None
    trend: Direction | None
    scorecard_key: str | None
    scorecard_name: str | None
    version: int | None
    bands: Bands  # the thresholds of the version that gave the score
    measures: list[MeasureResult]
    pulled_down: list[MeasureResult]  # the measures that cost points, most first
    history: list[tuple[date, float]]


def measure_of(detail: Mapping[str, Any]) -> MeasureResult:
    """A stored measure detail read back."""
    return MeasureResult(
        key=detail["key"],
        name=detail.get("name", detail["key"]),
        group=detail.get("group", ""),
        source=detail.get("source", ""),
        value=detail.get("value"),
        score=detail.get("score"),
        weight=detail.get("weight", 0.0),
        share=detail.get("share", 0.0),
        points=detail.get("points", 0.0),
        lost=detail.get("lost", 0.0),
        no_data=detail.get("no_data", detail.get("value") is None),
    )


def account_health(
    *, session: Session, account_id: int, as_of: date | None = None, days: int = 180
) -> AccountHealth:
    """Explain an account's latest score up to as_of (default today): what pulled it down."""
    get_account(session=session, account_id=account_id)
    day = as_of or clock.today()
    history = score_history(session=session, account_id=account_id, days=days, as_of=day)
    stored = latest_on_or_before(session=session, day=day, account_ids=[account_id]).get(account_id)
    if stored is None:
        return AccountHealth(
            account_id, None, None, None, None, None, None, None, Bands(), [], [], history
        )
    scorecard = session.get(Scorecard, stored.scorecard_id)
    definition = None
    if scorecard is not None:
        with contextlib.suppress(NotFound):
            definition = definition_of(
                get_version(session=session, scorecard=scorecard, version=stored.version)
            )
    measures = [measure_of(detail) for detail in stored.details]
    pulled_down = sorted((m for m in measures if m.lost > 0), key=lambda m: -m.lost)
    return AccountHealth(
        account_id=account_id,
        day=stored.day,
        score=stored.score,
        band=stored.band,
        trend=trend_of(history, day, definition.trend if definition else Trend()),
        scorecard_key=scorecard.key if scorecard else None,
        scorecard_name=scorecard.name if scorecard else None,
        version=stored.version,
        bands=definition.bands if definition else Bands(),
        measures=measures,
        pulled_down=pulled_down,
        history=history,
    )
