"""Which accounts are customers on a day: those health scores and portfolios count.

Reads many accounts at once: the scores service asks once per day (or per batch), never
once per account.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, LifecycleStage, StageChange
from headway.health.builtin_sources import id_chunks

CHURNED_STAGE = "churned"


class Customer(NamedTuple):
    """An account scored on a day."""

    id: int
    segment_id: int | None
    owner_id: int | None


def _day_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def customers_as_of(
    *, session: Session, as_of: date, account_ids: Sequence[int] | None = None
) -> list[Customer]:
    """The accounts that were not churned on a day, by id.

    The stage on a day is the one the latest stage change up to that day moved to. An
    account whose recorded stages all come later (imported with its past) counts as a
    customer then; one without any recorded stage change reads its current stage.
    """
    cutoff = _day_after(as_of)
    churned = session.scalar(select(LifecycleStage.id).where(LifecycleStage.key == CHURNED_STAGE))
    chunks: list[list[int] | None] = (
        [None] if account_ids is None else list(id_chunks(sorted(set(account_ids))))
    )
    found = []
    for chunk in chunks:
        for account_id, segment_id, owner_id, stage_now, stage_then, recorded in session.execute(
            _stages_query(cutoff, chunk)
        ):
            if stage_then is not None:
                stage = stage_then
            elif recorded is not None:
                stage = None  # its recorded history starts later
            else:
                stage = stage_now
            if churned is not None and stage == churned:
                continue
            found.append(Customer(account_id, segment_id, owner_id))
    return found


def _stages_query(cutoff: datetime, chunk: list[int] | None) -> Select[Any]:
    """Accounts with their current stage, the stage their last change before cutoff set, and
    whether any stage change is recorded for them."""
    changes = select(
        StageChange.account_id,
        StageChange.to_stage_id,
        func.row_number()
        .over(
            partition_by=StageChange.account_id,
            order_by=(StageChange.changed_at.desc(), StageChange.id.desc()),
        )
        .label("n"),
    ).where(StageChange.changed_at < cutoff)
    recorded = select(StageChange.account_id).distinct()
    accounts = select(Account.id, Account.segment_id, Account.owner_id, Account.stage_id)
    if chunk is not None:
        changes = changes.where(StageChange.account_id.in_(chunk))
        recorded = recorded.where(StageChange.account_id.in_(chunk))
        accounts = accounts.where(Account.id.in_(chunk))
    ranked = changes.subquery()
    any_change = recorded.subquery()
    return (
        accounts.add_columns(ranked.c.to_stage_id, any_change.c.account_id)
        .outerjoin(ranked, and_(ranked.c.account_id == Account.id, ranked.c.n == 1))
        .outerjoin(any_change, any_change.c.account_id == Account.id)
        .order_by(Account.id)
    )
