"""People, passwords, roles and API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.core import clock, fields
from headway.core.audit import Actor, record_audit, snapshot
from headway.core.errors import Conflict, InvalidInput, NotFound
from headway.users.models import ApiKey, Role, Scope, User

_hasher = PasswordHasher()
KEY_PREFIX = "hw_"
USER_FIELDS = ["email", "name", "role", "active"]


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether a password matches its argon2 hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    """Compare and store emails in lower case, trimmed."""
    try:
        return fields.normalise_email(email)
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def create_user(
    *,
    session: Session,
    actor: Actor,
    email: str,
    name: str,
    role: Role,
    password: str | None,
) -> User:
    """Create a person who can log in."""
    email = normalise_email(email)
    if password is not None and len(password) < 8:
        raise InvalidInput("a password needs at least 8 characters")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with the email {email} exists already")
    user = User(
        email=email,
        name=name.strip() or email,
        role=Role(role).value,
        password_hash=hash_password(password) if password else None,
        active=True,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        account_id=None,
        before=None,
        after=snapshot(user, USER_FIELDS),
    )
    session.commit()
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """Return the active user with this email and password, or None."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        # Hash anyway so a missing account takes as long as a wrong password.
        verify_password(_DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


_DUMMY_HASH = _hasher.hash("not-a-real-password")


def get_user(*, session: Session, user_id: int) -> User:
    """Return a user by id."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user


def get_user_by_email(*, session: Session, email: str) -> User | None:
    """Return the user with this email, if any."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def list_users(*, session: Session, role: Role | None = None) -> list[User]:
    """List people, by name."""
    query = select(User).order_by(func.lower(User.name))
    if role is not None:
        query = query.where(User.role == role.value)
    return list(session.scalars(query))


def actor_for_user(user: User) -> Actor:
    """The audit actor of a person."""
    return Actor(kind="user", label=user.email, user_id=user.id)


def actor_for_key(key: ApiKey) -> Actor:
    """The audit actor of an API key: the key and the person it belongs to."""
    return Actor(
        kind="api_key",
        label=f"{key.user.email} (key {key.name})",
        user_id=key.user_id,
        api_key_id=key.id,
    )


def _digest(secret: str) -> str:
    # API keys carry 256 random bits, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    *, session: Session, actor: Actor, user: User, name: str, scopes: list[Scope]
) -> tuple[ApiKey, str]:
    """Create an API key for a user; return it with the secret, shown only this once."""
    if not scopes:
        raise InvalidInput("an API key needs at least one scope")
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        user_id=user.id,
        name=name,
        prefix=prefix,
        key_hash=_digest(secret),
        scopes=sorted({Scope(s).value for s in scopes}),
        created_at=clock.now(),
    )
    session.add(key)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="api_key.create",
        entity_type="api_key",
        entity_id=key.id,
        account_id=None,
        before=None,
        after={"name": name, "user": user.email, "scopes": key.scopes},
    )
    session.commit()
    return key, secret


def find_api_key(*, session: Session, secret: str) -> ApiKey | None:
    """Return the live API key matching a secret, and note that it was used."""
    if not secret.startswith(KEY_PREFIX) or secret.count("_") < 2:
        return None
    prefix = secret[len(KEY_PREFIX) :].split("_", 1)[0]
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or key.revoked_at is not None or not key.user.active:
        return None
    if not hmac.compare_digest(key.key_hash, _digest(secret)):
        return None
    now = clock.now()
    # Note the use at most once a minute: a busy integration should not write on every request.
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        key.last_used_at = now
        session.commit()
    return key


def revoke_api_key(*, session: Session, actor: Actor, key_id: int) -> ApiKey:
    """Revoke an API key; it stops working at once."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"API key {key_id} does not exist")
    key.revoked_at = clock.now()
    record_audit(
        session,
        actor=actor,
        action="api_key.revoke",
        entity_type="api_key",
        entity_id=key.id,
        account_id=None,
        before=None,
        after={"name": key.name},
    )
    session.commit()
    return key


@dataclass(frozen=True)
class Permissions:
    """What a person may do, derived from their role."""

    role: Role
    user_id: int

    @property
    def can_manage_people(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def can_configure(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def can_import(self) -> bool:
        return self.role in (Role.ADMIN, Role.MANAGER)

    @property
    def can_assign_owner(self) -> bool:
        return self.role in (Role.ADMIN, Role.MANAGER)

    @property
    def can_set_segment(self) -> bool:
        # Segments decide the Appropriate Experience and the team's workload: CS leadership's call.
        return self.role in (Role.ADMIN, Role.MANAGER)

    @property
    def can_create_accounts(self) -> bool:
        return self.role in (Role.ADMIN, Role.MANAGER)

    def can_edit_account(self, owner_id: int | None) -> bool:
        """Admins and managers edit every account; a CSM edits the accounts they own."""
        if self.role in (Role.ADMIN, Role.MANAGER):
            return True
        return self.role is Role.CSM and owner_id == self.user_id


def may_own_accounts(user: User) -> bool:
    """Active CSMs, managers and admins own accounts; viewers only read."""
    return user.active and user.role != Role.VIEWER.value


def permissions_of(user: User) -> Permissions:
    """Return the permissions of a person."""
    return Permissions(role=Role(user.role), user_id=user.id)
