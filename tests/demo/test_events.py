"""headway demo events: the demo's accounts and their events as monthly Parquet files."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.demo.company import ACCOUNT_ID_PREFIX, day_number, generate_customer_base
from headway.demo.events import EVENT_SCHEMA, write_event_files
from headway.demo.usage_model import EVENTS
from headway.usage.models import UsageDaily
from headway.usage.rollup import rollup_usage

AS_OF = date(2026, 6, 30)
ACCOUNTS = 200
EVENTS_ASKED = 40_000


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("events")
    write_event_files(out_dir=folder, seed=4, accounts=ACCOUNTS, events=EVENTS_ASKED, as_of=AS_OF)
    return folder


@pytest.fixture(scope="module")
def events(out_dir: Path) -> pa.Table:
    return pa.concat_tables(pq.read_table(p) for p in sorted(out_dir.glob("events-*.parquet")))


def test_one_file_per_month_of_the_history_and_the_accounts_beside_them(out_dir: Path) -> None:
    names = sorted(p.name for p in out_dir.iterdir())
    assert names[:2] == ["accounts.csv", "events-2023-06.parquet"]
    assert names[-2:] == ["events-2026-06.parquet", "subscriptions.csv"]
    assert len(names) == 2 + 37
    with (out_dir / "accounts.csv").open(newline="", encoding="utf-8") as handle:
        accounts = list(csv.DictReader(handle))
    assert len(accounts) == ACCOUNTS
    assert all(a["account_id"].startswith(ACCOUNT_ID_PREFIX) for a in accounts)


def test_events_are_in_the_apps_columns_and_about_as_many_as_asked(
    out_dir: Path, events: pa.Table
) -> None:
    assert events.schema == EVENT_SCHEMA
    assert abs(events.num_rows - EVENTS_ASKED) < 0.05 * EVENTS_ASKED
    assert set(events["event"].to_pylist()) <= set(EVENTS)
    assert set(events["type"].to_pylist()) == {"track"}
    assert len(set(events["message_id"].to_pylist())) == events.num_rows
    users = events["user_id"].to_pylist()
    anonymous = events["anonymous_id"].to_pylist()
    keys = events["user_key"].to_pylist()
    assert all(
        k == (u or a) and (u is None) != (a is None)
        for u, a, k in zip(users, anonymous, keys, strict=True)
    )
    received = events["received_at"].to_numpy()
    assert (received > events["timestamp"].to_numpy()).all()


def test_each_file_holds_its_months_events_in_time_order(out_dir: Path) -> None:
    for path in sorted(out_dir.glob("events-*.parquet")):
        stamps = pq.read_table(path, columns=["timestamp"])["timestamp"].to_numpy()
        month = np.datetime64(path.stem.removeprefix("events-"), "M")
        assert (stamps.astype("datetime64[M]") == month).all(), path.name
    may = pq.read_table(out_dir / "events-2026-05.parquet", columns=["timestamp"])
    assert (np.diff(may["timestamp"].to_numpy().astype(np.int64)) >= 0).mean() > 0.5


def test_events_happen_only_while_the_account_is_a_customer(events: pa.Table) -> None:
    base = generate_customer_base(seed=4, as_of=AS_OF, accounts=ACCOUNTS)
    account, start, end = base.lives.customer_periods()
    index = {key: i for i, key in enumerate(base.accounts.external_id.tolist())}
    rows = np.array([index[k] for k in events["account_key"].to_pylist()])
    days = events["timestamp"].to_numpy().astype("datetime64[D]").astype(np.int64)
    inside = np.zeros(len(rows), dtype=bool)
    for a, s, e in zip(account.tolist(), start.tolist(), end.tolist(), strict=True):
        inside |= (rows == a) & (days >= s) & (days < e)
    assert inside.all()
    assert days.max() < day_number(AS_OF)


def test_the_same_seed_writes_the_same_events(tmp_path: Path, out_dir: Path) -> None:
    write_event_files(out_dir=tmp_path, seed=4, accounts=ACCOUNTS, events=EVENTS_ASKED, as_of=AS_OF)
    name = "events-2025-03.parquet"
    assert pq.read_table(tmp_path / name).equals(pq.read_table(out_dir / name))


def test_the_files_roll_up_on_duckdb(session: Session, out_dir: Path, events: pa.Table) -> None:
    run = rollup_usage(session=session, source="duckdb", path=str(out_dir / "events-*.parquet"))
    assert run.events_read == events.num_rows
    assert session.scalar(select(func.sum(UsageDaily.events))) == events.num_rows
