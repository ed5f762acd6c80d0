"""Who did what: the actor of a write and the audit log every write goes to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from headway.core import clock
from headway.core.db import Base


@dataclass(frozen=True)
class Actor:
    """The person, API key, import or system rule behind a write."""

    kind: str  # "user", "api_key", "system"
    label: str  # shown in the audit log and timelines: an email, a key name, "rule: segments"
    user_id: int | None = None
    api_key_id: int | None = None
    import_id: int | None = None

    @classmethod
    def system(cls, label: str) -> Actor:
        """An actor for writes made by Headway itself (rules, demo, migrations)."""
        return cls(kind="system", label=label)

    def for_import(self, import_id: int) -> Actor:
        """The same actor, acting through one import run."""
        return Actor(self.kind, self.label, self.user_id, self.api_key_id, import_id)


class AuditEntry(Base):
    """One write: who, what, the values before and after, and when."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_account_at", "account_id", "at"),
        Index("ix_audit_log_entity", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_label: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None]
    account_id: Mapped[int | None] = mapped_column(index=False)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]


def jsonable(value: Any) -> Any:
    """Turn a column value into something JSON can hold, keeping its meaning."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """Return the named attributes of a row as a JSON-ready dict."""
    return {name: jsonable(getattr(obj, name)) for name in fields}


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the keys whose values differ, for a compact audit row."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def audit_row(
    *,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int | None,
    account_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Build the values of one audit row (for bulk inserts)."""
    return {
        "at": at or clock.now(),
        "actor_kind": actor.kind,
        "actor_label": actor.label,
        "user_id": actor.user_id,
        "api_key_id": actor.api_key_id,
        "import_id": actor.import_id,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "account_id": account_id,
        "before": before,
        "after": after,
    }


def record_audit(session: Session, **values: Any) -> AuditEntry:
    """Add one audit row to the session (the caller's transaction commits it)."""
    entry = AuditEntry(**audit_row(**values))
    session.add(entry)
    return entry
