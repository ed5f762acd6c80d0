"""Warehouse-native rollups: Spark in local mode gives the rollups DuckDB gives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from headway.usage.rollup import rollup_usage
from tests.usage.rollup_support import LATER, RUN_AT, rollups, send, write_events_parquet
from tests.usage.test_rollups import ACTIVE_USERS, DAILY, DAILY_EVENTS, EVENTS, track


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(RUN_AT, tick=False):
        yield


def test_spark_rolls_up_a_parquet_file_as_duckdb_does_incrementally_too(
    session, spark, tmp_path
):
    send(session, *EVENTS)
    first_file = write_events_parquet(session, tmp_path / "first.parquet")
    rollup_usage(session=session, source="duckdb", path=str(first_file), full=True)
    from_duckdb = rollups(session)

    from_spark = rollup_usage(session=session, source="spark", path=str(first_file), spark=spark)

    assert (from_spark.events_read, from_spark.days_written) == (8, 3)
    assert rollups(session) == from_duckdb == (DAILY, DAILY_EVENTS, ACTIVE_USERS)

    # A late event in a newer export: Spark reads only what was received since, and fixes the day.
    send(session, track("acme", "dora", "Report Created", "2026-03-02T15:00:00Z"), received_at=LATER)
    second_file = write_events_parquet(session, tmp_path / "second.parquet")
    rollup_usage(session=session, source="duckdb", path=str(second_file), full=True)
    from_duckdb = rollups(session)

    again = rollup_usage(session=session, source="spark", path=str(first_file), spark=spark)
    late = rollup_usage(session=session, source="spark", path=str(second_file), spark=spark)

    assert again.events_read == 0
    assert (late.events_read, late.days_written) == (9, 3)  # a new path is a new source
    assert rollups(session) == from_duckdb
