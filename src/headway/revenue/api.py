"""JSON API of subscriptions."""

from __future__ import annotations

from fastapi import APIRouter, Request

from headway.core.pagination import Page
from headway.revenue.schemas import (
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionUpdate,
    subscription_read,
)
from headway.revenue.service import (
    create_subscription,
    get_subscription,
    list_subscriptions,
    update_subscription,
)
from headway.web.auth import ApiPrincipal, SessionDep, settings_of
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PageNumber, PathId, PerPage, QueryDate, QueryId

router = APIRouter(tags=["subscriptions"], responses=API_ERROR_RESPONSES)


@router.get("/subscriptions", response_model=Page[SubscriptionRead])
def get_subscriptions(
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: QueryId = None,
    active_on: QueryDate = None,
    plan: str | None = None,
    currency: str | None = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> Page[SubscriptionRead]:
    """List subscriptions, newest start first; `active_on` keeps those counting on that day."""
    subscriptions, total = list_subscriptions(
        session=session,
        account_id=account_id,
        active_on=active_on,
        plan=plan,
        currency=currency,
        page=page,
        per_page=per_page,
    )
    return Page[SubscriptionRead](
        items=[subscription_read(s) for s in subscriptions],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionRead)
def get_one_subscription(
    session: SessionDep, principal: ApiPrincipal, subscription_id: PathId
) -> SubscriptionRead:
    """Return one subscription."""
    return subscription_read(get_subscription(session=session, subscription_id=subscription_id))


@router.post("/subscriptions", response_model=SubscriptionRead, status_code=201)
def post_subscription(
    request: Request, session: SessionDep, principal: ApiPrincipal, data: SubscriptionCreate
) -> SubscriptionRead:
    """Add a subscription; amount in major units of its currency."""
    subscription = create_subscription(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        data=data,
        reporting_currency=settings_of(request).reporting_currency,
    )
    return subscription_read(subscription)


@router.patch("/subscriptions/{subscription_id}", response_model=SubscriptionRead)
def patch_subscription(
    request: Request,
    session: SessionDep,
    principal: ApiPrincipal,
    subscription_id: PathId,
    changes: SubscriptionUpdate,
) -> SubscriptionRead:
    """Change a subscription: an upgrade, an end date, a correction."""
    subscription = update_subscription(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        subscription_id=subscription_id,
        changes=changes,
        reporting_currency=settings_of(request).reporting_currency,
    )
    return subscription_read(subscription)
