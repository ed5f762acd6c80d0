"""Import a file of accounts, contacts or subscriptions: check it all, then write all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from headway.config import get_settings
from headway.core import clock
from headway.core.audit import Actor
from headway.core.db import refresh_statistics
from headway.core.errors import PermissionDenied
from headway.importers.accounts import AccountImport
from headway.importers.activities import ActivityImport
from headway.importers.columns import ColumnMap, ImportKind, resolve_columns
from headway.importers.contacts import ContactImport
from headway.importers.evidence import GoalEvidenceImport
from headway.importers.fx_rates import FxRateImport
from headway.importers.models import ImportRun
from headway.importers.readers import TableReader, UnreadableFile, open_table
from headway.importers.rows import KindImport, RowError
from headway.importers.spend import SpendImport
from headway.importers.subscriptions import SubscriptionImport
from headway.importers.survey_responses import SurveyResponseImport
from headway.importers.tickets import TicketImport
from headway.revenue.service import apply_segment_rules
from headway.users.service import Permissions

# Called as progress(phase, done, total, unit) as an import goes: "Checking" and "Writing" count
# the file's "bytes" (CSV) or "rows" (XLSX); "Segments" counts "steps" (the rule runs after).
Progress = Callable[[str, int, int, str], None]
PROGRESS_EVERY = 1000

_IMPORTERS: dict[ImportKind, type[KindImport]] = {
    ImportKind.ACCOUNTS: AccountImport,
    ImportKind.CONTACTS: ContactImport,
    ImportKind.SUBSCRIPTIONS: SubscriptionImport,
    ImportKind.FX_RATES: FxRateImport,
    ImportKind.SPEND: SpendImport,
    ImportKind.ACTIVITIES: ActivityImport,
    ImportKind.GOAL_EVIDENCE: GoalEvidenceImport,
    ImportKind.TICKETS: TicketImport,
    ImportKind.SURVEY_RESPONSES: SurveyResponseImport,
}


@dataclass
class ImportResult:
    """What an import did, or every reason it did nothing."""

    kind: str
    file: str
    file_type: str = ""  # csv or xlsx
    format: str = ""  # canonical, salesforce or hubspot
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    traits_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    import_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        """The result as a script reads it (the CLI's --json)."""
        if not self.ok:
            return {"status": "invalid", "errors": [e.as_dict() for e in self.errors]}
        return {
            "status": "ok",
            "kind": self.kind,
            "format": self.format,
            "file_type": self.file_type,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "traits_columns": self.traits_columns,
            "dry_run": self.dry_run,
            "import_id": self.import_id,
        }


def import_file(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    kind: ImportKind | str,
    path: Path,
    display_name: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a CSV or XLSX file: check every row before writing any, then upsert them all."""
    if permissions is not None and not permissions.can_import:
        raise PermissionDenied("only admins and managers import files")
    kind = ImportKind(kind)
    result = ImportResult(kind=kind.value, file=display_name or path.name, dry_run=dry_run)
    try:
        reader = open_table(path)
    except UnreadableFile as problem:
        result.errors.append(_unreadable(result.file, problem))
        return result
    try:
        result.file_type = reader.file_type
        columns = resolve_columns(kind, reader.header)
        if not isinstance(columns, ColumnMap):
            result.errors = [
                RowError(result.file, 1, p.column or None, p.value, p.expected) for p in columns
            ]
            return result
        result.format = columns.format.name
        result.traits_columns = [name for _, name in columns.traits]
        if kind is ImportKind.SUBSCRIPTIONS and columns.traits:
            result.errors = [_unknown_column(result.file, name) for _, name in columns.traits]
            return result
        importer = _IMPORTERS[kind](
            session=session, columns=columns, file=result.file, now=clock.now()
        )
        _check(importer, reader, progress)
        result.rows, result.duplicates = importer.rows, importer.duplicates
        if importer.errors:
            # Checks after the last row add to earlier rows: list them as the file reads.
            result.errors = sorted(importer.errors, key=lambda e: e.row or 0)
            return result
        _write(session, importer, reader, actor, result, progress)
    except BaseException:
        session.rollback()
        raise
    finally:
        reader.close()
    if result.ok and not dry_run and kind in (ImportKind.ACCOUNTS, ImportKind.SUBSCRIPTIONS):
        if progress is not None:
            progress("Segments", 0, 1, "steps")
        _apply_segment_rules(session, result.import_id or 0)
        if progress is not None:
            progress("Segments", 1, 1, "steps")
    if result.ok and not dry_run:
        refresh_statistics(session)
    return result


def _apply_segment_rules(session: Session, import_id: int) -> None:
    # Segments follow ARR: new accounts and changed subscriptions may move accounts.
    session.expire_all()
    apply_segment_rules(
        session=session,
        actor=Actor.system("rule: segments").for_import(import_id),
        currency=get_settings().reporting_currency,
    )


def _check(importer: KindImport, reader: TableReader, progress: Progress | None) -> None:
    try:
        for row, cells in _reporting(reader.rows(), reader, "Checking", progress):
            importer.check(row, cells)
    except UnreadableFile as problem:
        importer.errors.append(_unreadable(importer.file, problem))
        return
    importer.finish_checks()


def _write(
    session: Session,
    importer: KindImport,
    reader: TableReader,
    actor: Actor,
    result: ImportResult,
    progress: Progress | None,
) -> None:
    run = ImportRun(
        kind=result.kind,
        filename=result.file[:500],
        format=result.format,
        actor_label=actor.label,
        started_at=importer.now,
        rows=importer.rows,
    )
    session.add(run)
    session.flush()
    rows = _reporting(reader.rows(), reader, "Writing", progress)
    try:
        importer.write(importer.reparse(rows), actor=actor.for_import(run.id))
    except IntegrityError as error:
        # The checks should leave nothing for the database to refuse; if it does, say so plainly.
        session.rollback()
        detail = str(error.orig).splitlines()[0] if error.orig else str(error)
        result.errors = [
            RowError(result.file, None, None, "", f"rows the database accepts ({detail})")
        ]
        return
    counts = importer.counts
    if importer.errors:
        session.rollback()
        result.errors = importer.errors
        return
    run.created, run.updated, run.unchanged = counts.created, counts.updated, counts.unchanged
    run.finished_at = clock.now()
    result.created, result.updated, result.unchanged = run.created, run.updated, run.unchanged
    if result.dry_run:
        session.rollback()
        return
    session.commit()
    result.import_id = run.id


def _reporting(
    rows: Iterable[tuple[int, list[str]]],
    reader: TableReader,
    phase: str,
    progress: Progress | None,
) -> Iterator[tuple[int, list[str]]]:
    if progress is not None:
        progress(phase, 0, reader.total, reader.unit)
    for count, item in enumerate(rows, start=1):
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(phase, reader.done, reader.total, reader.unit)
        yield item
    if progress is not None:
        progress(phase, reader.total, reader.total, reader.unit)


def _unreadable(file: str, problem: UnreadableFile) -> RowError:
    return RowError(file, problem.row, None, problem.value, str(problem))


def _unknown_column(file: str, name: str) -> RowError:
    return RowError(
        file,
        1,
        name,
        name,
        "only the subscription columns account_id, subscription_id, plan, amount, currency, "
        "interval, start_date, end_date and quantity (remove or rename this column)",
    )


def list_import_runs(*, session: Session, limit: int = 20) -> list[ImportRun]:
    """List the most recent imports, newest first."""
    return list(
        session.scalars(
            select(ImportRun)
            .order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
            .limit(limit)
        )
    )
