"""What every command needs: a session on a ready database, JSON output, rich console."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from sqlalchemy.orm import Session

from headway.config import get_settings
from headway.core.db import ensure_schema, session_scope

console = Console()
err_console = Console(stderr=True)


@contextmanager
def command_session() -> Iterator[Session]:
    """Open a session on the configured database, creating or upgrading its schema first."""
    url = get_settings().database_url
    ensure_schema(url)
    with session_scope(url) as session:
        yield session


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(data: Any) -> None:
    """Print one JSON document on stdout (for scripts: nothing else goes to stdout)."""
    print(json.dumps(data, default=_default, ensure_ascii=False, indent=2))
