"""The demo company in the database: every row written, logins that work, and the guards."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, LifecycleStage, Segment, StageChange
from headway.contacts.models import Contact
from headway.core.audit import Actor, AuditEntry
from headway.core.errors import Conflict
from headway.demo.company import generate_company
from headway.demo.lifecycle import STAGE_KEYS
from headway.demo.segments import CURRENCIES, SEGMENT_KEYS
from headway.demo.service import (
    DemoReport,
    ensure_demo_team,
    generate_demo,
    load_demo_if_empty,
)
from headway.revenue.models import Subscription
from headway.revenue.service import mrr_by_account
from headway.users.models import User
from headway.users.service import authenticate
from tests.helpers import make_account

AS_OF = date(2026, 6, 30)
DEMO = Actor.system("demo")
ACCOUNTS = 150


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def generate(session: Session, seed: int = 3, *, replace: bool = False) -> DemoReport:
    # Usage has tests of its own (test_database_usage.py); these check the rest, faster.
    return generate_demo(
        session=session,
        actor=DEMO,
        seed=seed,
        accounts=ACCOUNTS,
        as_of=AS_OF,
        replace=replace,
        usage=False,
    )


def test_generate_writes_every_row_of_the_company(session: Session) -> None:
    report = generate(session)
    company = generate_company(seed=3, as_of=AS_OF, accounts=ACCOUNTS)
    expected = company.summary()
    assert (report.accounts, report.contacts, report.subscriptions) == (
        expected["accounts"],
        expected["contacts"],
        expected["subscriptions"],
    )
    assert count(session, Account) == ACCOUNTS
    assert count(session, Contact) == expected["contacts"]
    assert count(session, Subscription) == expected["subscriptions"]
    assert count(session, StageChange) == expected["stage_changes"]
    assert count(session, User) == expected["users"] == len(company.team)
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "demo.generate")).one()
    assert audit.after == {"seed": 3, "as_of": "2026-06-30", **expected}


def test_the_demo_admin_and_the_csms_log_in_with_the_demo_password(session: Session) -> None:
    generate(session)
    admin = authenticate(session=session, email="admin@demo.headway.test", password="headway-demo")
    assert admin is not None and admin.role == "admin"
    maya = authenticate(
        session=session, email="maya.chen@demo.headway.test", password="headway-demo"
    )
    assert maya is not None and maya.role == "csm" and maya.name == "Maya Chen"
    assert authenticate(session=session, email=admin.email, password="wrong-password") is None
    # The password was hashed once for everyone (argon2 is slow on purpose).
    assert len(set(session.scalars(select(User.password_hash)))) == 1
    roles = sorted(session.scalars(select(User.role)))
    assert roles.count("admin") == 1 and roles.count("manager") == 1
    assert 5 <= roles.count("csm") <= 8


def test_accounts_are_written_with_their_segment_stage_owner_and_parent(session: Session) -> None:
    generate(session)
    company = generate_company(seed=3, as_of=AS_OF, accounts=ACCOUNTS)
    demo = company.accounts
    rows = session.execute(
        select(Account, Segment.key, LifecycleStage.key)
        .join(Segment, Segment.id == Account.segment_id)
        .join(LifecycleStage, LifecycleStage.id == Account.stage_id)
    ).all()
    by_external_id = {row[0].external_id: row for row in rows}
    emails: dict[int | None, str] = dict(session.execute(select(User.id, User.email)).all())
    external_ids: dict[int | None, str] = {a.id: a.external_id for a, _, _ in rows}
    for i in range(ACCOUNTS):
        account, segment, stage = by_external_id[demo.external_id[i]]
        assert account.name == demo.name[i] and account.domain == demo.domain[i]
        assert segment == SEGMENT_KEYS[demo.segment[i]] and not account.segment_locked
        assert stage == STAGE_KEYS[demo.stage[i]]
        owner = demo.owner[i]
        assert emails.get(account.owner_id) == (company.team[owner].email if owner >= 0 else None)
        parent = demo.parent[i]
        expected_parent = demo.external_id[parent] if parent >= 0 else None
        assert external_ids.get(account.parent_id) == expected_parent
        assert account.traits["demo_engagement"] == round(float(demo.engagement[i]), 3)
        assert account.stage_entered_at and account.created_at <= account.stage_entered_at
    assert any(a.parent_id for a, _, _ in rows)


def test_each_accounts_stage_was_entered_at_its_last_stage_change(session: Session) -> None:
    generate(session)
    last_change = dict(
        session.execute(
            select(StageChange.account_id, func.max(StageChange.changed_at)).group_by(
                StageChange.account_id
            )
        ).all()
    )
    for account in session.scalars(select(Account)):
        assert account.stage_entered_at == last_change[account.id]
    assert set(session.scalars(select(StageChange.changed_by).distinct())) == {"demo"}
    first_changes = session.scalar(select(func.count()).where(StageChange.from_stage_id.is_(None)))
    assert first_changes == ACCOUNTS


def test_mrr_in_the_database_matches_the_arr_the_segments_were_set_from(session: Session) -> None:
    generate(session)
    company = generate_company(seed=3, as_of=AS_OF, accounts=ACCOUNTS)
    ids = dict(session.execute(select(Account.external_id, Account.id)).all())
    for code, currency in enumerate(CURRENCIES):
        mrr = mrr_by_account(session=session, on=AS_OF, currency=currency)
        paying = np.flatnonzero(
            (company.accounts.currency == code)
            & (company.accounts.stage != STAGE_KEYS.index("churned"))
        )
        assert {ids[company.accounts.external_id[i]] for i in paying} == {
            account for account, value in mrr.items() if value > 0
        }
        for i in paying.tolist():
            arr = mrr[ids[company.accounts.external_id[i]]] * 12
            assert arr == pytest.approx(company.accounts.arr_minor[i])


def test_generate_refuses_a_database_that_has_accounts(session: Session) -> None:
    make_account(session, "acme", "Acme")
    with pytest.raises(Conflict, match="has 1 accounts already"):
        generate(session)
    assert count(session, Account) == 1
    assert count(session, User) == 0


def test_replace_swaps_the_earlier_demo_data_and_keeps_other_accounts(session: Session) -> None:
    generate(session, seed=3)
    make_account(session, "acme", "Acme")
    report = generate(session, seed=4, replace=True)
    company = generate_company(seed=4, as_of=AS_OF, accounts=ACCOUNTS)
    assert report.replaced_accounts == ACCOUNTS
    assert count(session, Account) == ACCOUNTS + 1
    assert session.scalar(select(Account.name).where(Account.external_id == "acme")) == "Acme"
    names = set(session.scalars(select(Account.name).where(Account.external_id != "acme")))
    assert names == set(company.accounts.name)
    assert count(session, Contact) == len(company.contacts)
    assert count(session, Subscription) == len(company.subscriptions)
    acme_changes = 1  # Acme's own first stage
    assert count(session, StageChange) == len(company.stage_changes) + acme_changes
    assert count(session, User) == len(company.team)


def test_load_if_empty_loads_only_into_a_database_without_accounts(session: Session) -> None:
    first = load_demo_if_empty(session=session, actor=DEMO, seed=3, accounts=40, as_of=AS_OF)
    assert first is not None and first.accounts == 40
    contacts = count(session, Contact)
    again = load_demo_if_empty(session=session, actor=DEMO, seed=9, accounts=80, as_of=AS_OF)
    assert again is None
    assert count(session, Account) == 40 and count(session, Contact) == contacts


def test_the_demo_team_can_be_created_alone_for_importing_demo_files(session: Session) -> None:
    assert ensure_demo_team(session=session, actor=DEMO, accounts=300) == 7
    # Running it again keeps the people there.
    assert ensure_demo_team(session=session, actor=DEMO, accounts=300) == 7
    assert count(session, User) == 7
    assert count(session, Account) == 0


def test_the_demo_has_the_rates_that_convert_its_euros_and_pounds(session: Session) -> None:
    import time_machine

    from headway.revenue.models import FxRate
    from headway.revenue.service import RevenueOptions, revenue_metrics

    generate(session)
    rates = session.scalars(select(FxRate).where(FxRate.rate_date == date(2026, 6, 1))).all()
    assert sorted((r.currency, r.quote_currency) for r in rates) == [("EUR", "USD"), ("GBP", "USD")]
    assert all(1.0 < r.rate < 1.4 for r in rates)
    with time_machine.travel(date(2026, 7, 2), tick=False):
        report = revenue_metrics(
            session=session,
            options=RevenueOptions(reporting_currency="USD"),
            first_month=date(2025, 7, 1),
            last_month=date(2026, 6, 1),
        )
    assert sorted(report.converted_currencies) == ["EUR", "GBP"]
    assert report.periods[0].mrr_end > 0
