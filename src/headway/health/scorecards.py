"""Health scorecards as data: which scorecard scores an account, their versions, YAML files.

A scorecard belongs to a segment, or is the default for segments without their own. Every
change of its definition is a new version, so each day's score says which definition gave it.
Admins and managers edit scorecards; everyone who logs in reads them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, Segment
from headway.accounts.service import get_segment
from headway.core import clock
from headway.core.audit import Actor, record_audit
from headway.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from headway.health.definition import ScorecardDefinition
from headway.health.models import Scorecard, ScorecardVersion
from headway.health.scorecard_yaml import (
    KEY_PATTERN,
    definition_data,
    dump_scorecards,
    normalised,
)
from headway.health.sources import get_measure_source
from headway.users.models import Role
from headway.users.service import Permissions

if TYPE_CHECKING:
    from headway.health.scorecard_import import ImportPreview

DEFAULT_KEY = "default"


class CurrentScorecard(NamedTuple):
    """A scorecard with its current version number and that version's definition."""

    scorecard: Scorecard
    version: int
    definition: ScorecardDefinition


# --- reading -------------------------------------------------------------------------------


def list_scorecards(*, session: Session) -> list[Scorecard]:
    """List the scorecards: the default first, then by key."""
    query = select(Scorecard).order_by(Scorecard.is_default.desc(), Scorecard.key)
    return list(session.scalars(query))


def get_scorecard(*, session: Session, key: str) -> Scorecard:
    """Return a scorecard by key; an unknown key is refused with the known ones listed."""
    scorecard = session.scalar(select(Scorecard).where(Scorecard.key == key))
    if scorecard is None:
        known = ", ".join(s.key for s in list_scorecards(session=session))
        raise NotFound(f"there is no scorecard {key!r}; known scorecards: {known}")
    return scorecard


def default_scorecard(*, session: Session) -> Scorecard:
    """Return the scorecard of accounts whose segment has none of its own."""
    scorecard = session.scalar(select(Scorecard).where(Scorecard.is_default.is_(True)))
    if scorecard is None:
        raise NotFound("there is no default scorecard")
    return scorecard


def scorecard_for_account(*, session: Session, account: Account) -> Scorecard:
    """Return the scorecard of an account's segment, else the default one."""
    if account.segment_id is not None:
        own = session.scalar(select(Scorecard).where(Scorecard.segment_id == account.segment_id))
        if own is not None:
            return own
    return default_scorecard(session=session)


def get_version(*, session: Session, scorecard: Scorecard, version: int) -> ScorecardVersion:
    """Return one saved version of a scorecard."""
    row = session.scalar(
        select(ScorecardVersion).where(
            ScorecardVersion.scorecard_id == scorecard.id, ScorecardVersion.version == version
        )
    )
    if row is None:
        raise NotFound(f"scorecard {scorecard.key!r} has no version {version}")
    return row


def list_versions(*, session: Session, scorecard: Scorecard) -> list[ScorecardVersion]:
    """List a scorecard's versions, oldest first."""
    query = (
        select(ScorecardVersion)
        .where(ScorecardVersion.scorecard_id == scorecard.id)
        .order_by(ScorecardVersion.version)
    )
    return list(session.scalars(query))


def definition_of(version: ScorecardVersion) -> ScorecardDefinition:
    """Read a stored version's definition."""
    return ScorecardDefinition.model_validate(version.definition)


def current_definition(*, session: Session, scorecard: Scorecard) -> ScorecardDefinition:
    """Return the definition of a scorecard's current version."""
    version = get_version(session=session, scorecard=scorecard, version=scorecard.current_version)
    return definition_of(version)


def scorecards_by_segment(*, session: Session) -> dict[int | None, CurrentScorecard]:
    """Every scorecard in use by segment id (None: the default), with its current definition."""
    rows = session.execute(
        select(Scorecard, ScorecardVersion).join(
            ScorecardVersion,
            (ScorecardVersion.scorecard_id == Scorecard.id)
            & (ScorecardVersion.version == Scorecard.current_version),
        )
    )
    result: dict[int | None, CurrentScorecard] = {}
    for scorecard, version in rows:
        if scorecard.is_default or scorecard.segment_id is not None:
            key = None if scorecard.is_default else scorecard.segment_id
            result[key] = CurrentScorecard(scorecard, version.version, definition_of(version))
    return result


def accounts_of_scorecard(
    *, session: Session, scorecard: Scorecard, account_ids: Collection[int] | None = None
) -> list[int]:
    """The ids of the accounts a scorecard scores (of `account_ids`, when given)."""
    query = select(Account.id).order_by(Account.id)
    if scorecard.is_default:
        owned = select(Scorecard.segment_id).where(Scorecard.segment_id.is_not(None))
        query = query.where(Account.segment_id.is_(None) | Account.segment_id.not_in(owned))
    else:
        query = query.where(Account.segment_id == scorecard.segment_id)
    if account_ids is not None:
        query = query.where(Account.id.in_(list(account_ids)))
    return list(session.scalars(query))


def segment_key_of(*, session: Session, scorecard: Scorecard) -> str | None:
    """The key of a scorecard's segment (None for the default)."""
    if scorecard.segment_id is None:
        return None
    segment = session.get(Segment, scorecard.segment_id)
    return segment.key if segment else None


@dataclass(frozen=True)
class ScorecardSummary:
    """A scorecard with its segment's key, how many accounts it scores, and its definition."""

    scorecard: Scorecard
    segment: str | None
    accounts: int
    definition: ScorecardDefinition


def summarise_scorecards(
    *, session: Session, keys: Sequence[str] | None = None
) -> list[ScorecardSummary]:
    """Summarise the scorecards (all, or those with these keys, in that order)."""
    cards = (
        [get_scorecard(session=session, key=key) for key in keys]
        if keys is not None
        else list_scorecards(session=session)
    )
    counted = session.execute(select(Account.segment_id, func.count()).group_by(Account.segment_id))
    per_segment: dict[int | None, int] = {segment_id: n for segment_id, n in counted}
    segments = {id_: key for id_, key in session.execute(select(Segment.id, Segment.key))}
    owned = {card.segment_id for card in list_scorecards(session=session)}
    summaries = []
    for card in cards:
        if card.is_default:
            accounts = sum(n for segment_id, n in per_segment.items() if segment_id not in owned)
        else:
            accounts = per_segment.get(card.segment_id, 0)
        summaries.append(
            ScorecardSummary(
                scorecard=card,
                segment=segments.get(card.segment_id) if card.segment_id else None,
                accounts=accounts,
                definition=current_definition(session=session, scorecard=card),
            )
        )
    return summaries


# --- writing -------------------------------------------------------------------------------


def check_may_edit_scorecards(permissions: Permissions | None) -> None:
    """Refuse anyone but admins and managers (None: Headway itself, or the command line)."""
    if permissions is not None and permissions.role not in (Role.ADMIN, Role.MANAGER):
        raise PermissionDenied("only admins and managers edit health scorecards")


def check_sources(definition: ScorecardDefinition, where: str = "") -> None:
    """Refuse a measure whose source is not registered, naming the known ones."""
    for g, group in enumerate(definition.groups):
        for m, measure in enumerate(group.measures):
            try:
                get_measure_source(measure.source)
            except InvalidInput as error:
                path = f"{where}groups[{g}].measures[{m}].source"
                raise InvalidInput(f"{path}: {error}") from None


def create_scorecard(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    key: str,
    name: str,
    segment_key: str,
    definition: ScorecardDefinition,
    note: str = "",
    commit: bool = True,
) -> Scorecard:
    """Create a segment's own scorecard with its first version."""
    check_may_edit_scorecards(permissions)
    if not KEY_PATTERN.match(key):
        raise InvalidInput(
            f"scorecard key {key!r}: expected lower-case letters, digits, - and _ (at most 64)"
        )
    if session.scalar(select(Scorecard.id).where(Scorecard.key == key)) is not None:
        raise Conflict(f"a scorecard with the key {key!r} exists already")
    segment = get_segment(session=session, key=segment_key)
    held = session.scalar(select(Scorecard).where(Scorecard.segment_id == segment.id))
    if held is not None:
        raise Conflict(f"segment {segment_key!r} has a scorecard already: {held.key!r}")
    check_sources(definition)
    now = clock.now()
    scorecard = Scorecard(
        key=key,
        name=name.strip(),
        segment_id=segment.id,
        is_default=False,
        current_version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(scorecard)
    session.flush()
    _add_version(session, actor, scorecard, 1, definition, note)
    record_audit(
        session,
        actor=actor,
        action="scorecard.create",
        entity_type="scorecard",
        entity_id=scorecard.id,
        account_id=None,
        before=None,
        after={"key": key, "name": scorecard.name, "segment": segment_key, "version": 1},
    )
    if commit:
        session.commit()
    return scorecard


def _add_version(
    session: Session,
    actor: Actor,
    scorecard: Scorecard,
    number: int,
    definition: ScorecardDefinition,
    note: str,
) -> ScorecardVersion:
    version = ScorecardVersion(
        scorecard_id=scorecard.id,
        version=number,
        definition=definition_data(definition),
        note=note.strip(),
        created_at=clock.now(),
        created_by=actor.label,
    )
    session.add(version)
    session.flush()
    return version


def is_unchanged(version: ScorecardVersion, definition: ScorecardDefinition) -> bool:
    """Whether a definition says exactly what a stored version says."""
    return normalised(version.definition) == definition_data(definition)


def save_version(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    scorecard_key: str,
    definition: ScorecardDefinition,
    note: str = "",
    commit: bool = True,
) -> ScorecardVersion:
    """Save a scorecard's definition as its new current version; unchanged, keep the current."""
    check_may_edit_scorecards(permissions)
    scorecard = get_scorecard(session=session, key=scorecard_key)
    current = get_version(session=session, scorecard=scorecard, version=scorecard.current_version)
    if is_unchanged(current, definition):
        return current
    check_sources(definition)
    # Two saves at once: the second waits here for the first, then numbers after it.
    session.refresh(scorecard, with_for_update=True)
    latest = max(v.version for v in list_versions(session=session, scorecard=scorecard))
    version = _add_version(session, actor, scorecard, latest + 1, definition, note)
    before = scorecard.current_version
    scorecard.current_version = version.version
    scorecard.updated_at = clock.now()
    record_audit(
        session,
        actor=actor,
        action="scorecard.version",
        entity_type="scorecard",
        entity_id=scorecard.id,
        account_id=None,
        before={"version": before},
        after={"version": version.version, "note": version.note},
    )
    if commit:
        session.commit()
    return version


def rename_scorecard(
    session: Session,
    actor: Actor,
    scorecard: Scorecard,
    name: str,
    segment: Segment | None,
    segment_id_before: int | None,
) -> None:
    """Change a scorecard's name or segment (not versioned: they say where, not how)."""
    segment_id = segment.id if segment else None
    before = {"name": scorecard.name, "segment_id": segment_id_before}
    after = {"name": name, "segment_id": segment_id}
    if before == after:
        return
    scorecard.name = name
    scorecard.segment_id = segment_id
    scorecard.updated_at = clock.now()
    record_audit(
        session,
        actor=actor,
        action="scorecard.update",
        entity_type="scorecard",
        entity_id=scorecard.id,
        account_id=None,
        before=before,
        after=after,
    )


# --- YAML ----------------------------------------------------------------------------------


def export_yaml(*, session: Session, keys: Sequence[str] | None = None) -> str:
    """Write scorecards (all, or those with these keys) as a YAML file."""
    scorecards = (
        [get_scorecard(session=session, key=key) for key in keys]
        if keys
        else list_scorecards(session=session)
    )
    return dump_scorecards(
        [
            (
                scorecard.key,
                scorecard.name,
                segment_key_of(session=session, scorecard=scorecard),
                get_version(
                    session=session, scorecard=scorecard, version=scorecard.current_version
                ).definition,
            )
            for scorecard in scorecards
        ]
    )


def import_yaml(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    text: str,
    dry_run: bool,
    note: str = "",
) -> ImportPreview:
    """Check a scorecards file and show what it would change; without dry run, save it all."""
    # The preview scores accounts, which needs the scoring service: imported here, as that
    # service reads scorecards from this module.
    from headway.health.scorecard_import import import_scorecards

    return import_scorecards(
        session=session,
        actor=actor,
        permissions=permissions,
        text=text,
        dry_run=dry_run,
        note=note,
    )
