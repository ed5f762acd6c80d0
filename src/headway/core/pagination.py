"""Page-numbered lists shared by every list endpoint and page."""

from __future__ import annotations

from math import ceil
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_PER_PAGE = 500


class Page(BaseModel, Generic[T]):
    """One page of a sorted, filtered list, with the total count."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def clamp_page(page: int, per_page: int) -> tuple[int, int]:
    """Keep page ≥ 1 and 1 ≤ per_page ≤ MAX_PER_PAGE."""
    return max(1, page), min(max(1, per_page), MAX_PER_PAGE)


def fetch_page(
    session: Session, query: Select[Any], *, page: int, per_page: int
) -> tuple[list[Any], int]:
    """Run a query for one page and count every matching row."""
    page, per_page = clamp_page(page, per_page)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = list(session.execute(query.limit(per_page).offset((page - 1) * per_page)))
    return rows, total


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching text anywhere, with % and _ in the text taken literally."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
