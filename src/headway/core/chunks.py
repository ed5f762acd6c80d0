"""Long id lists in slices, so one query never binds more parameters than a database takes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """The items in order, in lists of at most `size`."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
