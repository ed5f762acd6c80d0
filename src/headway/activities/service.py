"""Activities (outputs) logged for accounts, and coverage of each segment's required touches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, LifecycleStage, Segment
from headway.accounts.service import check_may_edit_account, get_account
from headway.activities.coverage import CoverageLine, Requirement, account_coverage
from headway.activities.models import (
    Activity,
    ActivityContact,
    ActivityGoal,
    ActivityType,
    ActivityUser,
    TouchRequirement,
)
from headway.activities.schemas import ActivityCreate, ActivityUpdate
from headway.contacts.models import Contact
from headway.core import clock
from headway.core.audit import Actor, changed, record_audit, snapshot
from headway.core.errors import InvalidInput, NotFound
from headway.core.pagination import fetch_page
from headway.core.timeline import TimelineEntry, register_audit_titles, register_timeline_source
from headway.outcomes.models import DesiredOutcome, Goal
from headway.revenue.models import Subscription
from headway.users.models import User
from headway.users.service import Permissions

ACTIVITY_FIELDS = ["type_id", "occurred_at", "minutes", "subject", "notes"]
CHURNED_STAGE = "churned"

# The activity itself is on the timeline at the time it happened; its audit rows stay in the log.
register_audit_titles(
    {"activity.create": None, "activity.update": "Activity changed", "activity.delete": None}
)


# --- the catalogue -------------------------------------------------------------------------


def list_activity_types(*, session: Session, active_only: bool = True) -> list[ActivityType]:
    """List the activity catalogue in its configured order."""
    query = select(ActivityType).order_by(ActivityType.position, ActivityType.id)
    if active_only:
        query = query.where(ActivityType.active)
    return list(session.scalars(query))


def activity_type_by_key(*, session: Session, key: str) -> ActivityType:
    """Return an activity type by key, or say which keys exist."""
    found = session.scalar(select(ActivityType).where(ActivityType.key == key))
    if found is None:
        keys = ", ".join(t.key for t in list_activity_types(session=session))
        raise InvalidInput(f"there is no activity type {key!r}; expected one of {keys}")
    return found


# --- activities ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityLinks:
    """Who took part in an activity and which goals it served."""

    user_ids: list[int]
    contact_ids: list[int]
    goal_ids: list[int]


def get_activity(*, session: Session, activity_id: int) -> Activity:
    """Return an activity by id."""
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(f"activity {activity_id} does not exist")
    return activity


def find_activity(*, session: Session, external_id: str) -> Activity | None:
    """Return the activity logged with an external id, if there is one."""
    return session.scalar(select(Activity).where(Activity.external_id == external_id))


def _check_links(
    session: Session,
    account_id: int,
    user_ids: Sequence[int],
    contact_ids: Sequence[int],
    goal_ids: Sequence[int],
) -> None:
    """Refuse people and goals that do not exist or belong to another account."""
    known_users = set(session.scalars(select(User.id).where(User.id.in_(user_ids))))
    if missing := sorted(set(user_ids) - known_users):
        raise InvalidInput(f"no such team member: {', '.join(map(str, missing))}")
    own_contacts = set(
        session.scalars(
            select(Contact.id).where(Contact.id.in_(contact_ids), Contact.account_id == account_id)
        )
    )
    if foreign := sorted(set(contact_ids) - own_contacts):
        raise InvalidInput(f"not contacts of account {account_id}: {', '.join(map(str, foreign))}")
    own_goals = set(
        session.scalars(select(Goal.id).where(Goal.id.in_(goal_ids), Goal.account_id == account_id))
    )
    if foreign := sorted(set(goal_ids) - own_goals):
        raise InvalidInput(f"not goals of account {account_id}: {', '.join(map(str, foreign))}")


def _set_links(
    session: Session,
    activity_id: int,
    user_ids: Sequence[int] | None,
    contact_ids: Sequence[int] | None,
    goal_ids: Sequence[int] | None,
) -> None:
    for model, column, ids in (
        (ActivityUser, "user_id", user_ids),
        (ActivityContact, "contact_id", contact_ids),
        (ActivityGoal, "goal_id", goal_ids),
    ):
        if ids is None:
            continue
        session.execute(delete(model).where(model.activity_id == activity_id))
        for id_ in dict.fromkeys(ids):
            session.add(model(activity_id=activity_id, **{column: id_}))


def links_of(*, session: Session, activity_ids: Sequence[int]) -> dict[int, ActivityLinks]:
    """The participants and goals of each activity."""
    found: dict[int, ActivityLinks] = {i: ActivityLinks([], [], []) for i in activity_ids}
    if not activity_ids:
        return found
    for activity_id, user_id in session.execute(
        select(ActivityUser.activity_id, ActivityUser.user_id)
        .where(ActivityUser.activity_id.in_(activity_ids))
        .order_by(ActivityUser.user_id)
    ):
        found[activity_id].user_ids.append(user_id)
    for activity_id, contact_id in session.execute(
        select(ActivityContact.activity_id, ActivityContact.contact_id)
        .where(ActivityContact.activity_id.in_(activity_ids))
        .order_by(ActivityContact.contact_id)
    ):
        found[activity_id].contact_ids.append(contact_id)
    for activity_id, goal_id in session.execute(
        select(ActivityGoal.activity_id, ActivityGoal.goal_id)
        .where(ActivityGoal.activity_id.in_(activity_ids))
        .order_by(ActivityGoal.goal_id)
    ):
        found[activity_id].goal_ids.append(goal_id)
    return found


def _participants(actor: Actor, user_ids: Sequence[int]) -> list[int]:
    """The team members of an activity: those named, else the person who logs it."""
    return list(user_ids) or ([actor.user_id] if actor.user_id else [])


def log_activity(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    data: ActivityCreate,
    commit: bool = True,
) -> Activity:
    """Log an activity for an account; with an external id, logging it again updates it."""
    check_may_edit_account(
        session=session, permissions=permissions, account_id=data.account_id, what="activities"
    )
    if data.external_id:
        existing = session.scalar(select(Activity).where(Activity.external_id == data.external_id))
        if existing is not None:
            if existing.account_id != data.account_id:
                raise InvalidInput(
                    f"activity {data.external_id!r} belongs to account {existing.account_id}"
                )
            # Sent again as a whole: the same defaults as the first time, so an identical
            # re-send changes nothing.
            resent = data.model_dump(exclude={"account_id", "external_id"}, exclude_none=True)
            resent["user_ids"] = _participants(actor, data.user_ids)
            changes = ActivityUpdate.model_validate(resent)
            return update_activity(
                session=session,
                actor=actor,
                permissions=permissions,
                activity_id=existing.id,
                changes=changes,
                commit=commit,
            )
    kind = activity_type_by_key(session=session, key=data.type)
    user_ids = _participants(actor, data.user_ids)
    _check_links(session, data.account_id, user_ids, data.contact_ids, data.goal_ids)
    now = clock.now()
    activity = Activity(
        external_id=data.external_id,
        account_id=data.account_id,
        type_id=kind.id,
        occurred_at=data.occurred_at.astimezone(UTC),
        minutes=kind.default_minutes if data.minutes is None else data.minutes,
        subject=data.subject.strip(),
        notes=data.notes.strip(),
        logged_by=actor.label,
        created_at=now,
        updated_at=now,
    )
    session.add(activity)
    session.flush()
    _set_links(session, activity.id, user_ids, data.contact_ids, data.goal_ids)
    record_audit(
        session,
        actor=actor,
        action="activity.create",
        entity_type="activity",
        entity_id=activity.id,
        account_id=activity.account_id,
        before=None,
        after=snapshot(activity, ACTIVITY_FIELDS)
        | {"user_ids": user_ids, "contact_ids": data.contact_ids, "goal_ids": data.goal_ids},
    )
    if commit:
        session.commit()
    return activity


def update_activity(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    activity_id: int,
    changes: ActivityUpdate,
    commit: bool = True,
) -> Activity:
    """Change a logged activity; only the fields given change."""
    activity = get_activity(session=session, activity_id=activity_id)
    check_may_edit_account(
        session=session, permissions=permissions, account_id=activity.account_id, what="activities"
    )
    given = changes.model_dump(exclude_unset=True)
    links_before = links_of(session=session, activity_ids=[activity.id])[activity.id]
    _check_links(
        session,
        activity.account_id,
        given.get("user_ids", []),
        given.get("contact_ids", []),
        given.get("goal_ids", []),
    )
    before = snapshot(activity, ACTIVITY_FIELDS) | {
        "user_ids": links_before.user_ids,
        "contact_ids": links_before.contact_ids,
        "goal_ids": links_before.goal_ids,
    }
    if "type" in given:
        # The relationship, not only the id, so the returned activity names its new type.
        activity.type = activity_type_by_key(session=session, key=given.pop("type"))
    for name in ("occurred_at", "minutes", "subject", "notes"):
        if name in given:
            value = given[name]
            if isinstance(value, str):
                value = value.strip()
            elif isinstance(value, datetime):
                value = value.astimezone(UTC)  # the same moment in another zone is no change
            setattr(activity, name, value)
    _set_links(
        session,
        activity.id,
        given.get("user_ids"),
        given.get("contact_ids"),
        given.get("goal_ids"),
    )
    session.flush()
    links_after = links_of(session=session, activity_ids=[activity.id])[activity.id]
    after = snapshot(activity, ACTIVITY_FIELDS) | {
        "user_ids": links_after.user_ids,
        "contact_ids": links_after.contact_ids,
        "goal_ids": links_after.goal_ids,
    }
    old, new = changed(before, after)
    if new:
        activity.updated_at = clock.now()
        record_audit(
            session,
            actor=actor,
            action="activity.update",
            entity_type="activity",
            entity_id=activity.id,
            account_id=activity.account_id,
            before=old,
            after=new,
        )
    if commit:
        session.commit()
    return activity


def delete_activity(
    *, session: Session, actor: Actor, permissions: Permissions | None, activity_id: int
) -> None:
    """Delete a logged activity (the audit log keeps what it was)."""
    activity = get_activity(session=session, activity_id=activity_id)
    check_may_edit_account(
        session=session, permissions=permissions, account_id=activity.account_id, what="activities"
    )
    record_audit(
        session,
        actor=actor,
        action="activity.delete",
        entity_type="activity",
        entity_id=activity.id,
        account_id=activity.account_id,
        before=snapshot(activity, ACTIVITY_FIELDS),
        after=None,
    )
    session.delete(activity)
    session.commit()


def list_activities(
    *,
    session: Session,
    account_id: int | None = None,
    goal_id: int | None = None,
    user_id: int | None = None,
    type_key: str | None = None,
    occurred_from: datetime | None = None,
    occurred_to: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Activity], int]:
    """List activities, newest first, with optional filters."""
    query: Select[Any] = select(Activity)
    if account_id is not None:
        query = query.where(Activity.account_id == account_id)
    if goal_id is not None:
        query = query.where(
            Activity.id.in_(select(ActivityGoal.activity_id).where(ActivityGoal.goal_id == goal_id))
        )
    if user_id is not None:
        query = query.where(
            Activity.id.in_(select(ActivityUser.activity_id).where(ActivityUser.user_id == user_id))
        )
    if type_key is not None:
        query = query.where(
            Activity.type_id.in_(select(ActivityType.id).where(ActivityType.key == type_key))
        )
    if occurred_from is not None:
        query = query.where(Activity.occurred_at >= occurred_from)
    if occurred_to is not None:
        query = query.where(Activity.occurred_at < occurred_to)
    rows, total = fetch_page(
        session,
        query.order_by(Activity.occurred_at.desc(), Activity.id.desc()),
        page=page,
        per_page=per_page,
    )
    return [r[0] for r in rows], total


@register_timeline_source
def _activity_entries(session: Session, account_id: int, limit: int) -> list[TimelineEntry]:
    rows = session.scalars(
        select(Activity)
        .where(Activity.account_id == account_id)
        .order_by(Activity.occurred_at.desc())
        .limit(limit)
    )
    return [
        TimelineEntry(
            at=a.occurred_at,
            kind="activity",
            title=f"{a.type.name}: {a.subject}" if a.subject else a.type.name,
            actor=a.logged_by,
            details={"minutes": a.minutes},
        )
        for a in rows
    ]


# --- coverage ------------------------------------------------------------------------------


def list_requirements(*, session: Session) -> dict[int, list[Requirement]]:
    """The touches each segment requires, by segment id."""
    found: dict[int, list[Requirement]] = defaultdict(list)
    for row in session.scalars(
        select(TouchRequirement).order_by(TouchRequirement.position, TouchRequirement.id)
    ):
        found[row.segment_id].append(
            Requirement(
                name=row.name,
                activity_types=frozenset(row.activity_types),
                every_days=row.every_days,
                cadence=row.cadence,
                stage_id=row.stage_id,
            )
        )
    return dict(found)


@dataclass(frozen=True)
class AccountCoverage:
    """An account and how its required touches stand."""

    account_id: int
    account_name: str
    owner_id: int | None
    segment_id: int | None
    lines: list[CoverageLine]

    @property
    def overdue_days(self) -> int:
        return max((line.overdue_days for line in self.lines), default=0)

    @property
    def gaps(self) -> list[CoverageLine]:
        return [line for line in self.lines if not line.met]


def _day_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def _coverage_rows(session: Session, accounts: list[Account], as_of: date) -> list[AccountCoverage]:
    """Coverage of a batch of accounts, in three grouped queries."""
    requirements = list_requirements(session=session)
    ids = [a.id for a in accounts]
    last: dict[int, dict[str, date]] = defaultdict(dict)
    for account_id, key, at in session.execute(
        select(Activity.account_id, ActivityType.key, func.max(Activity.occurred_at))
        .join(ActivityType, ActivityType.id == Activity.type_id)
        # A touch planned after as_of has not happened yet as of that day.
        .where(Activity.account_id.in_(ids), Activity.occurred_at < _day_after(as_of))
        .group_by(Activity.account_id, ActivityType.key)
    ):
        last[account_id][key] = at.date()
    since = dict(
        session.execute(
            select(Subscription.account_id, func.min(Subscription.start_date))
            .where(Subscription.account_id.in_(ids))
            .group_by(Subscription.account_id)
        ).all()
    )
    cadences = {
        row.account_id: (row.meeting_cadence_days, row.review_cadence_days)
        for row in session.scalars(select(DesiredOutcome).where(DesiredOutcome.account_id.in_(ids)))
    }
    rows = []
    for account in accounts:
        segment: Segment | None = account.segment
        if segment is None:
            continue
        meeting, review = cadences.get(
            account.id, (segment.meeting_cadence_days, segment.review_cadence_days)
        )
        customer_since = since.get(account.id) or account.created_at.date()
        stage_since = (
            account.stage_entered_at.date() if account.stage_entered_at else customer_since
        )
        lines = account_coverage(
            requirements.get(segment.id, []),
            stage_id=account.stage_id,
            meeting_days=meeting,
            review_days=review,
            last_touches=last.get(account.id, {}),
            customer_since=customer_since,
            stage_since=stage_since,
            as_of=as_of,
        )
        rows.append(AccountCoverage(account.id, account.name, account.owner_id, segment.id, lines))
    return rows


def coverage_of_account(*, session: Session, account_id: int, as_of: date) -> AccountCoverage:
    """How an account's required touches stand as of a day (no lines when none apply)."""
    account = get_account(session=session, account_id=account_id)
    if account.stage is not None and account.stage.key == CHURNED_STAGE:
        return AccountCoverage(account.id, account.name, account.owner_id, account.segment_id, [])
    rows = _coverage_rows(session, [account], as_of)
    return (
        rows[0]
        if rows
        else AccountCoverage(account.id, account.name, account.owner_id, account.segment_id, [])
    )


def iter_coverage(
    *,
    session: Session,
    as_of: date,
    segment_id: int | None = None,
    owner_id: int | None = None,
    batch_size: int = 2000,
) -> Iterator[AccountCoverage]:
    """Coverage of every customer account (churned ones excluded), in batches."""
    churned = select(LifecycleStage.id).where(LifecycleStage.key == CHURNED_STAGE)
    query = (
        select(Account)
        .where((Account.stage_id.is_(None)) | (Account.stage_id.not_in(churned)))
        .order_by(Account.id)
    )
    if segment_id is not None:
        query = query.where(Account.segment_id == segment_id)
    if owner_id is not None:
        query = query.where(Account.owner_id == owner_id)
    last_id = 0
    while True:
        batch = list(session.scalars(query.where(Account.id > last_id).limit(batch_size)))
        if not batch:
            return
        yield from _coverage_rows(session, batch, as_of)
        last_id = batch[-1].id
