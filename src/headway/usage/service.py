"""Storing usage messages exactly once, and who belongs to which account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.contacts.models import Contact
from headway.core.upsert import insert_new, upsert
from headway.usage.messages import Message
from headway.usage.models import UsageEvent, UsageGroup, UsageIdentity


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
    once) is one row, whichever writer wins.
    """
    unique = list({m.message_id: m for m in messages}.values())
    _learn_groups(session, [m for m in unique if m.type == "group"], received_at)
    _learn_identities(session, [m for m in unique if m.user_key], received_at)
    known = _accounts_of_users(
        session, {m.user_key for m in unique if m.user_key and not m.account_key}
    )
    rows = [
        {
            "message_id": m.message_id,
            "type": m.type,
            "event": m.event,
            "user_id": m.user_id,
            "anonymous_id": m.anonymous_id,
            "user_key": m.user_key,
            "account_key": m.account_key or known.get(m.user_key or ""),
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
    """`group` gives an account its traits and puts the user in it; earlier events follow."""
    traits: dict[str, dict[str, object]] = {}
    for message in sorted(groups, key=lambda m: m.timestamp):
        assert message.account_key is not None  # a group message always has its groupId
        traits[message.account_key] = {**traits.get(message.account_key, {}), **message.traits}
    stored = {
        g.account_key: g.traits
        for g in session.scalars(select(UsageGroup).where(UsageGroup.account_key.in_(traits)))
    }
    upsert(
        session,
        UsageGroup,
        [
            {"account_key": key, "traits": {**stored.get(key, {}), **new}, "updated_at": now}
            for key, new in traits.items()
        ],
        key=["account_key"],
        update=["traits", "updated_at"],
    )


def _learn_identities(session: Session, messages: list[Message], now: datetime) -> None:
    """Who each user is (identify traits) and which account they belong to (group, groupId)."""
    seen: dict[str, _Identity] = {}
    for message in sorted(messages, key=lambda m: m.timestamp):
        assert message.user_key is not None
        entry = seen.setdefault(message.user_key, _Identity(message.timestamp))
        if message.type == "identify":
            entry.traits.update(message.traits)
        entry.account_key = message.account_key or entry.account_key
        entry.last = message.timestamp
    if not seen:
        return
    stored = {
        i.user_key: i
        for i in session.scalars(select(UsageIdentity).where(UsageIdentity.user_key.in_(seen)))
    }
    rows = []
    newly_grouped = []
    for key, entry in seen.items():
        before = stored.get(key)
        traits = {**(before.traits if before else {}), **entry.traits}
        email = traits.get("email")
        account_key = entry.account_key or (before.account_key if before else None)
        if account_key and not (before and before.account_key):
            newly_grouped.append((key, account_key))
        rows.append(
            {
                "user_key": key,
                "account_key": account_key,
                "email": email.strip().lower() if isinstance(email, str) and "@" in email else None,
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
    # Events that arrived before their user was grouped now join that account.
    for user_key, account_key in newly_grouped:
        session.execute(
            update(UsageEvent)
            .where(UsageEvent.user_key == user_key, UsageEvent.account_key.is_(None))
            .values(account_key=account_key)
        )


@dataclass
class _Identity:
    first: datetime
    account_key: str | None = None
    traits: dict[str, object] = field(default_factory=dict)
    last: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.last = self.first


def _accounts_of_users(session: Session, user_keys: set[str | None]) -> dict[str, str]:
    keys = {k for k in user_keys if k}
    if not keys:
        return {}
    rows = session.execute(
        select(UsageIdentity.user_key, UsageIdentity.account_key).where(
            UsageIdentity.user_key.in_(keys), UsageIdentity.account_key.is_not(None)
        )
    )
    return {user: account for user, account in rows if account}


def attach_identified_contacts(*, session: Session, now: datetime) -> int:
    """Add identified users with an email as contacts of their account, once it exists.

    Runs after each write and in the daily job, so a user identified before their account was
    imported becomes a contact when it appears. Existing contacts are left as they are.
    """
    pending = session.execute(
        select(Account.id, UsageIdentity.email, UsageIdentity.traits)
        .join(Account, Account.external_id == UsageIdentity.account_key)
        .outerjoin(
            Contact,
            (Contact.account_id == Account.id) & (Contact.email == UsageIdentity.email),
        )
        .where(UsageIdentity.email.is_not(None), Contact.id.is_(None))
    ).all()
    rows = [
        {
            "account_id": account_id,
            "email": email,
            "name": _name_of(traits),
            "title": traits.get("title") if isinstance(traits.get("title"), str) else None,
            "traits": traits,
            "created_at": now,
            "updated_at": now,
        }
        for account_id, email, traits in pending
    ]
    return len(insert_new(session, Contact, rows, key=["account_id", "email"], returning="id"))


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
