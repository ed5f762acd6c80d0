"""Helpers the import tests share: write a small file, import it, read the errors."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from headway.core.audit import Actor
from headway.importers.service import ImportResult, import_file
from headway.users.models import User
from headway.users.service import actor_for_user, permissions_of

COMMAND_LINE = Actor.system("command line")


def write_file(folder: Path, name: str, text: str, *, encoding: str = "utf-8") -> Path:
    """Write a test file byte for byte (newlines as given, so CRLF stays CRLF)."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def run_import(
    session: Session,
    kind: str,
    path: Path,
    *,
    by: User | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a file as a person, or as the command line when nobody is named."""
    return import_file(
        session=session,
        actor=actor_for_user(by) if by else COMMAND_LINE,
        permissions=permissions_of(by) if by else None,
        kind=kind,
        path=path,
        dry_run=dry_run,
    )


def where(result: ImportResult) -> list[tuple[int | None, str | None, str]]:
    """Each error as (row, column, value): what a person looks for in the file."""
    return [(e.row, e.column, e.value) for e in result.errors]


def counts(result: ImportResult) -> tuple[int, int, int, int]:
    """(created, updated, unchanged, duplicates) of a successful import."""
    assert result.ok, [str(e) for e in result.errors]
    return result.created, result.updated, result.unchanged, result.duplicates
