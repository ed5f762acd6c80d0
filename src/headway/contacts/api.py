"""JSON API of contacts."""

from __future__ import annotations

from fastapi import APIRouter

from headway.contacts.models import Persona
from headway.contacts.schemas import ContactCreate, ContactRead, ContactUpdate
from headway.contacts.service import create_contact, get_contact, list_contacts, update_contact
from headway.core.pagination import Page
from headway.web.auth import ApiPrincipal, SessionDep
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PageNumber, PathId, PerPage, QueryId

router = APIRouter(tags=["contacts"], responses=API_ERROR_RESPONSES)


@router.get("/contacts", response_model=Page[ContactRead])
def get_contacts(
    session: SessionDep,
    principal: ApiPrincipal,
    account_id: QueryId = None,
    q: str | None = None,
    persona: Persona | None = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> Page[ContactRead]:
    """List contacts, optionally of one account or persona."""
    contacts, total = list_contacts(
        session=session, account_id=account_id, q=q, persona=persona, page=page, per_page=per_page
    )
    return Page[ContactRead](
        items=[ContactRead.model_validate(c) for c in contacts],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.get("/contacts/{contact_id}", response_model=ContactRead)
def get_one_contact(
    session: SessionDep, principal: ApiPrincipal, contact_id: PathId
) -> ContactRead:
    """Return one contact."""
    return ContactRead.model_validate(get_contact(session=session, contact_id=contact_id))


@router.post("/contacts", response_model=ContactRead, status_code=201)
def post_contact(session: SessionDep, principal: ApiPrincipal, data: ContactCreate) -> ContactRead:
    """Add a contact to an account."""
    contact = create_contact(
        session=session, actor=principal.actor, permissions=principal.permissions, data=data
    )
    return ContactRead.model_validate(contact)


@router.patch("/contacts/{contact_id}", response_model=ContactRead)
def patch_contact(
    session: SessionDep, principal: ApiPrincipal, contact_id: PathId, changes: ContactUpdate
) -> ContactRead:
    """Change a contact."""
    contact = update_contact(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        contact_id=contact_id,
        changes=changes,
    )
    return ContactRead.model_validate(contact)
