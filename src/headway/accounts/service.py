"""Accounts: create, change, list, segment, move through the lifecycle."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from headway.accounts.models import Account, LifecycleStage, Segment, StageChange
from headway.accounts.schemas import AccountCreate, AccountFilter, AccountSort, AccountUpdate
from headway.core import clock
from headway.core.audit import Actor, AuditEntry, audit_row, changed, record_audit, snapshot
from headway.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from headway.core.pagination import contains_pattern, fetch_page
from headway.core.timeline import (
    TimelineEntry,
    audit_title,
    register_audit_titles,
    register_timeline_source,
)
from headway.users.models import User
from headway.users.service import Permissions, may_own_accounts

ACCOUNT_FIELDS = [
    "external_id",
    "name",
    "domain",
    "parent_id",
    "owner_id",
    "segment_id",
    "segment_locked",
    "stage_id",
    "industry",
    "employees",
    "traits",
]


# --- segments and stages -------------------------------------------------------------------


def list_segments(*, session: Session) -> list[Segment]:
    """List segments in their configured order."""
    return list(session.scalars(select(Segment).order_by(Segment.position, Segment.id)))


def get_segment(*, session: Session, key: str) -> Segment:
    """Return a segment by key."""
    segment = session.scalar(select(Segment).where(Segment.key == key))
    if segment is None:
        known = ", ".join(s.key for s in list_segments(session=session))
        raise InvalidInput(f"unknown segment {key!r}; known segments: {known}")
    return segment


def segment_for_arr(segments: Iterable[Segment], arr_minor: float) -> Segment | None:
    """Pick the first segment (in order) whose ARR range holds arr: min ≤ ARR < max."""
    for segment in segments:
        low_ok = segment.min_arr is None or arr_minor >= segment.min_arr
        high_ok = segment.max_arr is None or arr_minor < segment.max_arr
        if low_ok and high_ok:
            return segment
    return None


def list_stages(*, session: Session) -> list[LifecycleStage]:
    """List lifecycle stages and states in their configured order."""
    return list(
        session.scalars(select(LifecycleStage).order_by(LifecycleStage.position, LifecycleStage.id))
    )


def get_stage(*, session: Session, key: str) -> LifecycleStage:
    """Return a lifecycle stage by key."""
    stage = session.scalar(select(LifecycleStage).where(LifecycleStage.key == key))
    if stage is None:
        known = ", ".join(s.key for s in list_stages(session=session))
        raise InvalidInput(f"unknown lifecycle stage {key!r}; known stages: {known}")
    return stage


# --- reading -------------------------------------------------------------------------------


def get_account(*, session: Session, account_id: int) -> Account:
    """Return an account by id."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"account {account_id} does not exist")
    return account


def get_account_by_external_id(*, session: Session, external_id: str) -> Account | None:
    """Return the account with a CRM id, if any."""
    return session.scalar(select(Account).where(Account.external_id == external_id))


def check_may_edit_account(
    *, session: Session, permissions: Permissions | None, account_id: int, what: str = "accounts"
) -> Account:
    """Return the account if these permissions may change it (or its contacts, subscriptions)."""
    account = get_account(session=session, account_id=account_id)
    if permissions is not None and not permissions.can_edit_account(account.owner_id):
        raise PermissionDenied(f"you may edit only the {what} of accounts you own")
    return account


@dataclass(frozen=True)
class AccountRow:
    """An account in a list, with the names a list shows beside it."""

    account: Account
    owner_name: str | None
    mrr_minor: float


def list_accounts(
    *,
    session: Session,
    filters: AccountFilter,
    sort: AccountSort = AccountSort.NAME,
    page: int = 1,
    per_page: int = 50,
    mrr_query: Select[Any] | None = None,
) -> tuple[list[AccountRow], int]:
    """List accounts matching filters, sorted, one page at a time, with the total count.

    `mrr_query` is a (account_id, mrr) subquery from the revenue service; without it MRR is 0.
    """
    mrr = mrr_query.subquery() if mrr_query is not None else None
    mrr_col = func.coalesce(mrr.c.mrr, 0) if mrr is not None else literal(0)
    # First the page's ids, sorted from an index on accounts alone; only then the 50 rows with
    # their owner, segment and stage. Joining first would join all 100 k rows before OFFSET.
    ids_query = select(Account.id, mrr_col.label("mrr"))
    if mrr is not None:
        ids_query = ids_query.outerjoin(mrr, mrr.c.account_id == Account.id)
    ids_query = _apply_filters(session, ids_query, filters)
    descending = sort.value.startswith("-")
    tie_breaker = Account.id.desc() if descending else Account.id.asc()
    orders: dict[AccountSort, list[Any]] = {
        AccountSort.NAME: [Account.name.asc()],
        AccountSort.NAME_DESC: [Account.name.desc()],
        AccountSort.MRR: [mrr_col.asc(), Account.name.asc()],
        AccountSort.MRR_DESC: [mrr_col.desc(), Account.name.asc()],
        AccountSort.CREATED: [Account.created_at.asc()],
        AccountSort.CREATED_DESC: [Account.created_at.desc()],
        AccountSort.STAGE_ENTERED: [Account.stage_entered_at.asc()],
        AccountSort.STAGE_ENTERED_DESC: [Account.stage_entered_at.desc()],
    }
    page_rows, total = fetch_page(
        session, ids_query.order_by(*orders[sort], tie_breaker), page=page, per_page=per_page
    )
    ids = [row.id for row in page_rows]
    loaded = {
        account.id: (account, owner_name)
        for account, owner_name in session.execute(
            select(Account, User.name)
            .outerjoin(User, User.id == Account.owner_id)
            .where(Account.id.in_(ids))
        )
    }
    return [
        AccountRow(
            account=loaded[row.id][0], owner_name=loaded[row.id][1], mrr_minor=float(row.mrr or 0)
        )
        for row in page_rows
    ], total


def _apply_filters(session: Session, query: Select[Any], filters: AccountFilter) -> Select[Any]:
    if filters.q:
        pattern = contains_pattern(filters.q)
        query = query.where(
            or_(
                func.lower(Account.name).like(pattern, escape="\\"),
                func.lower(Account.domain).like(pattern, escape="\\"),
                func.lower(Account.external_id).like(pattern, escape="\\"),
            )
        )
    if filters.segment:
        query = query.where(
            Account.segment_id == get_segment(session=session, key=filters.segment).id
        )
    if filters.stage:
        query = query.where(Account.stage_id == get_stage(session=session, key=filters.stage).id)
    if filters.owner_id is not None:
        query = query.where(Account.owner_id == filters.owner_id)
    if filters.unowned:
        query = query.where(Account.owner_id.is_(None))
    if filters.parent_id is not None:
        query = query.where(Account.parent_id == filters.parent_id)
    return query


def list_children(*, session: Session, account_id: int) -> list[Account]:
    """List the accounts whose parent is this account."""
    return list(
        session.scalars(
            select(Account).where(Account.parent_id == account_id).order_by(Account.name)
        )
    )


def count_by_segment_and_stage(*, session: Session) -> list[tuple[str | None, str | None, int]]:
    """Count accounts per (segment key, stage key)."""
    query = (
        select(Segment.key, LifecycleStage.key, func.count(Account.id))
        .select_from(Account)
        .outerjoin(Segment, Segment.id == Account.segment_id)
        .outerjoin(LifecycleStage, LifecycleStage.id == Account.stage_id)
        .group_by(Segment.key, LifecycleStage.key)
    )
    return [(r[0], r[1], r[2]) for r in session.execute(query)]


def list_stage_changes(*, session: Session, account_id: int) -> list[StageChange]:
    """List an account's stage changes, oldest first (time in each stage is derivable)."""
    return list(
        session.scalars(
            select(StageChange)
            .where(StageChange.account_id == account_id)
            .order_by(StageChange.changed_at, StageChange.id)
        )
    )


# --- writing -------------------------------------------------------------------------------


def _check_owner(session: Session, owner_id: int | None) -> None:
    if owner_id is None:
        return
    owner = session.get(User, owner_id)
    if owner is None:
        raise InvalidInput(f"owner {owner_id} is not a Headway user")
    if not may_own_accounts(owner):
        raise InvalidInput(f"{owner.email} cannot own accounts (inactive, or a viewer)")


def _check_parent(session: Session, account: Account | None, parent_id: int | None) -> None:
    if parent_id is None:
        return
    if session.get(Account, parent_id) is None:
        raise InvalidInput(f"parent account {parent_id} does not exist")
    if account is None:
        return
    # Walk up from the new parent: reaching this account would make a cycle.
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == account.id:
            raise InvalidInput("an account cannot be its own ancestor")
        seen.add(current)
        current = session.scalar(select(Account.parent_id).where(Account.id == current))


def create_account(
    *, session: Session, actor: Actor, permissions: Permissions | None, data: AccountCreate
) -> Account:
    """Create an account; it enters its first lifecycle stage now."""
    if permissions is not None and not permissions.can_create_accounts:
        raise PermissionDenied("only admins and managers create accounts")
    if get_account_by_external_id(session=session, external_id=data.external_id) is not None:
        raise Conflict(f"an account with the external id {data.external_id!r} exists already")
    _check_owner(session, data.owner_id)
    _check_parent(session, None, data.parent_id)
    now = clock.now()
    stage = get_stage(session=session, key=data.stage)
    segment = get_segment(session=session, key=data.segment) if data.segment else None
    account = Account(
        external_id=data.external_id,
        name=data.name,
        domain=data.domain,
        parent_id=data.parent_id,
        owner_id=data.owner_id,
        segment_id=segment.id if segment else None,
        segment_locked=segment is not None,
        stage_id=stage.id,
        stage_entered_at=now,
        industry=data.industry,
        employees=data.employees,
        traits=data.traits,
        created_at=now,
        updated_at=now,
    )
    session.add(account)
    session.flush()
    session.add(
        StageChange(
            account_id=account.id,
            from_stage_id=None,
            to_stage_id=stage.id,
            changed_at=now,
            changed_by=actor.label,
            reason="account created",
        )
    )
    record_audit(
        session,
        actor=actor,
        action="account.create",
        entity_type="account",
        entity_id=account.id,
        account_id=account.id,
        before=None,
        after=snapshot(account, ACCOUNT_FIELDS),
    )
    session.commit()
    return account


def update_account(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    account_id: int,
    changes: AccountUpdate,
) -> Account:
    """Change an account: profile, owner, segment (by hand or by rule) and lifecycle stage."""
    account = get_account(session=session, account_id=account_id)
    given = changes.model_dump(exclude_unset=True)
    if permissions is not None:
        if not permissions.can_edit_account(account.owner_id):
            raise PermissionDenied("you may edit only the accounts you own")
        if (
            "owner_id" in given
            and given["owner_id"] != account.owner_id
            and not permissions.can_assign_owner
        ):
            raise PermissionDenied("only admins and managers assign CSMs")
        sets_segment = given.get("segment") or given.get("segment_by_rule")
        if sets_segment and not permissions.can_set_segment:
            raise PermissionDenied("only admins and managers set segments")
    before = snapshot(account, ACCOUNT_FIELDS)
    for name in ("name", "domain", "industry", "employees", "traits"):
        if name in given:
            setattr(account, name, given[name])
    if "owner_id" in given:
        _check_owner(session, given["owner_id"])
        account.owner_id = given["owner_id"]
    if "parent_id" in given:
        _check_parent(session, account, given["parent_id"])
        account.parent_id = given["parent_id"]
    if given.get("segment"):
        segment = get_segment(session=session, key=given["segment"])
        account.segment_id, account.segment = segment.id, segment
        account.segment_locked = True
    elif given.get("segment_by_rule"):
        account.segment_locked = False
    if given.get("stage"):
        _move_stage(
            session,
            account,
            get_stage(session=session, key=given["stage"]),
            actor.label,
            given.get("stage_reason") or "",
        )
    after = snapshot(account, ACCOUNT_FIELDS)
    old, new = changed(before, after)
    if new:
        account.updated_at = clock.now()
        record_audit(
            session,
            actor=actor,
            action="account.update",
            entity_type="account",
            entity_id=account.id,
            account_id=account.id,
            before=old,
            after=new,
        )
    session.commit()
    return account


def _move_stage(
    session: Session,
    account: Account,
    stage: LifecycleStage,
    by: str,
    reason: str,
    at: datetime | None = None,
) -> None:
    if account.stage_id == stage.id:
        return
    at = at or clock.now()
    session.add(
        StageChange(
            account_id=account.id,
            from_stage_id=account.stage_id,
            to_stage_id=stage.id,
            changed_at=at,
            changed_by=by,
            reason=reason,
        )
    )
    # Set the relationship too: the id alone leaves a loaded `account.stage` stale.
    account.stage_id, account.stage = stage.id, stage
    account.stage_entered_at = at


def change_stage(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    account_id: int,
    stage: str,
    reason: str = "",
) -> Account:
    """Move an account to a lifecycle stage, recording who moved it and why."""
    return update_account(
        session=session,
        actor=actor,
        permissions=permissions,
        account_id=account_id,
        changes=AccountUpdate(stage=stage, stage_reason=reason),
    )


def apply_segment_rules(
    *,
    session: Session,
    actor: Actor,
    arr_by_account: dict[int, float],
    account_ids: list[int] | None = None,
    keep: set[int] | None = None,
    chunk_size: int = 1000,
) -> int:
    """Re-segment accounts not segmented by hand (all, or those given) from their ARR.

    Works on plain rows with bulk updates, not ORM objects: at 100 k accounts that is a few
    seconds and a few MB instead of 17 s and 740 MB. Returns how many accounts moved.
    """
    segments = list_segments(session=session)
    query = select(Account.id, Account.segment_id).where(Account.segment_locked.is_(False))
    if account_ids is not None:
        query = query.where(Account.id.in_(account_ids))
    now = clock.now()
    moves: list[dict[str, Any]] = []
    for account_id, segment_id in session.execute(query):
        if keep and account_id in keep:
            continue  # the caller cannot tell these accounts' ARR: they keep their segment
        target = segment_for_arr(segments, arr_by_account.get(account_id, 0.0))
        new_id = target.id if target else None
        if segment_id != new_id:
            moves.append({"id": account_id, "segment_id": new_id, "before": segment_id})
    for start in range(0, len(moves), chunk_size):
        chunk = moves[start : start + chunk_size]
        session.execute(
            update(Account),
            [{"id": m["id"], "segment_id": m["segment_id"], "updated_at": now} for m in chunk],
        )
        session.execute(
            insert(AuditEntry),
            [
                audit_row(
                    actor=actor,
                    action="account.resegment",
                    entity_type="account",
                    entity_id=m["id"],
                    account_id=m["id"],
                    before={"segment_id": m["before"]},
                    after={"segment_id": m["segment_id"]},
                    at=now,
                )
                for m in chunk
            ],
        )
    session.commit()
    session.expire_all()  # bulk updates bypass loaded accounts: read them afresh
    return len(moves)


# --- timeline ------------------------------------------------------------------------------


@register_timeline_source
def _stage_entries(session: Session, account_id: int, limit: int) -> list[TimelineEntry]:
    changes = session.scalars(
        select(StageChange)
        .where(StageChange.account_id == account_id)
        .order_by(StageChange.changed_at.desc())
        .limit(limit)
    )
    return [
        TimelineEntry(
            at=c.changed_at,
            kind="stage",
            title=(
                f"Stage {c.from_stage.name} → {c.to_stage.name}"
                if c.from_stage
                else f"Entered stage {c.to_stage.name}"
            ),
            actor=c.changed_by,
            details={"reason": c.reason} if c.reason else {},
        )
        for c in changes
    ]


register_audit_titles(
    {
        "account.create": "Account created",
        "account.update": "Account changed",
        "account.resegment": "Segment changed by rule",
        "contact.create": "Contact added",
        "contact.update": "Contact changed",
        "subscription.create": "Subscription added",
        "subscription.update": "Subscription changed",
    }
)


@register_timeline_source
def _audit_entries(session: Session, account_id: int, limit: int) -> list[TimelineEntry]:
    rows = session.scalars(
        select(AuditEntry)
        .where(and_(AuditEntry.account_id == account_id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    entries = []
    for row in rows:
        if row.action == "account.update" and row.after and set(row.after) <= {"stage_id"}:
            continue  # the stage change entry tells the same change, with its reason
        title = audit_title(row.action)
        if title is None:
            continue
        if row.import_id is not None:
            title += f" by import #{row.import_id}"
        entries.append(
            TimelineEntry(
                at=row.at,
                kind=row.entity_type,
                title=title,
                actor=row.actor_label,
                details={"before": row.before, "after": row.after},
            )
        )
    return entries
