"""Importing subscriptions: amounts to minor units, ISO checks, upserts and segment rules."""

from __future__ import annotations

from datetime import date

import time_machine
from sqlalchemy import func, select

from headway.core.audit import AuditEntry
from headway.core.timeline import account_timeline
from headway.revenue.models import Subscription
from tests.helpers import make_account
from tests.importers.support import counts, run_import, where, write_file

HEADER = "account_id,subscription_id,plan,amount,currency,interval,start_date,end_date"


def subscriptions(session):
    return session.scalars(select(Subscription).order_by(Subscription.external_id)).all()


def test_a_canonical_file_creates_subscriptions_in_minor_units(session, tmp_path):
    acme = make_account(session, "acme")
    path = write_file(
        tmp_path,
        "subs.csv",
        f"{HEADER},quantity\n"
        "acme,s1,Pro,1200.50,usd,month,2025-01-01,,3\n"
        "acme,s2,Enterprise,120000,JPY,year,2025-01-01,2026-01-01,\n"
        "acme,s3,Add-on,0.125,KWD,Month,2025-02-01,2025-02-01,\n",
    )
    result = run_import(session, "subscriptions", path)

    assert (result.format, counts(result)) == ("canonical", (3, 0, 0, 0))
    s1, s2, s3 = subscriptions(session)
    assert (s1.amount_minor, s1.currency, s1.interval, s1.quantity, s1.end_date) == (
        120050,
        "USD",
        "month",
        3,
        None,
    )
    assert (s2.amount_minor, s2.currency, s2.quantity, s2.end_date) == (
        120000,
        "JPY",
        1,
        date(2026, 1, 1),
    )
    assert (s3.amount_minor, s3.interval) == (125, "month")
    assert all(s.account_id == acme.id for s in (s1, s2, s3))


def test_re_importing_changes_nothing_and_a_changed_amount_is_one_audited_update(session, tmp_path):
    make_account(session, "acme")
    rows = "acme,s1,Pro,100,USD,month,2025-01-01,\nacme,s2,Pro,50,USD,month,2025-01-01,\n"
    path = write_file(tmp_path, "a.csv", f"{HEADER}\n{rows}")
    assert counts(run_import(session, "subscriptions", path)) == (2, 0, 0, 0)
    assert counts(run_import(session, "subscriptions", path)) == (0, 0, 2, 0)

    changed = write_file(tmp_path, "b.csv", f"{HEADER}\n{rows.replace('100,USD', '120.00,USD')}")
    result = run_import(session, "subscriptions", changed)

    assert counts(result) == (0, 1, 1, 0)
    update = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "subscription.update")
    ).one()
    assert (update.before, update.after) == ({"amount_minor": 10000}, {"amount_minor": 12000})
    assert update.import_id == result.import_id


def test_every_bad_subscription_row_is_listed_and_nothing_is_written(session, tmp_path):
    make_account(session, "acme")
    path = write_file(
        tmp_path,
        "bad.csv",
        f"{HEADER}\n"
        "acme,s1,Pro,100,USD,month,2025-01-01,\n"  # row 2: fine
        "ghost,s2,Pro,12.345,USD,week,2025-02-30,\n"  # row 3: four problems
        "acme,s3,Pro,€100,EURO,year,01/02/2025,\n"  # row 4: three problems
        "acme,s4,Pro,100,USD,month,2025-03-01,2025-02-01\n"  # row 5: ends before it starts
        "acme,s1,Pro,100,USD,year,2025-01-01,\n"  # row 6: s1 again, other interval
        "acme,s5,,,USD,,,\n"  # row 7: empty required values
        "acme,s6,Pro,1.5,JPY,month,2025-01-01,\n",  # row 8: yen have no decimals
    )
    result = run_import(session, "subscriptions", path)

    assert where(result) == [
        (3, "account_id", "ghost"),
        (3, "amount", "12.345"),
        (3, "interval", "week"),
        (3, "start_date", "2025-02-30"),
        (4, "amount", "€100"),
        (4, "currency", "EURO"),
        (4, "start_date", "01/02/2025"),
        (5, "end_date", "2025-02-01"),
        (6, "subscription_id", "s1"),
        (7, "plan", ""),
        (7, "amount", ""),
        (7, "interval", ""),
        (7, "start_date", ""),
        (8, "amount", "1.5"),
    ]
    expected = {(e.row, e.column): e.expected for e in result.errors}
    assert expected[(3, "amount")] == "at most 2 decimal places for USD"
    assert expected[(4, "currency")] == "an ISO 4217 currency code, e.g. USD, EUR, JPY"
    assert expected[(4, "start_date")] == "an ISO date YYYY-MM-DD, e.g. 2025-01-31"
    assert expected[(5, "end_date")].startswith("a date on or after start_date 2025-03-01")
    assert expected[(8, "amount")] == "at most 0 decimal places for JPY"
    assert session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_an_unknown_column_in_a_subscriptions_file_is_an_error(session, tmp_path):
    path = write_file(
        tmp_path, "a.csv", f"{HEADER},Discount\nacme,s1,Pro,1,USD,month,2025-01-01,\n"
    )
    [error] = run_import(session, "subscriptions", path).errors
    assert (error.row, error.column) == (1, "Discount")


def test_missing_subscription_columns_are_named(session, tmp_path):
    path = write_file(tmp_path, "a.csv", "account_id,subscription_id,plan,amount\nacme,s1,Pro,1\n")
    [error] = run_import(session, "subscriptions", path).errors
    assert (error.row, error.column) == (1, "currency, interval, start_date, end_date")


def test_importing_subscriptions_re_segments_accounts_not_segmented_by_hand(session, tmp_path):
    acme = make_account(session, "acme")
    pinned = make_account(session, "pinned", segment="tech-touch")
    path = write_file(
        tmp_path,
        "a.csv",
        f"{HEADER}\n"
        "acme,s1,Enterprise,10000,USD,month,2025-01-01,\n"
        "pinned,s2,Enterprise,10000,USD,month,2025-01-01,\n",
    )
    with time_machine.travel(date(2026, 1, 15), tick=False):
        result = run_import(session, "subscriptions", path)
    session.refresh(acme)
    session.refresh(pinned)
    # ARR 120,000 USD ≥ 100,000: high-touch, unless a person chose the segment.
    assert acme.segment.key == "high-touch"
    assert pinned.segment.key == "tech-touch"
    titles = [e.title for e in account_timeline(session, acme.id)]
    assert f"Subscription added by import #{result.import_id}" in titles
    assert f"Segment changed by rule by import #{result.import_id}" in titles


def test_an_empty_quantity_is_one_and_a_missing_quantity_column_leaves_it_alone(session, tmp_path):
    make_account(session, "acme")
    row = "acme,s1,Pro,10,USD,month,2025-01-01,"
    run_import(
        session, "subscriptions", write_file(tmp_path, "a.csv", f"{HEADER},quantity\n{row},5\n")
    )
    without = run_import(
        session, "subscriptions", write_file(tmp_path, "b.csv", f"{HEADER}\n{row}\n")
    )
    assert counts(without) == (0, 0, 1, 0)
    empty = run_import(
        session, "subscriptions", write_file(tmp_path, "c.csv", f"{HEADER},quantity\n{row},\n")
    )
    assert counts(empty) == (0, 1, 0, 0)
    [subscription] = subscriptions(session)
    assert subscription.quantity == 1
