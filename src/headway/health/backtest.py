"""How well a scorecard foretells churn: score past days, see who churned after, measure AUC.

Each version of a scorecard scores the accounts that paid on past as-of days (by default the
month ends of the 12 months ending at least `horizon_days` ago), as those days' data stood.
An account churned when it stopped paying within `horizon_days` after the day: logo churn as
the revenue metrics count it, at a month end where its MRR is zero (docs/metrics.md). A good
scorecard gives the accounts that stayed higher scores than those that left: the area under
the ROC curve (AUC) is the chance that a retained account outscores a churned one, 1.0
perfect, 0.5 no better than chance, below 0.5 upside down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from headway.core import clock
from headway.core.errors import InvalidInput
from headway.health.builtin_sources import shared_reads
from headway.health.models import Scorecard, ScorecardVersion
from headway.health.scorecards import (
    accounts_of_scorecard,
    default_scorecard,
    definition_of,
    get_scorecard,
    list_versions,
)
from headway.health.scores import compute_scores
from headway.revenue.ledger import build_ledger, read_subscriptions
from headway.revenue.metrics import month_end, month_number
from headway.revenue.models import Subscription

DEFAULT_HORIZON_DAYS = 90
BACKTEST_MONTHS = 12
MAX_AS_OF_DATES = 60
BANDS = ("red", "yellow", "green")


def roc_auc(scores: Sequence[float], churned: Sequence[bool]) -> float | None:
    """The chance a retained account scores above a churned one (ties count half).

    None when either class is empty. Computed from ranks (Mann–Whitney U), ties given their
    average rank, in O(n log n).
    """
    if len(scores) != len(churned):
        raise ValueError("scores and churned must be as long as each other")
    values = np.asarray(scores, dtype=np.float64)
    left = np.asarray(churned, dtype=bool)
    n_churned = int(left.sum())
    n_retained = len(left) - n_churned
    if n_churned == 0 or n_retained == 0:
        return None
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    ranks = np.empty(len(values), dtype=np.float64)
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2 + 1  # average of ranks start+1…end+1
        start = end + 1
    retained_ranks = float(ranks[~left].sum())
    u_retained = retained_ranks - n_retained * (n_retained + 1) / 2
    return u_retained / (n_retained * n_churned)


def default_as_of_dates(
    today: date, horizon_days: int, months: int = BACKTEST_MONTHS
) -> list[date]:
    """Month ends of the `months` months ending at least `horizon_days` before today."""
    last = month_number(today - timedelta(days=horizon_days))
    if month_end(last) > today - timedelta(days=horizon_days):
        last -= 1
    return [month_end(m) for m in range(last - months + 1, last + 1)]


# --- who paid and who churned ----------------------------------------------------------------


def paying_accounts(*, session: Session, on: date) -> set[int]:
    """The ids of the accounts with a paying subscription on a day (MRR above zero)."""
    query = select(Subscription.account_id).where(
        Subscription.start_date <= on,
        or_(Subscription.end_date.is_(None), Subscription.end_date > on),
        Subscription.amount_minor > 0,
        Subscription.quantity > 0,
    )
    return set(session.scalars(query.distinct()))


@dataclass(frozen=True)
class ChurnLabels:
    """Month-end MRR of every account, to tell who stopped paying after a day."""

    account_rows: dict[int, int]
    first_month: int
    paying: np.ndarray  # (accounts, months) of bool
    known_until: date

    def churned(self, account_id: int, after: date, horizon_days: int) -> bool:
        """Whether the account paid nothing at a month end in (after, after + horizon]."""
        row = self.account_rows.get(account_id)
        if row is None:
            return False
        last = min(after + timedelta(days=horizon_days), self.known_until)
        month = month_number(after)
        if month_end(month) <= after:
            month += 1
        while month_end(month) <= last:
            column = month - self.first_month
            if 0 <= column < self.paying.shape[1] and not self.paying[row, column]:
                return True
            month += 1
        return False


def churn_labels(
    *, session: Session, first: date, last: date, known_until: date | None = None
) -> ChurnLabels:
    """Read every subscription once and tell who paid at each month end from first to last."""
    subscriptions = read_subscriptions(session=session)
    first_month, last_month = month_number(first), month_number(last)
    ledger = build_ledger(subscriptions, first_month=first_month, last_month=last_month, rates=None)
    matrix = ledger.matrix
    rows = {int(account_id): row for row, account_id in enumerate(matrix.account_ids)}
    return ChurnLabels(rows, first_month, matrix.mrr > 0, known_until or clock.today())


# --- the backtest ----------------------------------------------------------------------------


@dataclass
class _Tally:
    scores: list[float]
    churned: list[bool]
    unscored: int = 0

    def summary(self) -> dict[str, Any]:
        n_churned = sum(self.churned)
        return {
            "auc": roc_auc(self.scores, self.churned),
            "observations": len(self.scores),
            "churned": n_churned,
            "retained": len(self.scores) - n_churned,
            "unscored": self.unscored,
        }


def _band_rates(bands: list[str], churned: list[bool]) -> dict[str, dict[str, Any]]:
    rates: dict[str, dict[str, Any]] = {}
    for band in BANDS:
        picked = [c for b, c in zip(bands, churned, strict=True) if b == band]
        rates[band] = {
            "observations": len(picked),
            "churned": sum(picked),
            "churn_rate": sum(picked) / len(picked) if picked else None,
        }
    return rates


def _check(horizon_days: int, dates: list[date]) -> None:
    if not 1 <= horizon_days <= 730:
        raise InvalidInput(f"horizon: expected 1 to 730 days, got {horizon_days}")
    if not dates:
        raise InvalidInput("as-of dates: expected at least one day to score")
    if len(dates) > MAX_AS_OF_DATES:
        raise InvalidInput(f"as-of dates: expected at most {MAX_AS_OF_DATES}, got {len(dates)}")
    future = [d for d in dates if d > clock.today()]
    if future:
        raise InvalidInput(f"as-of dates: {future[0]} is after today; expected past days")


def _pick_versions(
    session: Session, scorecard: Scorecard, versions: Sequence[int] | None
) -> list[ScorecardVersion]:
    stored = list_versions(session=session, scorecard=scorecard)
    if versions is None:
        return stored
    by_number = {v.version: v for v in stored}
    missing = [n for n in versions if n not in by_number]
    if missing:
        known = ", ".join(str(n) for n in by_number)
        raise InvalidInput(
            f"scorecard {scorecard.key!r} has no version {missing[0]}; versions: {known}"
        )
    return [by_number[n] for n in sorted(set(versions))]


def backtest(
    *,
    session: Session,
    scorecard_key: str | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    versions: Sequence[int] | None = None,
    as_of_dates: Sequence[date] | None = None,
) -> dict[str, Any]:
    """Score past days with each version of a scorecard and measure how well it ranked churn."""
    today = clock.today()
    dates = sorted(set(as_of_dates or default_as_of_dates(today, horizon_days)))
    _check(horizon_days, dates)
    scorecard = (
        get_scorecard(session=session, key=scorecard_key)
        if scorecard_key
        else default_scorecard(session=session)
    )
    chosen = _pick_versions(session, scorecard, versions)
    covered = set(accounts_of_scorecard(session=session, scorecard=scorecard))
    labels = churn_labels(
        session=session, first=dates[0], last=dates[-1] + timedelta(days=horizon_days)
    )
    totals = {v.version: _Tally([], []) for v in chosen}
    bands: dict[int, tuple[list[str], list[bool]]] = {v.version: ([], []) for v in chosen}
    per_date: dict[int, list[dict[str, Any]]] = {v.version: [] for v in chosen}
    # Each source is read once per day, whichever versions score it.
    with shared_reads(session):
        for day in dates:
            active = sorted(paying_accounts(session=session, on=day) & covered)
            churned = {a: labels.churned(a, day, horizon_days) for a in active}
            for version in chosen:
                scores = compute_scores(
                    session=session,
                    as_of=day,
                    account_ids=active,
                    definitions={scorecard.id: (version.version, definition_of(version))},
                )
                tally = _Tally([], [])
                for account_id in active:
                    result = scores.get(account_id)
                    if result is None or result.score is None:
                        tally.unscored += 1
                        continue
                    tally.scores.append(result.score)
                    tally.churned.append(churned[account_id])
                    if result.band is not None:
                        bands[version.version][0].append(str(result.band))
                        bands[version.version][1].append(churned[account_id])
                total = totals[version.version]
                total.scores += tally.scores
                total.churned += tally.churned
                total.unscored += tally.unscored
                per_date[version.version].append({"as_of": day.isoformat(), **tally.summary()})
    return {
        "scorecard": scorecard.key,
        "horizon_days": horizon_days,
        "as_of_dates": [d.isoformat() for d in dates],
        "current_version": scorecard.current_version,
        "versions": [
            {
                "version": version.version,
                "note": version.note,
                "created_at": version.created_at.isoformat(),
                **totals[version.version].summary(),
                "bands": _band_rates(*bands[version.version]),
                "dates": per_date[version.version],
            }
            for version in chosen
        ],
    }
