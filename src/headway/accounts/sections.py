"""The account 360 page as sections: each domain adds its cards, and a write swaps the page back.

The accounts domain shows the account's own sections (revenue, contacts, timeline, lifecycle,
owner and segment, profile). Domains above it (outcomes, activities …) cannot be imported here,
so they register their cards at import with `register_account_section`: a template, a slot, an
order and a function that gathers what the card shows. `_account.html` includes the sections of
each slot in order: "main" and "side" are the page's columns; a section may offer a slot of its
own (the success plan renders the "goal" slot under each goal, with `goal` set).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.presenters import (
    duration,
    movement_lines,
    mrr_chart,
    owner_candidates,
    stage_periods,
    subscription_lines,
    timeline_lines,
)
from headway.accounts.service import (
    get_account,
    list_children,
    list_segments,
    list_stage_changes,
    list_stages,
)
from headway.contacts.service import list_contacts
from headway.core import clock
from headway.core.errors import InvalidInput
from headway.core.timeline import account_timeline
from headway.revenue.service import (
    RevenueOptions,
    account_mrr_series,
    account_revenue_movements,
    list_subscriptions,
)
from headway.users.service import list_users
from headway.web.auth import Principal, settings_of
from headway.web.templating import render

# A 360 page shows this much of each list; the API pages through the rest.
SHOWN_CONTACTS = 100
SHOWN_SUBSCRIPTIONS = 100
SHOWN_TIMELINE = 100

SectionContext = Callable[[Session, Account, Principal, date], dict[str, Any]]


@dataclass(frozen=True)
class AccountSection:
    """A card of the account 360 page: where it goes and what it needs."""

    name: str
    template: str
    slot: str  # "main", "side", or a slot another section offers
    order: int
    context: SectionContext | None = None


_sections: dict[str, AccountSection] = {}


def register_account_section(
    *,
    name: str,
    template: str,
    slot: str,
    order: int,
    context: SectionContext | None = None,
) -> None:
    """Add a card to the account 360 page; its context function's keys join the page's."""
    _sections[name] = AccountSection(name, template, slot, order, context)


def sections_by_slot() -> dict[str, list[str]]:
    """The templates of each slot, in order."""
    slots: dict[str, list[str]] = {}
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.name)):
        slots.setdefault(section.slot, []).append(section.template)
    return slots


# The account's own sections; their data comes from account_context below.
for _name, _slot, _order in [
    ("revenue", "main", 100),
    ("contacts", "main", 200),
    ("timeline", "main", 300),
    ("lifecycle", "side", 100),
    ("coverage", "side", 200),
    ("profile", "side", 300),
]:
    register_account_section(
        name=_name, template=f"accounts/_{_name}.html", slot=_slot, order=_order
    )


def account_context(
    request: Request, session: Session, principal: Principal, account: Account
) -> dict[str, Any]:
    """Everything the account 360 page shows about one account."""
    now = clock.now()
    today = now.date()
    people = list_users(session=session)
    subscriptions, subscriptions_total = list_subscriptions(
        session=session, account_id=account.id, per_page=SHOWN_SUBSCRIPTIONS
    )
    contacts, contacts_total = list_contacts(
        session=session, account_id=account.id, per_page=SHOWN_CONTACTS
    )
    changes = list_stage_changes(session=session, account_id=account.id)
    series = account_mrr_series(session=session, account_id=account.id, until=today)
    lines = subscription_lines(subscriptions, today)
    mrr_now = {c: v for c, v in (series[-1][1] if series else {}).items() if v > 0}
    settings = settings_of(request)
    movements: list[dict[str, Any]] = []
    movements_problem: str | None = None
    try:
        revenue = account_revenue_movements(
            session=session,
            account_id=account.id,
            options=RevenueOptions.from_settings(settings),
            until=today,
        )
        movements = movement_lines(revenue)
    except InvalidInput as error:
        # A missing exchange rate must not hide the rest of the account: say what is missing.
        movements_problem = str(error)
    context: dict[str, Any] = {
        "account": account,
        "owner": next((p for p in people if p.id == account.owner_id), None),
        "owners": owner_candidates(people),
        "parent": account.parent,
        "children": list_children(session=session, account_id=account.id),
        "segments": list_segments(session=session),
        "stages": list_stages(session=session),
        "time_in_stage": duration(account.stage_entered_at, now),
        "stage_periods": stage_periods(changes, now),
        "contacts": contacts,
        "contacts_total": contacts_total,
        "subscriptions": lines,
        "subscriptions_total": subscriptions_total,
        "mrr_now": mrr_now,
        "chart": mrr_chart(series),
        "movements": movements,
        "movements_problem": movements_problem,
        "timeline": timeline_lines(account_timeline(session, account.id, limit=SHOWN_TIMELINE)),
        "timeline_limit": SHOWN_TIMELINE,
        "can_edit": principal.permissions.can_edit_account(account.owner_id),
        "can_assign": principal.permissions.can_assign_owner,
        "reporting_currency": settings.reporting_currency,
        "notice": None,
        "sections": sections_by_slot(),
    }
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.name)):
        if section.context is None:
            continue
        extra = section.context(session, account, principal, today)
        if clash := sorted(set(extra) & set(context)):
            raise RuntimeError(f"section {section.name!r} would replace {', '.join(clash)}")
        context.update(extra)
    return context


def wants_fragment(request: Request) -> bool:
    """Tell whether htmx asked for a fragment (a history restore needs the whole page)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def after_account_write(
    request: Request, session: Session, principal: Principal, account_id: int, notice: str
) -> Response:
    """htmx gets the refreshed 360 content with a notice; a plain form post is redirected."""
    if not wants_fragment(request):
        return RedirectResponse(f"/accounts/{account_id}", status_code=303)
    session.expire_all()
    account = get_account(session=session, account_id=account_id)
    context = account_context(request, session, principal, account)
    context["notice"] = notice
    response: Response = render(request, "accounts/_account.html", context)
    return response
