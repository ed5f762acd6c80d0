"""Storing usage messages exactly once, and who belongs to which account."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.contacts.models import Contact
from headway.core.upsert import insert_new, upsert
from headway.usage.messages import Message
from headway.usage.models import UsageEvent, UsageGroup, UsageIdentity, UsagePendingDay

EMAIL_LENGTH = 320  # the column's length, in identities and contacts


@dataclass(frozen=True)
class Stored:
    """What a write did: messages newly stored, and those already there (re-sent)."""

    stored: int
    duplicates: int


def store_messages(
    *, session: Session, messages: Sequence[Message], received_at: datetime
) -> Stored:
    """Store the messages not stored before; learn identities and groups; do not commit.

    The unique messageId decides: a message sent twice (a retry, a replay, two senders at
    once) is one row, whichever writer wins. Writers lock groups, then identities, then events,
    each in key order, so concurrent writers wait for each other instead of deadlocking, and
    read the traits they merge only once they hold the row (no lost update).
    """
    unique = sorted({m.message_id: m for m in messages}.values(), key=lambda m: m.message_id)
    _learn_groups(session, [m for m in unique if m.type == "group"], received_at)
    accounts = _learn_identities(session, [m for m in unique if m.user_key], received_at)
    rows = [
        {
            "message_id": m.message_id,
            "type": m.type,
            "event": m.event,
            "user_id": m.user_id,
            "anonymous_id": m.anonymous_id,
            "user_key": m.user_key,
            "account_key": m.account_key or accounts.get(m.user_key or ""),
            "session_id": m.session_id,
            "timestamp": m.timestamp,
            "received_at": received_at,
            "payload": m.payload,
        }
        for m in unique
    ]
    inserted = insert_new(session, UsageEvent, rows, key=["message_id"], returning="message_id")
    return Stored(stored=len(inserted), duplicates=len(messages) - len(inserted))


def _learn_groups(session: Session, groups: list[Message], now: datetime) -> None:
    """`group` gives an account its traits, merged over those it had."""
    traits: dict[str, dict[str, object]] = {}
    for message in sorted(groups, key=lambda m: m.timestamp):
        assert message.account_key is not None  # a group message always has its groupId
        traits[message.account_key] = {**traits.get(message.account_key, {}), **message.traits}
    if not traits:
        return
    keys = sorted(traits)
    _create_missing(
        session, UsageGroup, "account_key", [{"account_key": k, "updated_at": now} for k in keys]
    )
    stored: dict[str, dict[str, Any]] = {
        account_key: stored_traits
        for account_key, stored_traits in session.execute(
            select(UsageGroup.account_key, UsageGroup.traits)
            .where(UsageGroup.account_key.in_(keys))
            .order_by(UsageGroup.account_key)
            .with_for_update()
        )
    }
    upsert(
        session,
        UsageGroup,
        [
            {
                "account_key": key,
                "traits": {**(stored.get(key) or {}), **traits[key]},
                "updated_at": now,
            }
            for key in keys
        ],
        key=["account_key"],
        update=["traits", "updated_at"],
    )


def _learn_identities(session: Session, messages: list[Message], now: datetime) -> dict[str, str]:
    """Who each user is (identify traits) and which account they belong to (group, groupId).

    Returns the account of each user that has one. Events stored before their user was
    grouped join that account now.
    """
    seen: dict[str, _Identity] = {}
    for message in sorted(messages, key=lambda m: m.timestamp):
        assert message.user_key is not None
        entry = seen.setdefault(message.user_key, _Identity(message.timestamp))
        if message.type == "identify":
            entry.traits.update(message.traits)
        entry.account_key = message.account_key or entry.account_key
        entry.last = message.timestamp
    if not seen:
        return {}
    keys = sorted(seen)
    created = _create_missing(
        session,
        UsageIdentity,
        "user_key",
        [
            {"user_key": k, "first_seen_at": seen[k].first, "last_seen_at": seen[k].last}
            for k in keys
        ],
    )
    stored = {
        row.user_key: row
        for row in session.execute(
            select(
                UsageIdentity.user_key,
                UsageIdentity.account_key,
                UsageIdentity.traits,
                UsageIdentity.first_seen_at,
                UsageIdentity.last_seen_at,
            )
            .where(UsageIdentity.user_key.in_(keys))
            .order_by(UsageIdentity.user_key)
            .with_for_update()
        )
        if row.user_key not in created
    }
    rows = []
    newly_grouped: dict[str, list[str]] = {}
    accounts: dict[str, str] = {}
    for key in keys:
        entry, before = seen[key], stored.get(key)
        traits = {**((before.traits or {}) if before else {}), **entry.traits}
        account_key = entry.account_key or (before.account_key if before else None)
        if account_key:
            accounts[key] = account_key
            # A user new to Headway has no earlier events to attach.
            if before is not None and not before.account_key:
                newly_grouped.setdefault(account_key, []).append(key)
        rows.append(
            {
                "user_key": key,
                "account_key": account_key,
                "email": _email(traits.get("email")),
                "traits": traits,
                "first_seen_at": min(entry.first, before.first_seen_at) if before else entry.first,
                "last_seen_at": max(entry.last, before.last_seen_at) if before else entry.last,
            }
        )
    upsert(
        session,
        UsageIdentity,
        rows,
        key=["user_key"],
        update=["account_key", "email", "traits", "first_seen_at", "last_seen_at"],
    )
    # Events that arrived before their user was grouped now join that account; their days
    # are rolled up again by the next run, though none of their events is new.
    for account_key, user_keys in sorted(newly_grouped.items()):
        times = session.scalars(
            select(UsageEvent.timestamp).where(
                UsageEvent.user_key.in_(user_keys), UsageEvent.account_key.is_(None)
            )
        )
        days = sorted({moment.astimezone(UTC).date() for moment in times})
        insert_new(
            session,
            UsagePendingDay,
            [{"account_key": account_key, "day": day} for day in days],
            key=["account_key", "day"],
            returning="id",
        )
        session.execute(
            update(UsageEvent)
            .where(UsageEvent.user_key.in_(user_keys), UsageEvent.account_key.is_(None))
            .values(account_key=account_key)
        )
    return accounts


def _create_missing(
    session: Session, model: type[UsageGroup | UsageIdentity], key: str, rows: list[dict[str, Any]]
) -> set[str]:
    """Insert placeholder rows for new keys, so every row can be locked before it is read.

    Two writers of a new key would otherwise both read nothing and the later would overwrite
    the earlier's traits; this way the later waits for the earlier and reads what it wrote.
    On SQLite this first write also takes the database's write lock for the transaction.
    """
    return insert_new(
        session, model, [{"traits": {}, **row} for row in rows], key=[key], returning=key
    )


@dataclass
class _Identity:
    first: datetime
    account_key: str | None = None
    traits: dict[str, object] = field(default_factory=dict)
    last: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.last = self.first


def attach_identified_contacts(
    *, session: Session, now: datetime, user_keys: Collection[str] | None = None
) -> int:
    """Add identified users with an email as contacts of their account, once it exists.

    Runs after each write (for the users it named, `user_keys`) and in the daily job (for
    everyone), so a user identified before their account was imported becomes a contact when
    it appears. Existing contacts are left as they are.
    """
    query = (
        select(Account.id, UsageIdentity.email, UsageIdentity.traits)
        .join(Account, Account.external_id == UsageIdentity.account_key)
        .outerjoin(
            Contact,
            (Contact.account_id == Account.id) & (Contact.email == UsageIdentity.email),
        )
        .where(UsageIdentity.email.is_not(None), Contact.id.is_(None))
        .order_by(Account.id, UsageIdentity.email)
    )
    if user_keys is not None:
        query = query.where(UsageIdentity.user_key.in_(sorted(user_keys)))
    pending = session.execute(query).all()
    rows = [
        {
            "account_id": account_id,
            "email": email,
            "name": _name_of(traits),
            "title": _text(traits.get("title"), 255),
            "traits": traits,
            "created_at": now,
            "updated_at": now,
        }
        for account_id, email, traits in pending
    ]
    return len(insert_new(session, Contact, rows, key=["account_id", "email"], returning="id"))


def _email(value: object) -> str | None:
    """An email address as contacts keep it; anything else (or too long to store) is none."""
    if not isinstance(value, str) or "@" not in value:
        return None
    email = value.strip().lower()
    return email if len(email) <= EMAIL_LENGTH else None


def _text(value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip()[:limit] or None


def _name_of(traits: dict[str, object]) -> str:
    name = traits.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()[:255]
    parts = [
        traits.get("firstName") or traits.get("first_name"),
        traits.get("lastName") or traits.get("last_name"),
    ]
    return " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())[:255]


def usage_stats(*, session: Session) -> dict[str, int]:
    """How many events are stored, for how many accounts and users; how many wait for one."""
    events, accounts, users = session.execute(
        select(
            func.count(UsageEvent.id),
            func.count(func.distinct(UsageEvent.account_key)),
            func.count(func.distinct(UsageEvent.user_key)),
        )
    ).one()
    known = session.scalar(
        select(func.count(func.distinct(UsageEvent.account_key))).join(
            Account, Account.external_id == UsageEvent.account_key
        )
    )
    unattached = session.scalar(
        select(func.count(UsageEvent.id)).where(UsageEvent.account_key.is_(None))
    )
    return {
        "events": events,
        "accounts": accounts,
        "users": users,
        "known_accounts": known or 0,
        "events_without_account": unattached or 0,
    }


def group_traits(*, session: Session, account_key: str) -> dict[str, Any]:
    """The traits the account's product sent with its `group` calls (empty when none)."""
    traits = session.scalar(select(UsageGroup.traits).where(UsageGroup.account_key == account_key))
    return dict(traits or {})
