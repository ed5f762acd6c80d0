"""Who is asking: session logins for pages, bearer API keys for the API, and CSRF checks."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from headway.config import Settings, get_settings
from headway.core.audit import Actor
from headway.core.db import get_sessionmaker
from headway.core.errors import NotFound
from headway.users.models import Scope, User
from headway.users.service import (
    Permissions,
    actor_for_key,
    actor_for_user,
    find_api_key,
    get_user,
    permissions_of,
)

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def settings_of(request: Request) -> Settings:
    """Return the settings the app was created with."""
    settings: Settings = getattr(request.app.state, "settings", None) or get_settings()
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """Open a database session for one request."""
    session = get_sessionmaker(settings_of(request).database_url)()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_db)]


class LoginRequired(Exception):
    """Raised by page dependencies when nobody is logged in: the app redirects to /login."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


@dataclass(frozen=True)
class Principal:
    """The person behind a request, with what they may do and how writes are attributed."""

    user: User
    actor: Actor
    permissions: Permissions
    scopes: frozenset[str]


def log_in(request: Request, user: User) -> None:
    """Start a fresh session for a user (a new CSRF token too)."""
    request.session.clear()
    request.session["user_id"] = user.id
    request.session[CSRF_FIELD] = secrets.token_urlsafe(32)


def log_out(request: Request) -> None:
    """End the session."""
    request.session.clear()


def ensure_csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating one for anonymous forms (the login page)."""
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return str(token)


async def verify_csrf(request: Request) -> None:
    """Refuse unsafe requests whose CSRF token (form field or header) is not the session's."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.session.get(CSRF_FIELD, "")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not expected or not hmac.compare_digest(str(expected), sent):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "CSRF token missing or wrong: reload the page"
        )


def current_page_user(request: Request, session: SessionDep) -> Principal:
    """The logged-in person of a page request; anyone else is sent to the login page."""
    user_id = request.session.get("user_id")
    user = None
    if user_id is not None:
        try:
            user = get_user(session=session, user_id=int(user_id))
        except NotFound:
            user = None
    if user is None or not user.active:
        request.session.clear()
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    request.state.user = user
    return Principal(
        user=user,
        actor=actor_for_user(user),
        permissions=permissions_of(user),
        scopes=frozenset(s.value for s in Scope),
    )


PageUser = Annotated[Principal, Depends(current_page_user)]


def current_api_principal(request: Request, session: SessionDep) -> Principal:
    """The API key of an API request, checked against the scope the method needs."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "send an API key: Authorization: Bearer <key>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    key = find_api_key(session=session, secret=secret.strip())
    if key is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the API key is unknown or revoked",
            headers={"WWW-Authenticate": "Bearer"},
        )
    needed = Scope.READ if request.method in ("GET", "HEAD") else Scope.WRITE
    if needed.value not in key.scopes:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"this API key lacks the {needed.value!r} scope"
        )
    return Principal(
        user=key.user,
        actor=actor_for_key(key),
        permissions=permissions_of(key.user),
        scopes=frozenset(key.scopes),
    )


ApiPrincipal = Annotated[Principal, Depends(current_api_principal)]


def current_reader(request: Request, session: SessionDep) -> Principal:
    """A person logged in to the pages, or an API key: either may read the API reference."""
    if request.headers.get("authorization"):
        return current_api_principal(request, session)
    return current_page_user(request, session)


Reader = Annotated[Principal, Depends(current_reader)]
