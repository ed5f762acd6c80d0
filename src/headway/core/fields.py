"""Field types shared by schemas: ids and counts that fit the database, ISO dates, currencies."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from headway.core.money import CURRENCIES

# Integer columns are 32-bit on PostgreSQL: larger ids can never exist, larger counts never fit.
MAX_DB_INT = 2**31 - 1
MAX_PAGE = 1_000_000

DbId = Annotated[int, Field(ge=1, le=MAX_DB_INT, strict=True)]
Count = Annotated[int, Field(ge=0, le=MAX_DB_INT, strict=True)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _require_iso_date(value: Any) -> Any:
    # Pydantic would read 0 or "1700000000" as a Unix time; Headway takes calendar dates only.
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("expected an ISO date YYYY-MM-DD")
    if isinstance(value, int | float):
        raise ValueError("expected an ISO date YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_require_iso_date)]


def _require_currency(value: str) -> str:
    if value not in CURRENCIES:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code (upper case, e.g. USD)")
    return value


CurrencyCode = Annotated[
    str,
    Field(json_schema_extra={"enum": sorted(CURRENCIES)}),
    AfterValidator(_require_currency),
]


def refuse_nulls(*names: str) -> Callable[[Any, Any], Any]:
    """A before-validator refusing an explicit null for fields that cannot be empty."""

    def check(cls: Any, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = [name for name in names if name in data and data[name] is None]
            if nulls:
                raise ValueError(f"{', '.join(nulls)} cannot be null: leave it out to keep it")
        return data

    return check


def normalise_email(value: str) -> str:
    """Return an email address trimmed and in lower case, or raise ValueError if it is not one."""
    lowered = value.strip().lower()
    local, at, host = lowered.partition("@")
    if not at or not local or not host or "@" in host or any(c.isspace() for c in lowered):
        raise ValueError(f"{value!r} is not an email address, e.g. jane@example.com")
    return lowered
