"""Write the demo company as bulk files in Headway's canonical import columns.

accounts.csv, contacts.csv and subscriptions.csv (docs/imports.md), and the same tables as
Parquet. Rows are written in chunks, so memory stays flat whatever the size. In the CSV files
amounts are decimals in major units and dates ISO; the Parquet files keep the same columns
with types (decimal amounts, dates, integers).
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
from headway.demo.company import DemoCompany
from headway.demo.contacts import PERSONAS
from headway.demo.database import Progress
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


def write_files(company: DemoCompany, out_dir: Path, *, progress: Progress) -> list[Path]:
    """Write the three tables as CSV and Parquet into out_dir; return the paths written."""
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


def _csv_cells(column: list[Any]) -> list[Any]:
    """Cells as the canonical CSV holds them: empty for none, ISO dates, plain decimals."""
    return ["" if value is None else value for value in column]


def _slices(total: int) -> Iterator[slice]:
    for start in range(0, total, CHUNK_ROWS):
        yield slice(start, min(start + CHUNK_ROWS, total))


def _account_columns(company: DemoCompany) -> Iterator[list[list[Any]]]:
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


def _subscription_columns(company: DemoCompany) -> Iterator[list[list[Any]]]:
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
