"""Measure sources over activities, for health scorecards.

`activities.coverage`: the share of the touches an account's segment requires (in its
stage) that are met on a day, by the rules of `activities/coverage.py` over the activities
that happened up to that day. No data when no requirement applies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.activities.service import _coverage_rows
from headway.health.builtin_sources import id_chunks
from headway.health.sources import MeasureSource, register_measure_source


def read_coverage(
    session: Session, account_ids: Sequence[int], as_of: date, params: Mapping[str, Any]
) -> dict[int, float]:
    """Share of each account's required touches met as of a day."""
    found: dict[int, float] = {}
    for chunk in id_chunks(account_ids):
        accounts = list(session.scalars(select(Account).where(Account.id.in_(chunk))))
        for row in _coverage_rows(session, accounts, as_of):
            if row.lines:
                found[row.account_id] = sum(line.met for line in row.lines) / len(row.lines)
    return found


register_measure_source(
    MeasureSource(
        key="activities.coverage",
        label="Required touches met",
        unit="share",
        description=(
            "Share of the touches the account's segment requires (meetings, reviews …) that "
            "are met on the day, from the activities logged up to it; no data when none apply."
        ),
        read=read_coverage,
    )
)
