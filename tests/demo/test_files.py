"""The demo company as bulk files: canonical import columns, CSV and Parquet, importable."""

from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.activities.models import Activity, ActivityContact, ActivityUser
from headway.contacts.models import Contact
from headway.core.audit import Actor
from headway.demo.company import generate_company
from headway.demo.service import ensure_demo_team, write_demo_files
from headway.importers.service import import_file
from headway.revenue.models import Subscription

AS_OF = date(2026, 6, 30)
ACCOUNTS = 200
CANONICAL = {
    "accounts": [
        "account_id",
        "name",
        "domain",
        "segment",
        "owner_email",
        "industry",
        "employees",
        "parent_account_id",
    ],
    "contacts": ["account_id", "contact_id", "email", "name", "title", "persona"],
    "subscriptions": [
        "account_id",
        "subscription_id",
        "plan",
        "amount",
        "currency",
        "interval",
        "start_date",
        "end_date",
        "quantity",
    ],
    "activities": [
        "account_id",
        "type",
        "occurred_at",
        "minutes",
        "subject",
        "notes",
        "user_email",
        "contact_email",
        "external_id",
    ],
}


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-files")
    write_demo_files(out_dir=folder, seed=21, accounts=ACCOUNTS, as_of=AS_OF)
    return folder


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_each_table_is_written_as_csv_and_parquet(out_dir: Path) -> None:
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "accounts.csv",
        "accounts.parquet",
        "activities.csv",
        "activities.parquet",
        "contacts.csv",
        "contacts.parquet",
        "subscriptions.csv",
        "subscriptions.parquet",
        "survey_responses.csv",
        "survey_responses.parquet",
        "tickets.csv",
        "tickets.parquet",
    ]
    company = generate_company(seed=21, as_of=AS_OF, accounts=ACCOUNTS)
    for table, columns in CANONICAL.items():
        header, rows = read_csv(out_dir / f"{table}.csv")
        assert header == columns
        assert len(rows) == len(getattr(company, table))
        parquet = pq.read_table(out_dir / f"{table}.parquet")
        assert parquet.column_names == columns
        assert parquet.num_rows == len(rows)


def test_the_csv_and_parquet_files_hold_the_same_rows(out_dir: Path) -> None:
    for table in CANONICAL:
        _, rows = read_csv(out_dir / f"{table}.csv")
        parquet = pq.read_table(out_dir / f"{table}.parquet").to_pylist()
        for csv_row, parquet_row in zip(rows, parquet, strict=True):
            as_text = {k: "" if v is None else str(v) for k, v in parquet_row.items()}
            assert as_text == csv_row


def test_parents_come_before_their_children_in_accounts_csv(out_dir: Path) -> None:
    _, rows = read_csv(out_dir / "accounts.csv")
    seen: set[str] = set()
    children = 0
    for row in rows:
        if row["parent_account_id"]:
            assert row["parent_account_id"] in seen
            children += 1
        seen.add(row["account_id"])
    assert children > 0
    assert {row["segment"] for row in rows} == {"high-touch", "mid-touch", "tech-touch"}
    assert any(row["owner_email"] == "" for row in rows)  # unowned tech-touch accounts
    assert all(row["employees"].isdigit() for row in rows)


def test_subscriptions_csv_has_decimal_amounts_and_iso_dates(out_dir: Path) -> None:
    _, rows = read_csv(out_dir / "subscriptions.csv")
    iso = re.compile(r"\d{4}-\d{2}-\d{2}")
    company = generate_company(seed=21, as_of=AS_OF, accounts=ACCOUNTS)
    for row, minor in zip(rows, company.subscriptions.amount_minor.tolist(), strict=True):
        assert re.fullmatch(r"\d+\.\d{2}", row["amount"])
        assert Decimal(row["amount"]) * 100 == minor
        assert row["currency"] in {"USD", "EUR", "GBP"}
        assert row["interval"] in {"month", "year"}
        assert iso.fullmatch(row["start_date"])
        assert row["end_date"] == "" or (
            iso.fullmatch(row["end_date"]) and row["end_date"] > row["start_date"]
        )
        assert int(row["quantity"]) >= 1
    assert any(row["end_date"] == "" for row in rows) and any(row["end_date"] for row in rows)


def test_activities_csv_names_people_by_email_and_times_in_utc(out_dir: Path) -> None:
    _, rows = read_csv(out_dir / "activities.csv")
    company = generate_company(seed=21, as_of=AS_OF, accounts=ACCOUNTS)
    team = {p.email for p in company.team}
    domains = dict(zip(company.accounts.external_id, company.accounts.domain, strict=True))
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", row["occurred_at"])
        assert row["occurred_at"] <= "2026-06-30 23:59:59"
        assert int(row["minutes"]) >= 5
        people = [e for e in row["user_email"].split("; ") if e]
        assert set(people) <= team
        contacts = [e for e in row["contact_email"].split("; ") if e]
        assert all(e.endswith("@" + domains[row["account_id"]]) for e in contacts)
        assert row["external_id"].startswith("DEMO-A-")
    # Programs send tech-touch emails with nobody of the team; reviews can have two people.
    assert any(not row["user_email"] for row in rows)
    assert any(";" in row["user_email"] for row in rows)


def test_the_files_import_through_headways_own_importer(out_dir: Path, session: Session) -> None:
    actor = Actor.system("test setup")
    # Account owners are the demo CSMs: they must exist before the accounts arrive.
    ensure_demo_team(session=session, actor=actor, accounts=ACCOUNTS)
    for kind in ("accounts", "contacts", "subscriptions", "activities"):
        result = import_file(
            session=session,
            actor=actor,
            permissions=None,
            kind=kind,
            path=out_dir / f"{kind}.csv",
        )
        assert result.ok, result.errors[:3]
        assert result.format == "canonical"
    company = generate_company(seed=21, as_of=AS_OF, accounts=ACCOUNTS)
    counts = {
        model: session.scalar(select(func.count()).select_from(model))
        for model in (Account, Contact, Subscription, Activity, ActivityUser, ActivityContact)
    }
    assert counts == {
        Account: ACCOUNTS,
        Contact: len(company.contacts),
        Subscription: len(company.subscriptions),
        Activity: len(company.activities),
        ActivityUser: len(company.activities.user),
        ActivityContact: len(company.activities.contact),
    }
