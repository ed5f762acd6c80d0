"""The portfolio's stored health scores as a list: each customer's latest score up to a day.

Lowest scores first, so the accounts that need attention lead; filtered by segment and band,
a page at a time. Reads only the columns a list shows (never the per-measure details), so a
portfolio of 100,000 accounts stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, Segment
from headway.accounts.service import get_segment
from headway.core.errors import InvalidInput
from headway.core.pagination import clamp_page
from headway.health.customers import customers_as_of
from headway.health.models import HealthScore, Scorecard
from headway.health.scoring import Band


@dataclass(frozen=True)
class ScoreLine:
    """A customer's latest score on or before the day asked about."""

    account_id: int
    account_name: str
    segment: str | None
    owner_id: int | None
    day: date
    score: float
    band: str
    scorecard: str
    version: int


def list_scores(
    *,
    session: Session,
    as_of: date,
    segment: str | None = None,
    band: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[ScoreLine], int]:
    """One page of the customers' latest scores up to as_of, lowest first, and the total."""
    if band is not None and band not in {b.value for b in Band}:
        raise InvalidInput(f"band: expected red, yellow or green, got {band!r}")
    segment_id = get_segment(session=session, key=segment).id if segment else None
    page, per_page = clamp_page(page, per_page)
    customers = {c.id for c in customers_as_of(session=session, as_of=as_of)}
    newest = (
        select(HealthScore.account_id, func.max(HealthScore.day).label("day"))
        .where(HealthScore.day <= as_of)
        .group_by(HealthScore.account_id)
        .subquery()
    )
    query = (
        select(
            HealthScore.account_id,
            Account.name,
            Segment.key,
            Account.owner_id,
            HealthScore.day,
            HealthScore.score,
            HealthScore.band,
            Scorecard.key,
            HealthScore.version,
        )
        .join(
            newest,
            and_(newest.c.account_id == HealthScore.account_id, newest.c.day == HealthScore.day),
        )
        .join(Account, Account.id == HealthScore.account_id)
        .outerjoin(Segment, Segment.id == Account.segment_id)
        .join(Scorecard, Scorecard.id == HealthScore.scorecard_id)
    )
    if segment_id is not None:
        query = query.where(Account.segment_id == segment_id)
    if band is not None:
        query = query.where(HealthScore.band == band)
    lines = [ScoreLine(*row) for row in session.execute(query) if row[0] in customers]
    lines.sort(key=lambda line: (line.score, line.account_name, line.account_id))
    first = (page - 1) * per_page
    return lines[first : first + per_page], len(lines)
