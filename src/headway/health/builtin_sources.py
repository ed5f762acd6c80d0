"""Measure sources over the domains below health: product usage and revenue.

The usage sources read the adoption measures of `usage/adoption.py` (from the daily rollups,
up to the day asked); an account never seen by then has no data. Within one scoring run
(`shared_reads`) the adoption measures are read once for all the usage sources.

The sources over support tickets and survey answers are in `health/support_survey_sources.py`.

Every reader takes many accounts at once and reads what was true on the day it is given, so
backtests over past days read the past. Readers chunk long lists of accounts (`id_chunks`)
to stay under the databases' limits on bound parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from headway.core.chunks import chunked
from headway.core.errors import InvalidInput
from headway.health.sources import MeasureSource, Reader, register_measure_source
from headway.revenue.service import currencies_in_use, mrr_by_account
from headway.usage.adoption import Adoption, adoption_of

# Accounts per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits.
ID_CHUNK = 5000
# Where readers of one scoring run keep what they share (session.info key).
_SHARED = "headway.health.shared_reads"

T = TypeVar("T")


def id_chunks(ids: Sequence[int], size: int = ID_CHUNK) -> Iterator[list[int]]:
    """The ids in lists of at most `size`."""
    return chunked(ids, size)


def positive_int(params: Mapping[str, Any], name: str, default: int, source: str) -> int:
    """A whole-number parameter of at least 1, or an error naming the source and parameter."""
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(
            f"parameter {name!r} of source {source!r} must be a whole number of at least 1, "
            f"not {value!r}"
        )
    return value


@contextmanager
def shared_reads(session: Session) -> Iterator[None]:
    """Let the readers of one scoring run share what they read (the adoption measures)."""
    if _SHARED in session.info:
        yield
        return
    session.info[_SHARED] = {}
    try:
        yield
    finally:
        session.info.pop(_SHARED, None)


def read_once(session: Session, key: tuple[Any, ...], read: Callable[[], T]) -> T:
    """Read once per scoring run (see `shared_reads`); outside one, read every time."""
    shared: dict[tuple[Any, ...], Any] | None = session.info.get(_SHARED)
    if shared is None:
        return read()
    if key not in shared:
        shared[key] = read()
    result: T = shared[key]
    return result


# --- revenue -------------------------------------------------------------------------------


def read_mrr_change(
    session: Session, account_ids: Sequence[int], as_of: date, params: Mapping[str, Any]
) -> dict[int, float]:
    """Relative change of MRR from `days` before as_of to as_of; no data without earlier MRR.

    Each currency is compared with itself; an account billed in several currencies gets the
    mean of its currencies' changes (those it paid in earlier).
    """
    days = positive_int(params, "days", 90, "revenue.mrr_change")
    earlier = as_of - timedelta(days=days)
    changes: dict[int, list[float]] = {}
    for currency in currencies_in_use(session=session):
        for chunk in id_chunks(account_ids):
            before = mrr_by_account(
                session=session, on=earlier, currency=currency, account_ids=chunk
            )
            now = mrr_by_account(session=session, on=as_of, currency=currency, account_ids=chunk)
            for account_id, then in before.items():
                if then > 0:
                    change = (now.get(account_id, 0.0) - then) / then
                    changes.setdefault(account_id, []).append(change)
    return {account_id: sum(found) / len(found) for account_id, found in changes.items()}


register_measure_source(
    MeasureSource(
        key="revenue.mrr_change",
        label="MRR change",
        unit="ratio",
        description=(
            "(MRR on the day − MRR `days` earlier) ÷ MRR `days` earlier, in each currency the "
            "account pays in; no data when the account paid nothing `days` earlier."
        ),
        read=read_mrr_change,
        params={"days": "how many days back to compare with (default 90)"},
    )
)


# --- usage ---------------------------------------------------------------------------------


def _adoption(
    session: Session,
    account_ids: Sequence[int],
    as_of: date,
    key_event: str | None = None,
    key_event_days: int = 28,
) -> dict[int, Adoption]:
    return read_once(
        session,
        ("adoption", tuple(account_ids), as_of, key_event, key_event_days),
        lambda: adoption_of(
            session=session,
            account_ids=account_ids,
            as_of=as_of,
            key_event=key_event,
            key_event_days=key_event_days,
            include_unseen=True,
        ),
    )


def _adoption_reader(measure: Callable[[Adoption], float | None]) -> Reader:
    def read(
        session: Session, account_ids: Sequence[int], as_of: date, params: Mapping[str, Any]
    ) -> dict[int, float]:
        found = {}
        for account_id, adoption in _adoption(session, account_ids, as_of).items():
            value = measure(adoption)
            if value is not None:
                found[account_id] = float(value)
        return found

    return read


def read_key_event_frequency(
    session: Session, account_ids: Sequence[int], as_of: date, params: Mapping[str, Any]
) -> dict[int, float]:
    """Times the key event happened per week over the `days` up to as_of."""
    event = params.get("event")
    if not isinstance(event, str) or not event:
        raise InvalidInput(
            "source 'usage.key_event_frequency' needs the parameter 'event': the name of the "
            'event to count, such as "Report Created"'
        )
    days = positive_int(params, "days", 28, "usage.key_event_frequency")
    adoption = _adoption(session, account_ids, as_of, event, days)
    return {
        account_id: float(a.key_event_per_week)
        for account_id, a in adoption.items()
        if a.key_event_per_week is not None
    }


_USAGE = [
    (
        "usage.dau",
        "Daily active users",
        "users",
        "distinct users active on the day",
        lambda a: a.dau,
    ),
    (
        "usage.wau",
        "Weekly active users",
        "users",
        "distinct users active in the 7 days up to the day",
        lambda a: a.wau,
    ),
    (
        "usage.mau",
        "Monthly active users",
        "users",
        "distinct users active in the 30 days up to the day",
        lambda a: a.mau,
    ),
    (
        "usage.stickiness",
        "Stickiness (DAU ÷ MAU)",
        "ratio",
        "daily active users ÷ monthly active users; no data without monthly active users",
        lambda a: a.stickiness,
    ),
    (
        "usage.seat_utilisation",
        "Seat utilisation (MAU ÷ seats)",
        "ratio",
        "monthly active users ÷ the seats of the subscriptions active on the day; no data "
        "without seats",
        lambda a: a.seat_utilisation,
    ),
    (
        "usage.feature_breadth",
        "Breadth of features",
        "events",
        "distinct event names in the 30 days up to the day",
        lambda a: a.breadth,
    ),
    (
        "usage.days_since_last_seen",
        "Days since last seen",
        "days",
        "days from the last day with any event to the day",
        lambda a: a.days_since_last_seen,
    ),
    (
        "usage.events_trend",
        "Events trend",
        "ratio",
        "events in the 30 days up to the day ÷ events in the 30 days before − 1; no data "
        "without events in those earlier days",
        lambda a: a.events_trend,
    ),
]

for key, label, unit, description, measure in _USAGE:
    register_measure_source(
        MeasureSource(
            key=key,
            label=label,
            unit=unit,
            description=f"{description[0].upper()}{description[1:]}; no data for an account "
            "never seen up to the day.",
            read=_adoption_reader(measure),
        )
    )

register_measure_source(
    MeasureSource(
        key="usage.key_event_frequency",
        label="Key event per week",
        unit="per week",
        description=(
            "Times the key event happened per week over the `days` up to the day; no data "
            "for an account never seen up to the day."
        ),
        read=read_key_event_frequency,
        params={
            "event": "the name of the event to count (required)",
            "days": "how many days up to the day to count over (default 28)",
        },
    )
)
