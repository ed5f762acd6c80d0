"""JSON API of support tickets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from headway.accounts.service import get_account
from headway.core.fields import IsoDate
from headway.support.schemas import (
    TicketCreate,
    TicketPage,
    TicketPriority,
    TicketRead,
    TicketStatus,
)
from headway.support.service import find_ticket, get_ticket, list_tickets, upsert_ticket
from headway.web.auth import ApiPrincipal, SessionDep
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PageNumber, PathId, PerPage, QueryId

router = APIRouter(tags=["tickets"], responses=API_ERROR_RESPONSES)

FirstDay = Annotated[
    IsoDate | None, Query(alias="from", description="Created on or after this day (UTC).")
]
LastDay = Annotated[
    IsoDate | None, Query(alias="to", description="Created on or before this day (UTC).")
]
ExternalId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=128,
        description="The ticket's id, prefixed by its helpdesk when imported (zendesk:123).",
    ),
]


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time.min, tzinfo=UTC)


def _end_of(day: date | None) -> datetime | None:
    # Days are inclusive: up to the start of the next day (none after the last day there is).
    if day is None or day == date.max:
        return None
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _page(
    session: SessionDep,
    account_id: int | None,
    status: TicketStatus | None,
    priority: TicketPriority | None,
    first_day: date | None,
    last_day: date | None,
    page: int,
    per_page: int,
) -> TicketPage:
    tickets, total = list_tickets(
        session=session,
        account_id=account_id,
        status=status,
        priority=priority,
        first=_start_of(first_day),
        last=_end_of(last_day),
        page=page,
        per_page=per_page,
    )
    return TicketPage(
        items=[TicketRead.model_validate(t) for t in tickets],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.get("/tickets", response_model=TicketPage)
def get_tickets(
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: QueryId = None,
    status: TicketStatus | None = None,
    priority: TicketPriority | None = None,
    first_day: FirstDay = None,
    last_day: LastDay = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> TicketPage:
    """List support tickets, newest first: of an account, a status, a priority, a period."""
    return _page(session, account_id, status, priority, first_day, last_day, page, per_page)


@router.get("/tickets/{ticket_id}", response_model=TicketRead)
def get_one_ticket(session: SessionDep, principal: ApiPrincipal, ticket_id: PathId) -> TicketRead:
    """Return one ticket."""
    return TicketRead.model_validate(get_ticket(session=session, ticket_id=ticket_id))


@router.get("/tickets/by-external-id/{external_id}", response_model=TicketRead)
def get_ticket_by_external_id(
    session: SessionDep, principal: ApiPrincipal, external_id: ExternalId
) -> TicketRead:
    """Return the ticket stored under an external id."""
    return TicketRead.model_validate(find_ticket(session=session, external_id=external_id))


# Its own path: /tickets/{id} takes Headway's ids, and an external id may look like one.
@router.put(
    "/tickets/by-external-id/{external_id}",
    response_model=TicketRead,
    responses={201: {"model": TicketRead, "description": "A new ticket was stored"}},
)
def put_ticket(
    response: Response,
    session: SessionDep,
    principal: ApiPrincipal,
    external_id: ExternalId,
    data: TicketCreate,
) -> TicketRead:
    """Store a ticket by its external id: created the first time, replaced after."""
    ticket, created = upsert_ticket(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        external_id=external_id,
        data=data,
    )
    if created:
        response.status_code = 201
    return TicketRead.model_validate(ticket)


@router.get("/accounts/{account_id}/tickets", response_model=TicketPage)
def get_account_tickets(
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: PathId,
    status: TicketStatus | None = None,
    priority: TicketPriority | None = None,
    first_day: FirstDay = None,
    last_day: LastDay = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> TicketPage:
    """List the support tickets of one account, newest first."""
    get_account(session=session, account_id=account_id)  # 404 for an unknown account
    return _page(session, account_id, status, priority, first_day, last_day, page, per_page)
