"""Helpers tests share: logging in through the real form, API keys, small factories."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.schemas import AccountCreate
from headway.accounts.service import create_account
from headway.activities.models import Activity
from headway.activities.schemas import ActivityCreate
from headway.activities.service import log_activity
from headway.contacts.models import Contact
from headway.contacts.schemas import ContactCreate
from headway.contacts.service import create_contact
from headway.core.audit import Actor
from headway.outcomes.goals import create_goal, record_evidence
from headway.outcomes.models import Evidence, Goal, SuccessPlan
from headway.outcomes.progress import Direction
from headway.outcomes.schemas import EvidenceCreate, GoalCreate, PlanCreate
from headway.outcomes.service import create_success_plan
from headway.revenue.models import Subscription
from headway.revenue.schemas import Interval, SubscriptionCreate
from headway.revenue.service import create_subscription
from headway.users.models import Scope, User
from headway.users.service import create_api_key

SETUP = Actor.system("test setup")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def password_of(user: User) -> str:
    """Named people log in with '<first name>-password'."""
    return f"{user.email.split('@')[0]}-password"


def csrf_token(client: TestClient, path: str = "/login") -> str:
    """Read the CSRF token a page's forms carry."""
    match = _CSRF.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: TestClient, user: User, password: str | None = None) -> None:
    """Log in through the login form, as a browser would."""
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": password or password_of(user),
            "csrf_token": csrf_token(client),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def bearer(session: Session, user: User, *scopes: Scope) -> dict[str, str]:
    """Create an API key for a user and return the Authorization header that sends it."""
    _, secret = create_api_key(
        session=session, actor=SETUP, user=user, name="test", scopes=list(scopes or (Scope.READ,))
    )
    return {"Authorization": f"Bearer {secret}"}


def make_account(
    session: Session,
    external_id: str,
    name: str | None = None,
    *,
    owner: User | None = None,
    segment: str | None = None,
    stage: str = "onboarding",
    parent: Account | None = None,
) -> Account:
    """Create an account through the service, as the test set-up."""
    return create_account(
        session=session,
        actor=SETUP,
        permissions=None,
        data=AccountCreate(
            external_id=external_id,
            name=name or external_id.title(),
            owner_id=owner.id if owner else None,
            segment=segment,
            stage=stage,
            parent_id=parent.id if parent else None,
        ),
    )


def subscribe(
    session: Session,
    account: Account,
    external_id: str,
    amount: str,
    start: date,
    end: date | None = None,
    *,
    interval: Interval = Interval.MONTH,
    quantity: int = 1,
    currency: str = "USD",
    plan: str = "Pro",
) -> Subscription:
    """Add a subscription to an account through the service."""
    return create_subscription(
        session=session,
        actor=SETUP,
        permissions=None,
        data=SubscriptionCreate(
            account_id=account.id,
            external_id=external_id,
            plan=plan,
            amount=Decimal(amount),
            currency=currency,
            interval=interval,
            quantity=quantity,
            start_date=start,
            end_date=end,
        ),
        reporting_currency="USD",
    )


def make_contact(session: Session, account: Account, email: str, name: str = "") -> Contact:
    """Add a contact to an account through the service, as the test set-up."""
    return create_contact(
        session=session,
        actor=SETUP,
        permissions=None,
        data=ContactCreate(account_id=account.id, email=email, name=name),
    )


def make_plan(
    session: Session, account: Account, *, template: str | None = None, name: str | None = None
) -> SuccessPlan:
    """Start a success plan for an account (its segment and stage's template by default)."""
    return create_success_plan(
        session=session,
        actor=SETUP,
        permissions=None,
        data=PlanCreate(account_id=account.id, template=template, name=name),
    )


def make_goal(
    session: Session,
    plan: SuccessPlan,
    *,
    baseline: float = 100.0,
    target: float = 200.0,
    baseline_date: date = date(2026, 1, 1),
    due_date: date = date(2026, 4, 11),
    direction: Direction | None = None,
    name: str = "More event registrations",
    kpi: str = "Event registrations per month",
    unit: str = "registrations",
    source: str = "manual",
    owner: User | None = None,
) -> Goal:
    """Add a goal to a plan; the direction follows baseline → target unless given.

    The default terms run 100 days (2026-01-01 → 2026-04-11) from 100 to 200.
    """
    return create_goal(
        session=session,
        actor=SETUP,
        permissions=None,
        data=GoalCreate.model_validate(
            {
                "plan_id": plan.id,
                "name": name,
                "kpi": kpi,
                "unit": unit,
                "direction": direction
                or (Direction.INCREASE if target >= baseline else Direction.DECREASE),
                "source": source,
                "baseline": baseline,
                "baseline_date": baseline_date,
                "target": target,
                "due_date": due_date,
                "owner_id": owner.id if owner else None,
            }
        ),
    )


def measure(session: Session, goal: Goal, value: float, on: date, *, note: str = "") -> Evidence:
    """Record a manual measurement of a goal's KPI, as the test set-up."""
    return record_evidence(
        session=session,
        actor=SETUP,
        permissions=None,
        goal_id=goal.id,
        data=EvidenceCreate(value=value, measured_on=on, note=note),
    )


def log_touch(
    session: Session,
    account: Account,
    type_key: str,
    at: datetime,
    *,
    minutes: int | None = None,
    subject: str = "",
    goals: list[Goal] | None = None,
    external_id: str | None = None,
) -> Activity:
    """Log an activity of a catalogue type for an account, as the test set-up."""
    return log_activity(
        session=session,
        actor=SETUP,
        permissions=None,
        data=ActivityCreate(
            account_id=account.id,
            type=type_key,
            occurred_at=at,
            minutes=minutes,
            subject=subject,
            goal_ids=[g.id for g in goals or []],
            external_id=external_id,
        ),
    )
