"""Contacts: the people at customer companies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from headway.accounts.service import get_account
from headway.contacts.models import Contact, Persona
from headway.contacts.schemas import ContactCreate, ContactUpdate
from headway.core import clock
from headway.core.audit import Actor, changed, record_audit, snapshot
from headway.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from headway.core.pagination import fetch_page
from headway.users.service import Permissions

CONTACT_FIELDS = ["external_id", "account_id", "email", "name", "title", "persona", "traits"]


def normalise_email(email: str) -> str:
    """Store and compare contact emails trimmed and in lower case."""
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise InvalidInput(f"{email!r} is not an email address")
    return email


def get_contact(*, session: Session, contact_id: int) -> Contact:
    """Return a contact by id."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} does not exist")
    return contact


def list_contacts(
    *,
    session: Session,
    account_id: int | None = None,
    q: str | None = None,
    persona: Persona | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Contact], int]:
    """List contacts, optionally of one account, by name."""
    query: Select[Any] = select(Contact)
    if account_id is not None:
        query = query.where(Contact.account_id == account_id)
    if persona is not None:
        query = query.where(Contact.persona == persona.value)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(
            or_(func.lower(Contact.name).like(pattern), Contact.email.like(pattern))
        )
    rows, total = fetch_page(
        session, query.order_by(Contact.name, Contact.id), page=page, per_page=per_page
    )
    return [r[0] for r in rows], total


def _check_may_edit(session: Session, permissions: Permissions | None, account_id: int) -> None:
    account = get_account(session=session, account_id=account_id)
    if permissions is not None and not permissions.can_edit_account(account.owner_id):
        raise PermissionDenied("you may edit only the contacts of accounts you own")


def create_contact(
    *, session: Session, actor: Actor, permissions: Permissions | None, data: ContactCreate
) -> Contact:
    """Add a contact to an account."""
    _check_may_edit(session, permissions, data.account_id)
    email = normalise_email(data.email)
    duplicate = session.scalar(
        select(Contact.id).where(Contact.account_id == data.account_id, Contact.email == email)
    )
    if duplicate is not None:
        raise Conflict(f"{email} is a contact of this account already")
    if data.external_id and session.scalar(
        select(Contact.id).where(Contact.external_id == data.external_id)
    ):
        raise Conflict(f"a contact with the external id {data.external_id!r} exists already")
    now = clock.now()
    contact = Contact(
        external_id=data.external_id,
        account_id=data.account_id,
        email=email,
        name=data.name,
        title=data.title,
        persona=data.persona.value if data.persona else None,
        traits=data.traits,
        created_at=now,
        updated_at=now,
    )
    session.add(contact)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="contact.create",
        entity_type="contact",
        entity_id=contact.id,
        account_id=contact.account_id,
        before=None,
        after=snapshot(contact, CONTACT_FIELDS),
    )
    session.commit()
    return contact


def update_contact(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    contact_id: int,
    changes: ContactUpdate,
) -> Contact:
    """Change a contact; only the fields given are changed."""
    contact = get_contact(session=session, contact_id=contact_id)
    _check_may_edit(session, permissions, contact.account_id)
    before = snapshot(contact, CONTACT_FIELDS)
    given = changes.model_dump(exclude_unset=True)
    if "email" in given and given["email"] is not None:
        email = normalise_email(given["email"])
        clash = session.scalar(
            select(Contact.id).where(
                Contact.account_id == contact.account_id,
                Contact.email == email,
                Contact.id != contact.id,
            )
        )
        if clash is not None:
            raise Conflict(f"{email} is a contact of this account already")
        contact.email = email
    for name in ("name", "title", "traits"):
        if name in given:
            setattr(contact, name, given[name])
    if "persona" in given:
        contact.persona = given["persona"].value if given["persona"] else None
    old, new = changed(before, snapshot(contact, CONTACT_FIELDS))
    if new:
        contact.updated_at = clock.now()
        record_audit(
            session,
            actor=actor,
            action="contact.update",
            entity_type="contact",
            entity_id=contact.id,
            account_id=contact.account_id,
            before=old,
            after=new,
        )
    session.commit()
    return contact
