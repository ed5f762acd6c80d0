"""Stored daily health scores read back: the latest per account, an account's history.

Scores are written by `scores.score_accounts`; these read them for many accounts at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.core import clock
from headway.health.builtin_sources import id_chunks
from headway.health.models import HealthScore
from headway.health.scoring import Band

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
