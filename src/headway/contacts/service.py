"""Contacts: the people at customer companies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from headway.accounts.service import check_may_edit_account
from headway.contacts.models import Contact, Persona
from headway.contacts.schemas import ContactCreate, ContactUpdate
from headway.core import clock, fields
from headway.core.audit import Actor, changed, record_audit, snapshot
from headway.core.errors import Conflict, InvalidInput, NotFound
from headway.core.pagination import contains_pattern, fetch_page
from headway.users.service import Permissions

CONTACT_FIELDS = ["external_id", "account_id", "email", "name", "title", "persona", "traits"]


def normalise_email(email: str) -> str:
    """Store and compare contact emails trimmed and in lower case."""
    try:
        return fields.normalise_email(email)
    except ValueError as error:
        raise InvalidInput(str(error)) from None


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
        pattern = contains_pattern(q)
        query = query.where(
            or_(
                func.lower(Contact.name).like(pattern, escape="\\"),
                Contact.email.like(pattern, escape="\\"),
            )
        )
    rows, total = fetch_page(
        session, query.order_by(Contact.name, Contact.id), page=page, per_page=per_page
    )
    return [r[0] for r in rows], total


def create_contact(
    *, session: Session, actor: Actor, permissions: Permissions | None, data: ContactCreate
) -> Contact:
    """Add a contact to an account."""
    check_may_edit_account(
        session=session, permissions=permissions, account_id=data.account_id, what="contacts"
    )
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
    check_may_edit_account(
        session=session, permissions=permissions, account_id=contact.account_id, what="contacts"
    )
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
