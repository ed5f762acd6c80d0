"""Import a file of usage events: every event or none, each stored once whatever sent it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from headway.core.db import refresh_statistics
from headway.usage.event_rows import EventFileRefused, EventRowError
from headway.usage.files import open_event_file
from headway.usage.messages import Message
from headway.usage.service import attach_identified_contacts, store_messages

# Called as progress(phase, done, total, unit): "Importing" counts the file's "bytes" (JSONL,
# CSV) or "rows" (Parquet), as the other imports report theirs.
Progress = Callable[[str, int, int, str], None]
PROGRESS_PHASE = "Importing"
CHUNK_ROWS = 1000
# After the first bad row nothing more is stored, but reading goes on to list more problems
# at once; past this many the list would not help.
MAX_ERRORS = 50


@dataclass(frozen=True)
class ImportedEvents:
    """What an import stored: rows read (messages), new events, and events stored before."""

    rows: int
    stored: int
    duplicates: int
    file: str = ""
    file_type: str = ""  # jsonl, csv or parquet
    shape: str = ""  # segment or flat
    contacts: int = 0  # identified users who became contacts of their account

    def summary(self) -> dict[str, Any]:
        """The result as a script reads it (the command line's --json)."""
        return {
            "status": "ok",
            "kind": "events",
            "file_type": self.file_type,
            "shape": self.shape,
            "rows": self.rows,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "contacts": self.contacts,
        }


def import_events(
    *,
    session: Session,
    path: Path,
    received_at: datetime,
    progress: Progress | None = None,
    display_name: str | None = None,
) -> ImportedEvents:
    """Store the events of a JSONL, CSV or Parquet file in one transaction; commit once.

    Raises EventFileRefused, with the file, row and column of each problem, and stores nothing
    when any row is bad. Events stored before (same messageId, or the same content when the
    file gives none) are counted as duplicates, so importing a file again stores nothing.
    """
    events = open_event_file(path, display_name=display_name)
    chunk: list[Message] = []
    errors: list[EventRowError] = []
    rows = stored = duplicates = 0

    def write() -> None:
        nonlocal stored, duplicates
        if not chunk:
            return
        result = store_messages(session=session, messages=chunk, received_at=received_at)
        stored += result.stored
        duplicates += result.duplicates
        chunk.clear()
        # Identities and groups are written past the ORM: read them afresh for the next chunk.
        session.expire_all()

    def report() -> None:
        if progress is not None:
            progress(PROGRESS_PHASE, events.done, events.total, events.unit)

    try:
        if progress is not None:
            progress(PROGRESS_PHASE, 0, events.total, events.unit)
        for item in events.read(received_at=received_at):
            if isinstance(item, EventRowError):
                errors.append(item)
                if len(errors) >= MAX_ERRORS:
                    break
                continue
            rows += 1
            if errors:
                continue
            chunk.append(item)
            if len(chunk) >= CHUNK_ROWS:
                write()
                report()
        if errors:
            raise EventFileRefused(errors)
        write()
        contacts = attach_identified_contacts(session=session, now=received_at)
        session.commit()
        if progress is not None:
            progress(PROGRESS_PHASE, events.total, events.total, events.unit)
    except BaseException:
        session.rollback()
        raise
    finally:
        events.close()
    if stored:
        refresh_statistics(session)
    return ImportedEvents(
        rows=rows,
        stored=stored,
        duplicates=duplicates,
        file=events.file,
        file_type=events.file_type,
        shape=events.shape,
        contacts=contacts,
    )
