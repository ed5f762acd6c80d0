"""Write the demo company into the database, or take it out again.

Bulk inserts with SQLAlchemy Core in chunks, inside the caller's transaction: the service
commits once at the end, so a failed run leaves nothing behind.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import numpy as np
from sqlalchemy import JSON, Table, delete, func, insert, select, update
from sqlalchemy.orm import Session

from headway.accounts.models import Account, StageChange
from headway.accounts.service import list_segments, list_stages
from headway.contacts.models import Contact
from headway.core.audit import AuditEntry
from headway.core.db import Base
from headway.core.errors import InvalidInput
from headway.demo.company import ACCOUNT_ID_PREFIX, DemoCompany, history_start
from headway.demo.contacts import PERSONAS
from headway.demo.lifecycle import REASONS, STAGE_KEYS
from headway.demo.people import DEMO_EMAIL_DOMAIN, DemoPerson
from headway.demo.segments import CURRENCIES, SEGMENT_KEYS
from headway.revenue.models import FxRate, Subscription
from headway.users.models import User

CHUNK_ROWS = 5_000
CHANGED_BY = "demo"

# Called as work goes on: (what is being written, rows done, rows in all).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DeletedDemo:
    """How many demo rows a replace removed."""

    accounts: int
    users: int


def no_progress(step: str, done: int, total: int) -> None:
    """Report no progress (the default of quiet runs)."""


def _chunks(total: int) -> Iterator[slice]:
    for start in range(0, total, CHUNK_ROWS):
        yield slice(start, min(start + CHUNK_ROWS, total))


def _datetimes(values: np.ndarray) -> list[datetime]:
    """numpy datetime64 values (never NaT) as aware UTC datetimes."""
    return [v.replace(tzinfo=UTC) for v in values.astype("datetime64[us]").astype(object).tolist()]


def _dates(values: np.ndarray) -> list[date | None]:
    """numpy datetime64[D] values as dates (NaT as None)."""
    return values.astype("datetime64[D]").astype(object).tolist()


def _table(model: type[Base]) -> Table:
    """The Core table of a model: Core inserts skip the ORM's per-row work."""
    return cast(Table, model.__table__)


def _insert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert rows in bulk: COPY on PostgreSQL (several times faster), executemany elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection.connection.driver_connection, _table(model), rows)
    else:
        session.execute(insert(_table(model)), rows)


def _copy(driver_connection: Any, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY rows into a PostgreSQL table, in the session's transaction (psycopg 3)."""
    from psycopg.types.json import Jsonb

    columns = list(rows[0])
    is_json = [isinstance(table.c[name].type, JSON) for name in columns]
    names = ", ".join(f'"{name}"' for name in columns)
    with (
        driver_connection.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    Jsonb(value) if json else value
                    for value, json in zip(row.values(), is_json, strict=True)
                ]
            )


def _account_ids(session: Session, external_ids: list[str]) -> list[int]:
    """Database ids of accounts by external id, in the order given."""
    found = dict(
        session.execute(
            select(Account.external_id, Account.id).where(Account.external_id.in_(external_ids))
        ).all()
    )
    return [found[external_id] for external_id in external_ids]


def count_accounts(session: Session) -> int:
    """How many accounts the database holds."""
    return session.scalar(select(func.count(Account.id))) or 0


def count_demo_accounts(session: Session) -> int:
    """How many accounts of the database are demo accounts."""
    query = select(func.count(Account.id)).where(Account.external_id.like(f"{ACCOUNT_ID_PREFIX}%"))
    return session.scalar(query) or 0


def delete_demo_data(session: Session) -> DeletedDemo:
    """Delete the demo accounts (with their contacts, subscriptions, stage changes) and users."""
    demo_ids = select(Account.id).where(Account.external_id.like(f"{ACCOUNT_ID_PREFIX}%"))
    accounts = count_demo_accounts(session)
    # Children first, explicitly: faster than cascades, and the same on both databases.
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
        _insert(session, User, missing)
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
    """Insert the whole company: team, accounts (parents first), contacts, subscriptions, stages."""
    segment_ids = _ids_by_key(list_segments(session=session), SEGMENT_KEYS, "segment")
    stage_ids = _ids_by_key(list_stages(session=session), STAGE_KEYS, "lifecycle stage")
    user_ids = write_team(session, company.team, password_hash, now)
    account_ids = _write_accounts(session, company, segment_ids, stage_ids, user_ids, progress)
    _write_contacts(session, company, account_ids, progress)
    _write_subscriptions(session, company, account_ids, now, progress)
    _write_stage_changes(session, company, account_ids, stage_ids, progress)
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
        _insert(session, FxRate, rows)


def _ids_by_key(rows: list[Any], keys: tuple[str, ...], what: str) -> list[int]:
    ids = {row.key: row.id for row in rows}
    missing = [key for key in keys if key not in ids]
    if missing:
        raise InvalidInput(
            f"the demo company needs the default {what}s, but {', '.join(missing)} "
            "is missing from this database"
        )
    return [ids[key] for key in keys]


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
    database_id = np.zeros(total, dtype=np.int64)
    owner_of = np.array(user_ids, dtype=np.int64)
    done = 0
    # Parents in a first pass, so every child's parent has its database id already.
    for group in (np.flatnonzero(accounts.parent < 0), np.flatnonzero(accounts.parent >= 0)):
        for part in _chunks(len(group)):
            idx = group[part]
            created = _datetimes(accounts.created_at[idx])
            entered = _datetimes(accounts.stage_entered_at[idx])
            parents = accounts.parent[idx].tolist()
            owners = accounts.owner[idx].tolist()
            rows = [
                {
                    "external_id": accounts.external_id[i],
                    "name": accounts.name[i],
                    "domain": accounts.domain[i],
                    "parent_id": int(database_id[parents[k]]) if parents[k] >= 0 else None,
                    "owner_id": int(owner_of[owners[k]]) if owners[k] >= 0 else None,
                    "segment_id": segment_ids[accounts.segment[i]],
                    "segment_locked": False,  # set by the ARR rule, so the rule may move it
                    "stage_id": stage_ids[accounts.stage[i]],
                    "stage_entered_at": entered[k],
                    "industry": accounts.industry[i],
                    "employees": int(accounts.employees[i]),
                    "traits": accounts.traits(i),
                    "created_at": created[k],
                    "updated_at": max(created[k], entered[k]),
                }
                for k, i in enumerate(idx.tolist())
            ]
            _insert(session, Account, rows)
            database_id[idx] = _account_ids(session, accounts.external_id[idx].tolist())
            done += len(rows)
            progress("accounts", done, total)
    return database_id


def _rows(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Turn equally long columns into the row dicts an executemany takes."""
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _write_contacts(
    session: Session, company: DemoCompany, account_ids: np.ndarray, progress: Progress
) -> None:
    contacts = company.contacts
    total = len(contacts)
    personas = np.array(PERSONAS, dtype=object)
    for part in _chunks(total):
        created = _datetimes(contacts.created_at[part])
        rows = _rows(
            {
                "external_id": contacts.external_id[part].tolist(),
                "account_id": account_ids[contacts.account[part]].tolist(),
                "email": contacts.email[part].tolist(),
                "name": contacts.name[part].tolist(),
                "title": contacts.title[part].tolist(),
                "persona": personas[contacts.persona[part]].tolist(),
                "traits": [{} for _ in created],
                "created_at": created,
                "updated_at": created,
            }
        )
        _insert(session, Contact, rows)
        progress("contacts", part.stop, total)


def _write_subscriptions(
    session: Session,
    company: DemoCompany,
    account_ids: np.ndarray,
    now: datetime,
    progress: Progress,
) -> None:
    subscriptions = company.subscriptions
    total = len(subscriptions)
    currencies = np.array(CURRENCIES, dtype=object)
    for part in _chunks(total):
        size = part.stop - part.start
        rows = _rows(
            {
                "external_id": subscriptions.external_id[part].tolist(),
                "account_id": account_ids[subscriptions.account[part]].tolist(),
                "plan": subscriptions.plan[part].tolist(),
                "amount_minor": subscriptions.amount_minor[part].tolist(),
                "currency": currencies[subscriptions.currency[part]].tolist(),
                "interval": np.where(subscriptions.yearly[part], "year", "month").tolist(),
                "quantity": subscriptions.quantity[part].tolist(),
                "start_date": _dates(subscriptions.start_date[part]),
                "end_date": _dates(subscriptions.end_date[part]),
                "created_at": [now] * size,
                "updated_at": [now] * size,
            }
        )
        _insert(session, Subscription, rows)
        progress("subscriptions", part.stop, total)


def _write_stage_changes(
    session: Session,
    company: DemoCompany,
    account_ids: np.ndarray,
    stage_ids: list[int],
    progress: Progress,
) -> None:
    changes = company.stage_changes
    total = len(changes)
    # Index -1 (no earlier stage) picks the None at the end.
    stage_id_of = np.array([*stage_ids, None], dtype=object)
    reasons = np.array(REASONS, dtype=object)
    for part in _chunks(total):
        size = part.stop - part.start
        rows = _rows(
            {
                "account_id": account_ids[changes.account[part]].tolist(),
                "from_stage_id": stage_id_of[changes.from_stage[part]].tolist(),
                "to_stage_id": stage_id_of[changes.to_stage[part]].tolist(),
                "changed_at": _datetimes(changes.changed_at[part]),
                "changed_by": [CHANGED_BY] * size,
                "reason": reasons[changes.to_stage[part]].tolist(),
            }
        )
        _insert(session, StageChange, rows)
        progress("stage changes", part.stop, total)
