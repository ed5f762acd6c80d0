"""Importing a scorecards file: what it changes and how today's scores would move.

The file is checked whole first; any error and nothing is saved. Then each scorecard is
unchanged, gets a new version, or is new. The preview scores today's accounts twice: as the
scorecards stand, and with the file applied inside the transaction (which a dry run then rolls
back), so new scorecards and segments that change hands count exactly as they will.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.service import list_segments
from headway.core import clock
from headway.core.audit import Actor
from headway.core.errors import InvalidInput
from headway.health.builtin_sources import id_chunks
from headway.health.customers import customers_as_of
from headway.health.models import Scorecard
from headway.health.scorecard_yaml import ScorecardEntry, parse_scorecards
from headway.health.scorecards import (
    DEFAULT_KEY,
    accounts_of_scorecard,
    check_may_edit_scorecards,
    check_sources,
    create_scorecard,
    get_version,
    is_unchanged,
    list_scorecards,
    rename_scorecard,
    save_version,
    segment_key_of,
)
from headway.health.scores import AccountScore, compute_scores
from headway.users.service import Permissions

MOVERS = 10
UNCHANGED, NEW_VERSION, NEW_SCORECARD = "unchanged", "new_version", "new_scorecard"
NO_BAND = "none"


@dataclass(frozen=True)
class AccountChange:
    """An account's score today as the scorecards stand, and as the file would make it."""

    account_id: int
    name: str
    score_before: float | None
    band_before: str | None
    score_after: float | None
    band_after: str | None

    @property
    def change(self) -> float | None:
        if self.score_before is None or self.score_after is None:
            return None
        return self.score_after - self.score_before


@dataclass(frozen=True)
class ScorecardChange:
    """What importing one scorecard of the file does, and to which accounts' scores."""

    key: str
    name: str
    segment: str | None
    action: str  # unchanged, new_version, new_scorecard
    version_before: int | None
    version_after: int
    changed_fields: list[str]  # name, segment: kept outside the versions
    accounts: int = 0
    band_changes: dict[str, int] = field(default_factory=dict)  # "green → yellow": 2
    movers: list[AccountChange] = field(default_factory=list)

    @property
    def changed_bands(self) -> int:
        return sum(self.band_changes.values())


@dataclass(frozen=True)
class ImportPreview:
    """The outcome of importing a scorecards file: errors, or what changes (and if saved)."""

    as_of: date
    dry_run: bool
    saved: bool
    errors: list[str]
    scorecards: list[ScorecardChange]

    @property
    def ok(self) -> bool:
        return not self.errors


def _action(
    session: Session, entry: ScorecardEntry, stored: Scorecard | None
) -> tuple[str, list[str]]:
    if stored is None:
        return NEW_SCORECARD, []
    fields = []
    if stored.name != entry.name:
        fields.append("name")
    if segment_key_of(session=session, scorecard=stored) != entry.segment:
        fields.append("segment")
    current = get_version(session=session, scorecard=stored, version=stored.current_version)
    return (UNCHANGED if is_unchanged(current, entry.definition) else NEW_VERSION), fields


def _band(value: Any) -> str | None:
    return None if value is None else str(value)


def _scores(session: Session, as_of: date, account_ids: list[int]) -> dict[int, AccountScore]:
    if not account_ids:
        return {}
    return compute_scores(session=session, as_of=as_of, account_ids=account_ids)


def _names(session: Session, account_ids: list[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for chunk in id_chunks(account_ids):
        query = select(Account.id, Account.name).where(Account.id.in_(chunk))
        names.update({account_id: name for account_id, name in session.execute(query)})
    return names


def _effect(
    change: ScorecardChange,
    covered: list[int],
    before: dict[int, Any],
    after: dict[int, Any],
    names: dict[int, str],
) -> ScorecardChange:
    changes = []
    for account_id in covered:
        old, new = before.get(account_id), after.get(account_id)
        changes.append(
            AccountChange(
                account_id=account_id,
                name=names.get(account_id, ""),
                score_before=getattr(old, "score", None),
                band_before=_band(getattr(old, "band", None)),
                score_after=getattr(new, "score", None),
                band_after=_band(getattr(new, "band", None)),
            )
        )
    bands = Counter(
        f"{c.band_before or NO_BAND} → {c.band_after or NO_BAND}"
        for c in changes
        if c.band_before != c.band_after
    )
    moved = sorted(
        (c for c in changes if c.change), key=lambda c: (-abs(c.change or 0.0), c.account_id)
    )
    return ScorecardChange(
        key=change.key,
        name=change.name,
        segment=change.segment,
        action=change.action,
        version_before=change.version_before,
        version_after=change.version_after,
        changed_fields=change.changed_fields,
        accounts=len(covered),
        band_changes=dict(sorted(bands.items())),
        movers=moved[:MOVERS],
    )


def check_entries(*, session: Session, entries: list[ScorecardEntry]) -> list[str]:
    """Check what a file's scorecards say against the database: segments, sources, defaults."""
    errors: list[str] = []
    segments = {s.key: s for s in list_segments(session=session)}
    existing = {s.key: s for s in list_scorecards(session=session)}
    holder = {s.segment_id: s.key for s in existing.values() if s.segment_id is not None}
    claimed: dict[str, str] = {}
    for entry in entries:
        where = f"scorecard {entry.key!r}: scorecards[{entry.index}]"
        stored = existing.get(entry.key)
        is_default = entry.key == DEFAULT_KEY if stored is None else stored.is_default
        current = (
            get_version(session=session, scorecard=stored, version=stored.current_version)
            if stored is not None
            else None
        )
        if current is None or not is_unchanged(current, entry.definition):
            try:
                check_sources(entry.definition, where=f"{where}.")
            except InvalidInput as error:
                errors.append(str(error))
        if is_default:
            if entry.segment is not None:
                errors.append(
                    f"{where}.segment: the default scorecard scores the segments without a "
                    f"scorecard of their own; expected null, got {entry.segment!r}"
                )
            continue
        if entry.segment is None:
            errors.append(f"{where}.segment: expected the key of the segment it scores")
            continue
        segment = segments.get(entry.segment)
        if segment is None:
            known = ", ".join(segments)
            errors.append(
                f"{where}.segment: unknown segment {entry.segment!r}; known segments: {known}"
            )
            continue
        if entry.segment in claimed:
            errors.append(
                f"{where}.segment: segment {entry.segment!r} is given to "
                f"{claimed[entry.segment]!r} too; a segment has one scorecard"
            )
            continue
        claimed[entry.segment] = entry.key
        other = holder.get(segment.id)
        moving = {e.key for e in entries if e.segment != entry.segment}
        if other is not None and other != entry.key and other not in moving:
            errors.append(
                f"{where}.segment: segment {entry.segment!r} has a scorecard already: {other!r}"
            )
    return errors


def parse_and_check(*, session: Session, text: str) -> tuple[list[ScorecardEntry], list[str]]:
    """Read a scorecards file and check it against the database."""
    entries, errors = parse_scorecards(text)
    if not errors:
        errors = check_entries(session=session, entries=entries)
    return entries, errors


def apply_entries(
    *, session: Session, actor: Actor, entries: list[ScorecardEntry], note: str
) -> None:
    """Save a checked file's scorecards in the session's transaction (the caller commits)."""
    existing = {s.key: s for s in list_scorecards(session=session)}
    segments = {s.key: s for s in list_segments(session=session)}
    segment_ids = {key: s.segment_id for key, s in existing.items()}
    # Segments first let go, then taken, so two scorecards may swap segments in one file.
    for entry in entries:
        stored = existing.get(entry.key)
        if stored is not None and segment_key_of(session=session, scorecard=stored) != (
            entry.segment
        ):
            stored.segment_id = None
    session.flush()
    for entry in entries:
        segment = segments.get(entry.segment) if entry.segment else None
        stored = existing.get(entry.key)
        if stored is None:
            if segment is None:
                raise InvalidInput(f"scorecard {entry.key!r} needs a segment")
            create_scorecard(
                session=session,
                actor=actor,
                permissions=None,
                key=entry.key,
                name=entry.name,
                segment_key=segment.key,
                definition=entry.definition,
                note=note,
                commit=False,
            )
            continue
        rename_scorecard(session, actor, stored, entry.name, segment, segment_ids[entry.key])
        save_version(
            session=session,
            actor=actor,
            permissions=None,
            scorecard_key=entry.key,
            definition=entry.definition,
            note=note,
            commit=False,
        )
    session.flush()


def import_scorecards(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    text: str,
    dry_run: bool,
    note: str = "",
) -> ImportPreview:
    """Check a scorecards file, show what it changes; without dry run save it all or nothing."""
    if not dry_run:
        check_may_edit_scorecards(permissions)
    today = clock.today()
    entries, errors = parse_and_check(session=session, text=text)
    if errors:
        return ImportPreview(today, dry_run, False, errors, [])
    stored = {s.key: s for s in list_scorecards(session=session)}
    planned = []
    for entry in entries:
        action, fields = _action(session, entry, stored.get(entry.key))
        before = stored[entry.key].current_version if entry.key in stored else None
        after = (before or 0) + 1 if action != UNCHANGED else (before or 1)
        planned.append(
            ScorecardChange(entry.key, entry.name, entry.segment, action, before, after, fields)
        )
    if all(p.action == UNCHANGED and not p.changed_fields for p in planned):
        return ImportPreview(today, dry_run, False, [], planned)

    # Accounts whose scorecard may change: all of them when a segment changes hands.
    moves = any(p.action == NEW_SCORECARD or "segment" in p.changed_fields for p in planned)
    all_ids = list(session.scalars(select(Account.id).order_by(Account.id)))
    touched = {p.key for p in planned if p.action != UNCHANGED or p.changed_fields}
    if moves:
        maybe = all_ids
    else:
        maybe = sorted(
            {
                account_id
                for key in touched
                for account_id in accounts_of_scorecard(session=session, scorecard=stored[key])
            }
        )
    names = _names(session, maybe)
    customers = {c.id for c in customers_as_of(session=session, as_of=today)}
    before_scores = _scores(session, today, maybe)
    try:
        apply_entries(session=session, actor=actor, entries=entries, note=note)
        now_stored = {s.key: s for s in list_scorecards(session=session)}
        covered = {
            p.key: [
                account_id
                for account_id in accounts_of_scorecard(
                    session=session, scorecard=now_stored[p.key]
                )
                if account_id in customers
            ]
            if p.key in touched
            else []
            for p in planned
        }
        after_scores = _scores(session, today, sorted({a for ids in covered.values() for a in ids}))
        result = [
            _effect(
                replace(p, version_after=now_stored[p.key].current_version),
                covered[p.key],
                before_scores,
                after_scores,
                names,
            )
            for p in planned
        ]
    except BaseException:
        session.rollback()
        raise
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return ImportPreview(today, dry_run, not dry_run, [], result)
