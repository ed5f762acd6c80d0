"""People who log in, and the API keys they create."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from headway.core.db import Base


class Role(StrEnum):
    """What a person may do: admin > manager > csm > viewer."""

    ADMIN = "admin"  # everything, including people, keys and configuration
    MANAGER = "manager"  # all accounts, assigns CSMs, imports
    CSM = "csm"  # edits own accounts, reads all
    VIEWER = "viewer"  # reads


class Scope(StrEnum):
    """What an API key may do."""

    READ = "read"
    WRITE = "write"
    INGEST = "ingest"


class User(Base):
    """A person who logs in: an admin, a manager, a CSM or a viewer."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default=Role.VIEWER.value)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    api_keys: Mapped[list[ApiKey]] = relationship(back_populates="user")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class ApiKey(Base):
    """A bearer key for the API: stored as a hash, shown once when created."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]]
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="api_keys")
