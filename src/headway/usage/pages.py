"""Pages of product usage: the account 360's usage card.

The card joins the account page through accounts.sections; it reads the adoption measures
and the daily rollups, so it shows what the last rollup saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.sections import register_account_section
from headway.usage.adoption import Adoption, EventCount, adoption_of, daily_series, top_events
from headway.usage.service import group_traits
from headway.web.auth import Principal, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

CHART_DAYS = 90
SHOWN_EVENTS = 8
UNDEFINED = "—"


@dataclass(frozen=True)
class UsageCard:
    """The account 360's product usage card."""

    seen: bool
    as_of: date
    days: int
    adoption: Adoption | None
    seat_utilisation: str
    last_seen: str
    days_since_text: str
    total_events: int
    chart: dict[str, Any] | None
    top_events: list[EventCount]
    traits: list[tuple[str, str]]


def _days_since(days: int | None) -> tuple[str, str]:
    """The last-seen figure and its note: today, yesterday, or N days ago."""
    if days is None:
        return UNDEFINED, ""
    if days == 0:
        return "today", "active on the day"
    if days == 1:
        return "yesterday", "1 day without activity"
    return f"{days} days ago", f"{days} days without activity"


def events_chart(series: list[Any]) -> dict[str, Any] | None:
    """Events per day as bars; None when the period has none."""
    if not any(day.events for day in series):
        return None
    return {
        "kind": "daily-bars",
        "unit": "events",
        "labels": [day.day.isoformat() for day in series],
        "data": [day.events for day in series],
    }


def usage_card(
    adoption: Adoption | None,
    series: list[Any],
    events: list[EventCount],
    traits: dict[str, Any],
    as_of: date,
) -> UsageCard:
    """What the usage card shows, from the adoption measures and the daily rollups."""
    utilisation = UNDEFINED
    if adoption is not None and adoption.seat_utilisation is not None:
        utilisation = f"{adoption.seat_utilisation * 100:.0f} %"
    last_seen, since = _days_since(adoption.days_since_last_seen if adoption else None)
    return UsageCard(
        seen=adoption is not None,
        as_of=as_of,
        days=len(series),
        adoption=adoption,
        seat_utilisation=utilisation,
        last_seen=last_seen,
        days_since_text=since,
        total_events=sum(day.events for day in series),
        chart=events_chart(series),
        top_events=events,
        traits=sorted((str(k), _trait(v)) for k, v in traits.items()),
    )


def _trait(value: Any) -> str:
    return "null" if value is None else str(value)


def usage_card_context(
    session: Session, account: Account, principal: Principal, today: date
) -> dict[str, Any]:
    """What the product usage card shows for an account, as of today."""
    adoption = adoption_of(session=session, account_ids=[account.id], as_of=today).get(account.id)
    first = today - timedelta(days=CHART_DAYS - 1)
    series = daily_series(session=session, account_id=account.id, first=first, last=today)
    events = top_events(
        session=session, account_id=account.id, first=first, last=today, limit=SHOWN_EVENTS
    )
    traits = group_traits(session=session, account_key=account.external_id)
    return {"usage": usage_card(adoption, series, events, traits, today)}


register_account_section(
    name="usage",
    template="usage/_account_usage.html",
    slot="main",
    order=40,
    context=usage_card_context,
)
