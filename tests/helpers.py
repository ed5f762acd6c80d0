"""Helpers tests share: logging in through the real form, API keys, small factories."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.schemas import AccountCreate
from headway.accounts.service import create_account
from headway.core.audit import Actor
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
