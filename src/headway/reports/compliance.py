"""Appropriate Experience compliance of a portfolio: plain functions over plain data.

An account is in scope when at least one required touch applies to it (its segment and stage
ask for one). It is **covered** when every such touch is met, else it has a **gap**.
Compliance rate = covered ÷ in scope (None when none is in scope); overdue days add up the
days each unmet touch is overdue.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from headway.reports.attainment import ratio

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class AccountTouches:
    """How the required touches of one account stand: days overdue of each (0 = met)."""

    account_id: int
    segment: str | None
    owner_id: int | None
    overdue_days: tuple[int, ...]

    @property
    def in_scope(self) -> bool:
        return bool(self.overdue_days)

    @property
    def has_gap(self) -> bool:
        return any(days > 0 for days in self.overdue_days)


@dataclass(frozen=True)
class Compliance:
    """Accounts covered and with a gap, and the days overdue."""

    accounts_covered: int = 0
    accounts_with_gap: int = 0
    overdue_days: int = 0

    @property
    def accounts(self) -> int:
        return self.accounts_covered + self.accounts_with_gap

    @property
    def compliance_rate(self) -> float | None:
        return ratio(self.accounts_covered, self.accounts)

    def __add__(self, other: Compliance) -> Compliance:
        return Compliance(
            self.accounts_covered + other.accounts_covered,
            self.accounts_with_gap + other.accounts_with_gap,
            self.overdue_days + other.overdue_days,
        )


def compliance_of(account: AccountTouches) -> Compliance:
    """How one account counts; an account no touch applies to counts nowhere."""
    if not account.in_scope:
        return Compliance()
    gap = account.has_gap
    return Compliance(
        accounts_covered=int(not gap),
        accounts_with_gap=int(gap),
        overdue_days=sum(account.overdue_days),
    )


def compliance(accounts: Iterable[AccountTouches]) -> Compliance:
    """Compliance over all accounts."""
    total = Compliance()
    for account in accounts:
        total += compliance_of(account)
    return total


def compliance_by(
    accounts: Iterable[AccountTouches], key: Callable[[AccountTouches], K]
) -> dict[K, Compliance]:
    """Compliance per group; only groups with an account in scope appear."""
    groups: dict[K, Compliance] = {}
    for account in accounts:
        if account.in_scope:
            groups[key(account)] = groups.get(key(account), Compliance()) + compliance_of(account)
    return groups


@dataclass(frozen=True)
class Gap:
    """One required touch an account is overdue on."""

    account_id: int
    account_name: str
    segment: str | None
    owner_id: int | None
    requirement: str
    every_days: int
    last_touch: date | None
    due_on: date
    overdue_days: int


def most_overdue_first(gaps: Iterable[Gap]) -> list[Gap]:
    """Gaps by days overdue, the most first; then by account name and requirement."""
    return sorted(
        gaps, key=lambda g: (-g.overdue_days, g.account_name.lower(), g.account_id, g.requirement)
    )
