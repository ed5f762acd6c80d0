"""Pages of activities: the outputs and required-touches cards of the account 360, and writes.

Outputs come after outcomes on the account page. Logging the common case takes one pick of a
type (now, with the type's usual minutes); the details form adds date, minutes, subject, notes,
participants and the goals the activity served.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.presenters import owner_candidates
from headway.accounts.sections import after_account_write, register_account_section
from headway.activities.models import Activity
from headway.activities.schemas import ActivityCreate
from headway.activities.service import (
    activity_type_by_key,
    coverage_of_account,
    delete_activity,
    get_activity,
    links_of,
    list_activities,
    list_activity_types,
    log_activity,
)
from headway.contacts.service import list_contacts
from headway.core import clock
from headway.core.errors import InvalidInput, NotFound
from headway.outcomes.goals import list_goals
from headway.users.service import list_users
from headway.web.auth import PageUser, Principal, SessionDep, verify_csrf
from headway.web.forms import form_date, form_whole, validated
from headway.web.params import PathId

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

SHOWN_RECENT = 10
SHOWN_PER_GOAL = 5
RECENT_DAYS = 90
SHOWN_CONTACTS = 100
SHOWN_GOALS = 200
# Activities in the recent window summed for the card's totals; beyond it the totals say "at least".
SUMMED_RECENT = 1000


@dataclass(frozen=True)
class ActivityLine:
    """A logged activity as the card lists it, with names instead of ids."""

    activity: Activity
    people: list[str]
    goals: list[str]


def hours(minutes: int) -> str:
    """Minutes as hours to one decimal, without a trailing ".0"."""
    return f"{minutes / 60:.1f}".removesuffix(".0")


def _lines(
    session: Session, activities: list[Activity], names: dict[str, dict[int, str]]
) -> list[ActivityLine]:
    links = links_of(session=session, activity_ids=[a.id for a in activities])
    lines = []
    for activity in activities:
        link = links[activity.id]
        people = [names["users"].get(i, f"user {i}") for i in link.user_ids]
        people += [names["contacts"].get(i, f"contact {i}") for i in link.contact_ids]
        goals = [names["goals"].get(i, f"goal {i}") for i in link.goal_ids]
        lines.append(ActivityLine(activity, people, goals))
    return lines


def outputs_context(
    session: Session, account: Account, principal: Principal, today: date
) -> dict[str, Any]:
    """What the outputs card, the activities under each goal and the touches card show."""
    goals, _ = list_goals(session=session, account_id=account.id, per_page=SHOWN_GOALS)
    contacts, _ = list_contacts(session=session, account_id=account.id, per_page=SHOWN_CONTACTS)
    people = list_users(session=session)
    names = {
        "users": {u.id: u.name for u in people},
        "contacts": {c.id: c.name or c.email for c in contacts},
        "goals": {g.id: g.name for g in goals},
    }
    recent, total = list_activities(session=session, account_id=account.id, per_page=SHOWN_RECENT)
    since = datetime.combine(today - timedelta(days=RECENT_DAYS), time(), tzinfo=UTC)
    window, window_count = list_activities(
        session=session, account_id=account.id, occurred_from=since, per_page=SUMMED_RECENT
    )
    served_by = {}
    for goal in goals:
        served, served_total = list_activities(
            session=session, goal_id=goal.id, per_page=SHOWN_PER_GOAL
        )
        served_by[goal.id] = {"lines": _lines(session, served, names), "total": served_total}
    return {
        "outputs": {
            "types": list_activity_types(session=session),
            "recent": _lines(session, recent, names),
            "total": total,
            "recent_days": RECENT_DAYS,
            "window_count": window_count,
            "window_hours": hours(sum(a.minutes for a in window)),
            "window_partial": window_count > len(window),
            "served_by": served_by,
            "goals": goals,
            "team": owner_candidates(people),
            "contacts": contacts,
            "me": principal.user.id,
            "today": today,
        },
        "touches": coverage_of_account(session=session, account_id=account.id, as_of=today),
    }


register_account_section(
    name="outputs",
    template="activities/_outputs.html",
    slot="main",
    order=30,
    context=outputs_context,
)
register_account_section(
    name="goal-outputs", template="activities/_goal_outputs.html", slot="goal", order=10
)
register_account_section(name="touches", template="activities/_touches.html", slot="side", order=10)


def _occurred_at(day: date | None) -> datetime:
    """Now for today (or no day given); midday UTC for an earlier day."""
    now = clock.now()
    if day is None or day == now.date():
        return now
    if day > now.date():
        raise InvalidInput("date: an activity is logged once it has happened, not ahead")
    return datetime.combine(day, time(12), tzinfo=UTC)


@router.post("/accounts/{account_id}/activities")
def log_account_activity(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    type_key: Annotated[str, Form(alias="type", max_length=64)],
    occurred_on: Annotated[str, Form(max_length=10)] = "",
    minutes: Annotated[str, Form(max_length=10)] = "",
    subject: Annotated[str, Form(max_length=255)] = "",
    notes: Annotated[str, Form(max_length=10_000)] = "",
    user_ids: Annotated[list[int] | None, Form(max_length=100)] = None,
    contact_ids: Annotated[list[int] | None, Form(max_length=100)] = None,
    goal_ids: Annotated[list[int] | None, Form(max_length=100)] = None,
) -> Response:
    """Log an activity: just a type logs it now with its usual minutes; details are optional."""
    kind = activity_type_by_key(session=session, key=type_key)
    data = validated(
        ActivityCreate,
        {
            "account_id": account_id,
            "type": kind.key,
            "occurred_at": _occurred_at(form_date(occurred_on, "date")),
            "minutes": form_whole(minutes, "minutes"),
            "subject": subject.strip(),
            "notes": notes.strip(),
            "user_ids": user_ids or [],
            "contact_ids": contact_ids or [],
            "goal_ids": goal_ids or [],
        },
    )
    activity = log_activity(
        session=session, actor=principal.actor, permissions=principal.permissions, data=data
    )
    notice = f"Logged: {kind.name}, {activity.minutes} min."
    return after_account_write(request, session, principal, account_id, notice)


@router.post("/accounts/{account_id}/activities/{activity_id}/delete")
def delete_account_activity(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    account_id: PathId,
    activity_id: PathId,
) -> Response:
    """Delete an activity logged by mistake (the audit log keeps it)."""
    activity = get_activity(session=session, activity_id=activity_id)
    if activity.account_id != account_id:
        raise NotFound(f"activity {activity_id} is not an activity of account {account_id}")
    name = activity.type.name
    delete_activity(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        activity_id=activity_id,
    )
    return after_account_write(request, session, principal, account_id, f"{name} removed.")
