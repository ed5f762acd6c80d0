"""Write the demo company into the database, or take it out again.

Bulk inserts with SQLAlchemy Core in chunks, inside the caller's transaction: the service
commits once at the end, so a failed run leaves nothing behind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from headway.accounts.models import Account, StageChange
from headway.accounts.service import list_segments, list_stages
from headway.contacts.models import Contact
from headway.core.audit import AuditEntry
from headway.demo.bulk import (
    Progress,
    ids_by_key,
    insert_columns,
    insert_rows,
    no_progress,
    optional,
    reserve_ids,
)
from headway.demo.company import ACCOUNT_ID_PREFIX, DemoCompany, history_start
from headway.demo.contacts import PERSONAS
from headway.demo.database_outcomes import (
    DemoIds,
    delete_demo_outcomes,
    release_demo_users,
    write_outcomes,
)
from headway.demo.database_support import delete_demo_support, write_support
from headway.demo.database_usage import delete_demo_usage
from headway.demo.lifecycle import REASONS, STAGE_KEYS
from headway.demo.people import DEMO_EMAIL_DOMAIN, DemoPerson
from headway.demo.segments import CURRENCIES, SEGMENT_KEYS
from headway.revenue.models import FxRate, Subscription
from headway.users.models import User

CHANGED_BY = "demo"


@dataclass(frozen=True)
class DeletedDemo:
    """How many demo rows a replace removed."""

    accounts: int
    users: int


def count_accounts(session: Session) -> int:
    """How many accounts the database holds."""
    return session.scalar(select(func.count(Account.id))) or 0


def count_demo_accounts(session: Session) -> int:
    """How many accounts of the database are demo accounts."""
    query = select(func.count(Account.id)).where(Account.external_id.like(f"{ACCOUNT_ID_PREFIX}%"))
    return session.scalar(query) or 0


def delete_demo_data(session: Session) -> DeletedDemo:
    """Delete the demo accounts (with everything of theirs) and the demo users."""
    demo_ids = select(Account.id).where(Account.external_id.like(f"{ACCOUNT_ID_PREFIX}%"))
    accounts = count_demo_accounts(session)
    # Children first, explicitly: faster than cascades, and the same on both databases.
    delete_demo_outcomes(session, demo_ids)
    delete_demo_usage(session, demo_ids)
    delete_demo_support(session, demo_ids)
    for table in (StageChange, Contact, Subscription, AuditEntry):
        session.execute(delete(table).where(table.account_id.in_(demo_ids)))
    session.execute(
        update(Account)
        .where(
            Account.parent_id.in_(demo_ids), Account.external_id.not_like(f"{ACCOUNT_ID_PREFIX}%")
        )
        .values(parent_id=None)
    )
    session.execute(update(Account).where(Account.id.in_(demo_ids)).values(parent_id=None))
    session.execute(delete(Account).where(Account.external_id.like(f"{ACCOUNT_ID_PREFIX}%")))
    demo_users = select(User.id).where(User.email.like(f"%@{DEMO_EMAIL_DOMAIN}"))
    users = session.scalar(select(func.count()).select_from(demo_users.subquery())) or 0
    session.execute(update(Account).where(Account.owner_id.in_(demo_users)).values(owner_id=None))
    release_demo_users(session, demo_users)
    session.execute(delete(User).where(User.email.like(f"%@{DEMO_EMAIL_DOMAIN}")))
    return DeletedDemo(accounts=accounts, users=users)


def write_team(
    session: Session, team: tuple[DemoPerson, ...], password_hash: str, now: datetime
) -> list[int]:
    """Insert the demo team (people already there are kept as they are); return their ids."""
    emails = [person.email for person in team]
    existing = dict(
        session.execute(select(User.email, User.id).where(User.email.in_(emails))).all()
    )
    missing = [
        {
            "email": person.email,
            "name": person.name,
            "role": person.role,
            "password_hash": password_hash,
            "active": True,
            "created_at": now,
        }
        for person in team
        if person.email not in existing
    ]
    if missing:
        insert_rows(session, User, missing)
        existing = dict(
            session.execute(select(User.email, User.id).where(User.email.in_(emails))).all()
        )
    return [existing[email] for email in emails]


def write_company(
    session: Session,
    company: DemoCompany,
    *,
    password_hash: str,
    now: datetime,
    progress: Progress = no_progress,
) -> None:
    """Insert the whole company: team, accounts (parents first), contacts, subscriptions, stages,
    then its Desired Outcomes, success plans and activities, then its tickets and surveys."""
    segment_ids = ids_by_key(list_segments(session=session), SEGMENT_KEYS, "segment")
    stage_ids = ids_by_key(list_stages(session=session), STAGE_KEYS, "lifecycle stage")
    user_ids = write_team(session, company.team, password_hash, now)
    account_ids = _write_accounts(session, company, segment_ids, stage_ids, user_ids, progress)
    contact_ids = _write_contacts(session, company, account_ids, progress)
    _write_subscriptions(session, company, account_ids, now, progress)
    _write_stage_changes(session, company, account_ids, stage_ids, progress)
    ids = DemoIds(
        accounts=account_ids, contacts=contact_ids, users=np.array(user_ids, dtype=np.int64)
    )
    write_outcomes(session, company, ids, progress)
    write_support(session, company, ids, progress)
    write_fx_rates(session, company, now)


# Monthly USD rates of the demo's other currencies: a gentle, deterministic wave around a
# plausible level, so revenue metrics can convert EUR and GBP subscriptions.
DEMO_FX_LEVELS = {"EUR": (1.08, 0.04, 6.0), "GBP": (1.27, 0.03, 7.0)}


def write_fx_rates(session: Session, company: DemoCompany, now: datetime) -> None:
    """Insert a USD rate for EUR and GBP on the first of every month of the history."""
    first = history_start(company.as_of).replace(day=1)
    existing = set(
        session.execute(
            select(FxRate.currency, FxRate.rate_date).where(FxRate.quote_currency == "USD")
        ).all()
    )
    rows = []
    month = 0
    day = first
    while day <= company.as_of:
        for currency, (level, swing, period) in DEMO_FX_LEVELS.items():
            if (currency, day) not in existing:
                rate = round(level + swing * math.sin(month / period), 4)
                rows.append(
                    {
                        "currency": currency,
                        "quote_currency": "USD",
                        "rate_date": day,
                        "rate": rate,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        month += 1
        day = (day + timedelta(days=32)).replace(day=1)
    if rows:
        insert_rows(session, FxRate, rows)


def _write_accounts(
    session: Session,
    company: DemoCompany,
    segment_ids: list[int],
    stage_ids: list[int],
    user_ids: list[int],
    progress: Progress,
) -> np.ndarray:
    """Insert accounts, parents before children; return the database id of each account."""
    accounts = company.accounts
    total = len(accounts)
    # Parents first, so every child's parent is there when the child is written.
    order = np.concatenate(
        [np.flatnonzero(accounts.parent < 0), np.flatnonzero(accounts.parent >= 0)]
    )
    database_id = np.zeros(total, dtype=np.int64)
    database_id[order] = reserve_ids(session, Account, total) + np.arange(total)
    parent = accounts.parent[order]
    owner = accounts.owner[order]
    created, entered = accounts.created_at[order], accounts.stage_entered_at[order]
    insert_columns(
        session,
        Account,
        {
            "id": database_id[order],
            "external_id": accounts.external_id[order],
            "name": accounts.name[order],
            "domain": accounts.domain[order],
            "parent_id": optional(np.where(parent >= 0, database_id[parent], -1)),
            "owner_id": optional(np.where(owner >= 0, np.array([*user_ids, -1])[owner], -1)),
            "segment_id": np.array(segment_ids)[accounts.segment[order]],
            "segment_locked": [False] * total,  # set by the ARR rule, so the rule may move it
            "stage_id": np.array(stage_ids)[accounts.stage[order]],
            "stage_entered_at": entered,
            "industry": accounts.industry[order],
            "employees": accounts.employees[order],
            "traits": [accounts.traits(i) for i in order.tolist()],
            "created_at": created,
            "updated_at": np.maximum(created, entered),
        },
        step="accounts",
        progress=progress,
    )
    return database_id


def _write_contacts(
    session: Session, company: DemoCompany, account_ids: np.ndarray, progress: Progress
) -> np.ndarray:
    """Insert the contacts; return the database id of each (outcomes and activities name them)."""
    contacts = company.contacts
    total = len(contacts)
    ids = reserve_ids(session, Contact, total) + np.arange(total, dtype=np.int64)
    insert_columns(
        session,
        Contact,
        {
            "id": ids,
            "external_id": contacts.external_id,
            "account_id": account_ids[contacts.account],
            "email": contacts.email,
            "name": contacts.name,
            "title": contacts.title,
            "persona": np.array(PERSONAS, dtype=object)[contacts.persona],
            "traits": [{} for _ in range(total)],
            "created_at": contacts.created_at,
            "updated_at": contacts.created_at,
        },
        step="contacts",
        progress=progress,
    )
    return ids


def _write_subscriptions(
    session: Session,
    company: DemoCompany,
    account_ids: np.ndarray,
    now: datetime,
    progress: Progress,
) -> None:
    subscriptions = company.subscriptions
    total = len(subscriptions)
    insert_columns(
        session,
        Subscription,
        {
            "external_id": subscriptions.external_id,
            "account_id": account_ids[subscriptions.account],
            "plan": subscriptions.plan,
            "amount_minor": subscriptions.amount_minor,
            "currency": np.array(CURRENCIES, dtype=object)[subscriptions.currency],
            "interval": np.where(subscriptions.yearly, "year", "month"),
            "quantity": subscriptions.quantity,
            "start_date": subscriptions.start_date,
            "end_date": subscriptions.end_date,
            "created_at": [now] * total,
            "updated_at": [now] * total,
        },
        step="subscriptions",
        progress=progress,
    )


def _write_stage_changes(
    session: Session,
    company: DemoCompany,
    account_ids: np.ndarray,
    stage_ids: list[int],
    progress: Progress,
) -> None:
    changes = company.stage_changes
    # Index -1 (no earlier stage) picks the -1 (none) at the end.
    stage_id_of = np.array([*stage_ids, -1], dtype=np.int64)
    insert_columns(
        session,
        StageChange,
        {
            "account_id": account_ids[changes.account],
            "from_stage_id": optional(stage_id_of[changes.from_stage]),
            "to_stage_id": stage_id_of[changes.to_stage],
            "changed_at": changes.changed_at,
            "changed_by": [CHANGED_BY] * len(changes),
            "reason": np.array(REASONS, dtype=object)[changes.to_stage],
        },
        step="stage changes",
        progress=progress,
    )
