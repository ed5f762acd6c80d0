"""Support tickets: read them, and write one as a helpdesk integration sends it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.service import check_may_edit_account
from headway.contacts.models import Contact
from headway.core import clock, fields
from headway.core.audit import Actor, changed, record_audit, snapshot
from headway.core.errors import InvalidInput, NotFound
from headway.core.pagination import fetch_page
from headway.support.models import Ticket
from headway.support.schemas import TicketCreate
from headway.users.service import Permissions

# What a write may change, in the order audit rows list them.
TICKET_FIELDS = [
    "source",
    "account_id",
    "requester_contact_id",
    "requester_email",
    "subject",
    "channel",
    "type",
    "priority",
    "status",
    "created_at",
    "first_reply_at",
    "solved_at",
    "closed_at",
    "reopens",
    "agent_replies",
    "satisfaction",
    "satisfaction_scale",
    "tags",
    "first_reply_minutes_calendar",
    "first_reply_minutes_business",
    "resolution_minutes_calendar",
    "resolution_minutes_business",
]


def get_ticket(*, session: Session, ticket_id: int) -> Ticket:
    """Return a ticket by id."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} does not exist")
    return ticket


def find_ticket(*, session: Session, external_id: str) -> Ticket:
    """Return a ticket by its external id."""
    ticket = session.scalar(select(Ticket).where(Ticket.external_id == external_id))
    if ticket is None:
        raise NotFound(f"there is no ticket with the external id {external_id!r}")
    return ticket


def list_tickets(
    *,
    session: Session,
    account_id: int | None = None,
    status: str | None = None,
    priority: str | None = None,
    first: datetime | None = None,
    last: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Ticket], int]:
    """List tickets, newest first: of an account, a status, a priority, created in [first, last)."""
    query: Select[Any] = select(Ticket)
    if account_id is not None:
        query = query.where(Ticket.account_id == account_id)
    if status is not None:
        query = query.where(Ticket.status == status)
    if priority is not None:
        query = query.where(Ticket.priority == priority)
    if first is not None:
        query = query.where(Ticket.created_at >= first)
    if last is not None:
        query = query.where(Ticket.created_at < last)
    rows, total = fetch_page(
        session,
        query.order_by(Ticket.created_at.desc(), Ticket.id.desc()),
        page=page,
        per_page=per_page,
    )
    return [r[0] for r in rows], total


def requester_contact_id(*, session: Session, account_id: int, email: str | None) -> int | None:
    """The contact of the account with this email, if the requester is one."""
    if not email:
        return None
    return session.scalar(
        select(Contact.id).where(Contact.account_id == account_id, Contact.email == email)
    )


def upsert_ticket(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None = None,
    external_id: str,
    data: TicketCreate,
) -> tuple[Ticket, bool]:
    """Create or replace the ticket with this external id; return it and whether it is new."""
    account_id = session.scalar(select(Account.id).where(Account.external_id == data.account_id))
    if account_id is None:
        raise InvalidInput(f"there is no account with the external id {data.account_id!r}")
    check_may_edit_account(
        session=session, permissions=permissions, account_id=account_id, what="tickets"
    )
    email = None
    if data.requester_email is not None:
        try:
            email = fields.normalise_email(data.requester_email)
        except ValueError as error:
            raise InvalidInput(str(error)) from None
    values = data.model_dump(exclude={"account_id"})
    values |= {
        "account_id": account_id,
        "requester_email": email,
        "requester_contact_id": requester_contact_id(
            session=session, account_id=account_id, email=email
        ),
        "tags": sorted(set(data.tags)),
    }
    ticket = session.scalar(select(Ticket).where(Ticket.external_id == external_id))
    now = clock.now()
    if ticket is None:
        ticket = Ticket(external_id=external_id, updated_at=now, **values)
        session.add(ticket)
        session.flush()
        record_audit(
            session,
            actor=actor,
            action="ticket.create",
            entity_type="ticket",
            entity_id=ticket.id,
            account_id=account_id,
            before=None,
            after=snapshot(ticket, TICKET_FIELDS),
        )
        session.commit()
        return ticket, True
    if ticket.account_id != account_id:
        # Moving a ticket takes the right to edit the account it leaves too.
        check_may_edit_account(
            session=session, permissions=permissions, account_id=ticket.account_id, what="tickets"
        )
    before = snapshot(ticket, TICKET_FIELDS)
    for name in TICKET_FIELDS:
        setattr(ticket, name, values[name])
    old, new = changed(before, snapshot(ticket, TICKET_FIELDS))
    if new:
        ticket.updated_at = now
        record_audit(
            session,
            actor=actor,
            action="ticket.update",
            entity_type="ticket",
            entity_id=ticket.id,
            account_id=account_id,
            before=old,
            after=new,
        )
    session.commit()
    return ticket, False
