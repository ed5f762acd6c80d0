"""Warehouse-native rollups: Spark in local mode gives the rollups DuckDB gives.

Each Spark job takes seconds even on a few rows, so one test covers a first and an
incremental run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from headway.usage.rollup import rollup_usage
from tests.usage.rollup_support import (
    LATER,
    RECEIVED,
    RUN_AT,
    rollups,
    send,
    track,
    write_events_parquet,
)
from tests.usage.test_rollups import ACTIVE_USERS, DAILY, DAILY_EVENTS, EVENTS, MAR_2

# PySpark 4.0 passes pandas 3 a keyword it deprecates; the converted values are right.
pytestmark = pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(RUN_AT, tick=False):
        yield


def test_spark_rolls_up_parquet_files_as_duckdb_does_and_reads_only_what_is_new(
    session, spark, tmp_path
):
    folder = tmp_path / "events"
    folder.mkdir()
    files = str(folder / "*.parquet")
    send(session, *EVENTS)
    write_events_parquet(session, folder / "part-1.parquet")

    first = rollup_usage(session=session, source="spark", path=files, spark=spark)

    assert (first.events_read, first.days_written) == (8, 3)
    assert rollups(session) == (DAILY, DAILY_EVENTS, ACTIVE_USERS)

    # The next export holds what was received since: a late event of March 2nd.
    late = track("acme", "dora", "Report Created", "2026-03-02T15:00:00Z", "s3")
    send(session, late, received_at=LATER)
    write_events_parquet(session, folder / "part-2.parquet", since=RECEIVED)

    second = rollup_usage(session=session, source="spark", path=files, spark=spark)
    from_spark = rollups(session)
    rollup_usage(session=session, source="duckdb", path=files, full=True)

    assert (second.events_read, second.days_written) == (1, 1)
    assert from_spark[0][("acme", MAR_2)][:3] == (5, 3, 3)
    assert from_spark == rollups(session)
