"""Daily health scores: compute them from the sources, keep them per day, read them back.

An account is scored on a day when it is a customer then: it existed and its lifecycle stage
on that day (its latest stage change up to the day) was not churned. Its scorecard is its
segment's own, or the default one; the scorecard's current version scores it unless a
caller passes definitions to try (dry runs, backtests). Each source is read once per
distinct source and parameters for all the accounts that need it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, Segment
from headway.accounts.service import get_segment
from headway.core.errors import InvalidInput
from headway.health.builtin_sources import id_chunks, read_once, shared_reads
from headway.health.customers import Customer, customers_as_of
from headway.health.definition import ScorecardDefinition
from headway.health.history import (
    BANDS,
    AccountHealth,
    account_health,
    band_counts,
    latest_on_or_before,
    latest_scores,
    measure_of,
    score_history,
)
from headway.health.models import HealthScore
from headway.health.scorecards import (
    CurrentScorecard,
    scorecards_by_segment,
)
from headway.health.scoring import (
    Band,
    MeasureResult,
    score_account,
)
from headway.health.sources import get_measure_source
from headway.users.models import User

__all__ = [
    "AccountHealth",
    "AccountScore",
    "DistributionRow",
    "Mover",
    "account_health",
    "band_counts",
    "compute_scores",
    "health_distribution",
    "latest_on_or_before",
    "latest_scores",
    "measure_of",
    "movers",
    "score_accounts",
    "score_history",
]

# Accounts scored and written per batch by `score_accounts`: each source is read per batch.
SCORE_BATCH = 2000

# Called with (accounts done, accounts in all) while scores are written.
Progress = Callable[[int, int], None]
# The row of customers without a segment, or without a CSM.
NO_GROUP = {"segment": "No segment", "csm": "No CSM"}


@dataclass(frozen=True)
class AccountScore:
    """An account's score on a day, the scorecard version that gave it, and every measure."""

    account_id: int
    day: date
    scorecard_id: int
    scorecard_key: str
    version: int
    score: float | None  # None when no measure had data
    band: Band | None
    measures: list[MeasureResult]


def _params_key(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, default=str)


def _scorecards_in_use(
    session: Session, definitions: Mapping[int, tuple[int, ScorecardDefinition]] | None
) -> dict[int | None, CurrentScorecard]:
    """Scorecards by segment id (None: the default), with the definitions to try instead."""
    in_use = scorecards_by_segment(session=session)
    for segment_id, current in list(in_use.items()):
        if definitions and current.scorecard.id in definitions:
            version, definition = definitions[current.scorecard.id]
            in_use[segment_id] = CurrentScorecard(current.scorecard, version, definition)
    return in_use


def compute_scores(
    *,
    session: Session,
    as_of: date,
    account_ids: Sequence[int] | None = None,
    definitions: Mapping[int, tuple[int, ScorecardDefinition]] | None = None,
) -> dict[int, AccountScore]:
    """Score the customers of a day (all, or those given) without writing anything.

    `definitions` maps a scorecard id to the (version, definition) to use instead of its
    current version. Inside a caller's `shared_reads(session)` block, sources already read
    for the same day and accounts are not read again (a backtest trying several versions).
    """
    scorecards = _scorecards_in_use(session, definitions)
    cards: dict[int, CurrentScorecard] = {}
    for customer in customers_as_of(session=session, as_of=as_of, account_ids=account_ids):
        card = scorecards.get(customer.segment_id) or scorecards.get(None)
        if card is not None:
            cards[customer.id] = card

    wanted: dict[tuple[str, str], set[int]] = defaultdict(set)
    params_of: dict[tuple[str, str], Mapping[str, Any]] = {}
    for account_id, card in cards.items():
        for _, measure in card.definition.measures():
            read_key = (measure.source, _params_key(measure.params))
            wanted[read_key].add(account_id)
            params_of[read_key] = measure.params
    read: dict[tuple[str, str], dict[int, float]] = {}
    with shared_reads(session):
        for read_key, ids in wanted.items():
            source, accounts = get_measure_source(read_key[0]), sorted(ids)
            read[read_key] = read_once(
                session,
                ("source", *read_key, as_of, tuple(accounts)),
                partial(source.read, session, accounts, as_of, params_of[read_key]),
            )

    scores = {}
    for account_id, card in cards.items():
        values = {
            measure.key: read[(measure.source, _params_key(measure.params))].get(account_id)
            for _, measure in card.definition.measures()
        }
        result = score_account(card.definition, values)
        scores[account_id] = AccountScore(
            account_id=account_id,
            day=as_of,
            scorecard_id=card.scorecard.id,
            scorecard_key=card.scorecard.key,
            version=card.version,
            score=result.score,
            band=result.band,
            measures=result.measures,
        )
    return scores


def score_accounts(
    *,
    session: Session,
    as_of: date,
    account_ids: Sequence[int] | None = None,
    progress: Progress | None = None,
) -> int:
    """Write (or rewrite) the day's score of each customer and commit; return how many scored.

    The day's earlier scores of the accounts are replaced, so running it again changes
    nothing; an account without any data gets no score that day.
    """
    ids = [c.id for c in customers_as_of(session=session, as_of=as_of, account_ids=account_ids)]
    if account_ids is None:
        session.execute(delete(HealthScore).where(HealthScore.day == as_of))
    else:
        for chunk in id_chunks(account_ids):
            session.execute(
                delete(HealthScore).where(
                    HealthScore.day == as_of, HealthScore.account_id.in_(chunk)
                )
            )
    written = 0
    if progress:
        progress(0, len(ids))
    for done, batch in enumerate(id_chunks(ids, SCORE_BATCH), start=1):
        scores = compute_scores(session=session, as_of=as_of, account_ids=batch)
        rows = [
            {
                "account_id": s.account_id,
                "day": as_of,
                "scorecard_id": s.scorecard_id,
                "version": s.version,
                "score": s.score,
                "band": str(s.band),
                "details": [m.as_detail() for m in s.measures],
            }
            for s in scores.values()
            if s.score is not None
        ]
        if rows:
            session.execute(insert(HealthScore), rows)
        written += len(rows)
        if progress:
            progress(min(done * SCORE_BATCH, len(ids)), len(ids))
    session.commit()
    return written


# --- the portfolio -------------------------------------------------------------------------


@dataclass(frozen=True)
class DistributionRow:
    """Customers of one segment or CSM per band (latest score up to the day), and unscored."""

    key: str | None  # segment key or CSM email; None: no segment, or no CSM
    name: str
    counts: dict[str, int]  # red, yellow, green
    no_score: int

    @property
    def scored(self) -> int:
        return sum(self.counts.values())

    @property
    def total(self) -> int:
        return self.scored + self.no_score


def _customers(
    session: Session, as_of: date, segment: str | None, owner_id: int | None
) -> list[Customer]:
    """The day's customers, of one segment (key) and one CSM when given."""
    customers = customers_as_of(session=session, as_of=as_of)
    if segment is not None:
        segment_id = get_segment(session=session, key=segment).id
        customers = [c for c in customers if c.segment_id == segment_id]
    if owner_id is not None:
        customers = [c for c in customers if c.owner_id == owner_id]
    return customers


def health_distribution(
    *,
    session: Session,
    as_of: date,
    by: str = "segment",
    segment: str | None = None,
    owner_id: int | None = None,
) -> list[DistributionRow]:
    """Count the day's customers per band, by segment (in segment order) or CSM (by name).

    Each customer counts with its latest score on or before the day; the row of customers
    without a segment (or a CSM) comes last. `segment` (a key) and `owner_id` narrow the
    customers counted.
    """
    if by not in NO_GROUP:
        raise InvalidInput(f"health is distributed by 'segment' or 'csm', not {by!r}")
    customers = _customers(session, as_of, segment, owner_id)
    latest = latest_on_or_before(session=session, day=as_of, account_ids=[c.id for c in customers])
    groups: dict[int, tuple[str, str]] = {}
    if by == "segment":
        for row in session.scalars(select(Segment).order_by(Segment.position, Segment.name)):
            groups[row.id] = (row.key, row.name)
    else:
        owners = {c.owner_id for c in customers if c.owner_id is not None}
        for user in session.scalars(
            select(User).where(User.id.in_(owners)).order_by(User.name, User.email)
        ):
            groups[user.id] = (user.email, user.name)
    counts: dict[int | None, dict[str, int]] = {}
    unscored: dict[int | None, int] = {}
    for customer in customers:
        group = customer.segment_id if by == "segment" else customer.owner_id
        group = group if group in groups else None
        counts.setdefault(group, dict.fromkeys(BANDS, 0))
        unscored.setdefault(group, 0)
        stored = latest.get(customer.id)
        if stored is None:
            unscored[group] += 1
        else:
            counts[group][stored.band] += 1
    order: list[int | None] = [*groups, None]
    return [
        DistributionRow(*_group_label(groups, g, by), counts[g], unscored[g])
        for g in order
        if g in counts
    ]


def _group_label(
    groups: Mapping[int, tuple[str, str]], group: int | None, by: str
) -> tuple[str | None, str]:
    return groups[group] if group is not None else (None, NO_GROUP[by])


@dataclass(frozen=True)
class Mover:
    """A customer whose score dropped over the window."""

    account_id: int
    name: str
    owner_id: int | None
    before: float
    after: float
    change: float  # after − before: negative
    band_before: str
    band_after: str


def movers(
    *,
    session: Session,
    as_of: date,
    window_days: int = 30,
    limit: int = 10,
    segment: str | None = None,
    owner_id: int | None = None,
) -> list[Mover]:
    """The customers whose latest score dropped most since `window_days` before the day.

    Compares each customer's latest score on or before the day with its latest on or before
    `window_days` earlier; biggest drops first. `segment` (a key) and `owner_id` narrow them.
    """
    ids = [c.id for c in _customers(session, as_of, segment, owner_id)]
    after = latest_on_or_before(session=session, day=as_of, account_ids=ids)
    before = latest_on_or_before(
        session=session, day=as_of - timedelta(days=window_days), account_ids=list(after)
    )
    drops = [
        (after[a].score - before[a].score, a)
        for a in after
        if a in before and before[a].day < after[a].day and after[a].score < before[a].score
    ]
    drops.sort()
    chosen = [a for _, a in drops[:limit]]
    accounts = {
        account_id: (name, owner_id)
        for account_id, name, owner_id in session.execute(
            select(Account.id, Account.name, Account.owner_id).where(Account.id.in_(chosen))
        )
    }
    return [
        Mover(
            account_id=a,
            name=accounts[a][0],
            owner_id=accounts[a][1],
            before=before[a].score,
            after=after[a].score,
            change=after[a].score - before[a].score,
            band_before=before[a].band,
            band_after=after[a].band,
        )
        for a in chosen
    ]
