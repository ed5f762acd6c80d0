"""Appropriate Experience compliance arithmetic: tables of hand-computed cases."""

from __future__ import annotations

from datetime import date

import pytest

from headway.reports.compliance import (
    AccountTouches,
    Compliance,
    Gap,
    compliance,
    compliance_by,
    most_overdue_first,
)


def account(
    account_id: int, *overdue: int, segment: str | None = "high-touch", owner: int | None = 10
) -> AccountTouches:
    return AccountTouches(account_id, segment, owner, tuple(overdue))


@pytest.mark.parametrize(
    ("accounts", "covered", "with_gap", "rate", "overdue"),
    [
        ([], 0, 0, None, 0),
        ([account(1)], 0, 0, None, 0),  # no touch applies: out of scope
        ([account(1, 0, 0)], 1, 0, 1.0, 0),  # every touch met
        ([account(1, 0, 91)], 0, 1, 0.0, 91),  # one of two overdue is a gap
        ([account(1, 30, 12)], 0, 1, 0.0, 42),  # overdue days add up per touch
        (
            [account(1, 0, 0), account(2, 0, 91), account(3, 46), account(4, 16), account(5)],
            1,
            3,
            0.25,
            153,
        ),
    ],
)
def test_compliance_of_accounts(accounts, covered, with_gap, rate, overdue):
    total = compliance(accounts)
    assert (
        total.accounts_covered,
        total.accounts_with_gap,
        total.compliance_rate,
        total.overdue_days,
    ) == (covered, with_gap, rate, overdue)
    assert total.accounts == covered + with_gap


def test_compliance_by_group_counts_only_accounts_in_scope():
    accounts = [
        account(1, 0, 0, segment="high-touch", owner=10),
        account(2, 0, 91, segment="high-touch", owner=20),
        account(3, 46, segment="tech-touch", owner=10),
        account(4, 16, segment="tech-touch", owner=20),
        account(5, segment="tech-touch", owner=30),  # nothing required
    ]
    assert compliance_by(accounts, lambda a: a.owner_id) == {
        10: Compliance(accounts_covered=1, accounts_with_gap=1, overdue_days=46),
        20: Compliance(accounts_covered=0, accounts_with_gap=2, overdue_days=107),
    }
    by_segment = compliance_by(accounts, lambda a: a.segment)
    assert by_segment["high-touch"].compliance_rate == 0.5
    assert by_segment["tech-touch"] == Compliance(0, 2, 62)


def test_gaps_come_most_overdue_first_then_by_account_name():
    def gap(name: str, days: int, requirement: str = "Check-in") -> Gap:
        return Gap(1, name, None, None, requirement, 30, None, date(2026, 3, 1), days)

    ordered = most_overdue_first(
        [gap("acme", 16), gap("Initech", 91), gap("Globex", 46), gap("Beta", 46, "Review")]
    )
    assert [(g.account_name, g.overdue_days) for g in ordered] == [
        ("Initech", 91),
        ("Beta", 46),
        ("Globex", 46),
        ("acme", 16),
    ]
