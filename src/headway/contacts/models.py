"""People at customer companies."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from headway.core.db import Base


class Persona(StrEnum):
    """The part a contact plays in the customer's success."""

    CHAMPION = "champion"
    DECISION_MAKER = "decision_maker"
    ADMIN = "admin"
    END_USER = "end_user"


class Contact(Base):
    """A person at a customer company."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("account_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    title: Mapped[str | None] = mapped_column(String(255))
    persona: Mapped[str | None] = mapped_column(String(32))
    traits: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
