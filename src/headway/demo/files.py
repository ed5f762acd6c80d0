"""Write the demo company as bulk files in Headway's canonical import columns.

accounts.csv, contacts.csv, subscriptions.csv, activities.csv, tickets.csv and
survey_responses.csv (docs/imports.md; the last two from files_support.py), and the same
tables as Parquet. Rows are written in chunks, so memory stays flat whatever the size. In
the CSV files amounts are decimals in major units, dates ISO and times ISO in UTC; the Parquet
files keep the same columns with types (decimal amounts, dates, timestamps, integers).
Desired Outcomes and success plans have no import, so they are not written.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from headway.core.money import minor_exponent
from headway.demo.bulk import Progress
from headway.demo.catalogue import ACTIVITY_KEYS
from headway.demo.company import CustomerBase, DemoCompany
from headway.demo.contacts import PERSONAS
from headway.demo.files_support import (
    RESPONSE_TYPES_SCHEMA,
    TICKET_TYPES_SCHEMA,
    response_columns,
    ticket_columns,
)
from headway.demo.segments import CURRENCIES, SEGMENT_KEYS

CHUNK_ROWS = 20_000
ACCOUNT_COLUMNS = (
    "account_id",
    "name",
    "domain",
    "segment",
    "owner_email",
    "industry",
    "employees",
    "parent_account_id",
)
CONTACT_COLUMNS = ("account_id", "contact_id", "email", "name", "title", "persona")
SUBSCRIPTION_COLUMNS = (
    "account_id",
    "subscription_id",
    "plan",
    "amount",
    "currency",
    "interval",
    "start_date",
    "end_date",
    "quantity",
)
ACTIVITY_COLUMNS = (
    "account_id",
    "type",
    "occurred_at",
    "minutes",
    "subject",
    "notes",
    "user_email",
    "contact_email",
    "external_id",
)
ACCOUNT_TYPES = pa.schema(
    [(name, pa.int64() if name == "employees" else pa.string()) for name in ACCOUNT_COLUMNS]
)
CONTACT_TYPES = pa.schema([(name, pa.string()) for name in CONTACT_COLUMNS])
SUBSCRIPTION_TYPES = pa.schema(
    [
        ("account_id", pa.string()),
        ("subscription_id", pa.string()),
        ("plan", pa.string()),
        ("amount", pa.decimal128(18, 2)),
        ("currency", pa.string()),
        ("interval", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("quantity", pa.int64()),
    ]
)


ACTIVITY_TYPES = pa.schema(
    [
        (
            name,
            pa.timestamp("s")
            if name == "occurred_at"
            else pa.int64()
            if name == "minutes"
            else pa.string(),
        )
        for name in ACTIVITY_COLUMNS
    ]
)
# Several team members or contacts of one activity share a cell, as the importer reads them.
PEOPLE_SEPARATOR = "; "


def write_files(company: DemoCompany, out_dir: Path, *, progress: Progress) -> list[Path]:
    """Write the six tables as CSV and Parquet into out_dir; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = (
        ("accounts", ACCOUNT_TYPES, len(company.accounts), _account_columns(company)),
        ("contacts", CONTACT_TYPES, len(company.contacts), _contact_columns(company)),
        (
            "subscriptions",
            SUBSCRIPTION_TYPES,
            len(company.subscriptions),
            _subscription_columns(company),
        ),
        ("activities", ACTIVITY_TYPES, len(company.activities), _activity_columns(company)),
        ("tickets", TICKET_TYPES_SCHEMA, len(company.tickets), ticket_columns(company)),
        (
            "survey_responses",
            RESPONSE_TYPES_SCHEMA,
            len(company.surveys.responses),
            response_columns(company),
        ),
    )
    written = []
    for name, schema, total, chunks in tables:
        csv_path, parquet_path = out_dir / f"{name}.csv", out_dir / f"{name}.parquet"
        with (
            csv_path.open("w", newline="", encoding="utf-8") as handle,
            pq.ParquetWriter(parquet_path, schema) as parquet,
        ):
            writer = csv.writer(handle)
            writer.writerow(schema.names)
            done = 0
            for columns in chunks:
                writer.writerows(zip(*(_csv_cells(c) for c in columns), strict=True))
                parquet.write_table(pa.table(columns, schema=schema))
                done += len(columns[0])
                progress(name, done, total)
        written += [csv_path, parquet_path]
    return written


def write_base_files(base: DemoCompany | CustomerBase, out_dir: Path) -> list[Path]:
    """Write accounts.csv and subscriptions.csv of a customer base (for the events files)."""
    tables = (
        ("accounts", ACCOUNT_TYPES, _account_columns(base)),
        ("subscriptions", SUBSCRIPTION_TYPES, _subscription_columns(base)),
    )
    written = []
    for name, schema, chunks in tables:
        path = out_dir / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(schema.names)
            for columns in chunks:
                writer.writerows(zip(*(_csv_cells(c) for c in columns), strict=True))
        written.append(path)
    return written


def _csv_cells(column: list[Any]) -> list[Any]:
    """Cells as the canonical CSV holds them: empty for none, ISO dates, plain decimals."""
    return ["" if value is None else value for value in column]


def _slices(total: int) -> Iterator[slice]:
    for start in range(0, total, CHUNK_ROWS):
        yield slice(start, min(start + CHUNK_ROWS, total))


def _account_columns(company: DemoCompany | CustomerBase) -> Iterator[list[list[Any]]]:
    accounts = company.accounts
    emails = np.array([p.email for p in company.team] + [None], dtype=object)
    segments = np.array(SEGMENT_KEYS, dtype=object)
    # Parents before children, so each parent_account_id refers to a row above it.
    order = np.concatenate(
        [np.flatnonzero(accounts.parent < 0), np.flatnonzero(accounts.parent >= 0)]
    )
    parent_ids = np.array([*accounts.external_id.tolist(), None], dtype=object)  # -1 → None
    for part in _slices(len(order)):
        idx = order[part]
        yield [
            accounts.external_id[idx].tolist(),
            accounts.name[idx].tolist(),
            accounts.domain[idx].tolist(),
            segments[accounts.segment[idx]].tolist(),
            emails[accounts.owner[idx]].tolist(),
            accounts.industry[idx].tolist(),
            accounts.employees[idx].tolist(),
            parent_ids[accounts.parent[idx]].tolist(),
        ]


def _contact_columns(company: DemoCompany) -> Iterator[list[list[Any]]]:
    contacts = company.contacts
    account_ids = company.accounts.external_id
    personas = np.array(PERSONAS, dtype=object)
    for part in _slices(len(contacts)):
        yield [
            account_ids[contacts.account[part]].tolist(),
            contacts.external_id[part].tolist(),
            contacts.email[part].tolist(),
            contacts.name[part].tolist(),
            contacts.title[part].tolist(),
            personas[contacts.persona[part]].tolist(),
        ]


def _subscription_columns(company: DemoCompany | CustomerBase) -> Iterator[list[list[Any]]]:
    subscriptions = company.subscriptions
    account_ids = company.accounts.external_id
    currencies = np.array(CURRENCIES, dtype=object)
    exponents = {code: minor_exponent(code) for code in CURRENCIES}
    for part in _slices(len(subscriptions)):
        codes = currencies[subscriptions.currency[part]].tolist()
        amounts = [
            Decimal(minor).scaleb(-exponents[code])
            for minor, code in zip(subscriptions.amount_minor[part].tolist(), codes, strict=True)
        ]
        yield [
            account_ids[subscriptions.account[part]].tolist(),
            subscriptions.external_id[part].tolist(),
            subscriptions.plan[part].tolist(),
            amounts,
            codes,
            np.where(subscriptions.yearly[part], "year", "month").tolist(),
            subscriptions.start_date[part].astype(object).tolist(),
            subscriptions.end_date[part].astype(object).tolist(),
            subscriptions.quantity[part].tolist(),
        ]


def _joined(links: np.ndarray, values: np.ndarray, total: int) -> np.ndarray:
    """Per activity, the values linked to it (links sorted by activity) joined into one cell."""
    cells = np.full(total, "", dtype=object)
    bounds = np.searchsorted(links, np.arange(total + 1))
    several = np.flatnonzero(np.diff(bounds) > 0)
    listed = values.tolist()
    for i, start, stop in zip(
        several.tolist(), bounds[several].tolist(), bounds[several + 1].tolist(), strict=True
    ):
        cells[i] = PEOPLE_SEPARATOR.join(listed[start:stop])
    return cells


def _activity_columns(company: DemoCompany) -> Iterator[list[list[Any]]]:
    activities = company.activities
    total = len(activities)
    emails = np.array([p.email for p in company.team], dtype=object)
    users = _joined(activities.user_activity, emails[activities.user], total)
    contacts = _joined(
        activities.contact_activity, company.contacts.email[activities.contact], total
    )
    account_ids = company.accounts.external_id
    types = np.array(ACTIVITY_KEYS, dtype=object)
    for part in _slices(total):
        yield [
            account_ids[activities.account[part]].tolist(),
            types[activities.type[part]].tolist(),
            activities.occurred_at[part].astype(object).tolist(),
            activities.minutes[part].tolist(),
            activities.subject[part].tolist(),
            activities.notes[part].tolist(),
            users[part].tolist(),
            contacts[part].tolist(),
            activities.external_id[part].tolist(),
        ]
