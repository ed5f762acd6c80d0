"""Daily rollups: hand-computed on a small event set, incremental, late events, any source."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from headway.analytics.rollups import ACTIVITY_TYPES
from headway.cli import app
from headway.core.errors import InvalidInput
from headway.usage.messages import ACTIVITY_TYPES as MESSAGE_ACTIVITY_TYPES
from headway.usage.rollup import LATE_COMMIT_MARGIN, rollup_usage
from tests.usage.rollup_support import (
    LATER,
    RUN_AT,
    active_users,
    daily,
    daily_events,
    page,
    rollups,
    send,
    track,
    write_events_parquet,
)

MAR_2, MAR_3, MAR_5 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 5)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# Acme: Alice twice in session s1, Bob on two pages in s2 (one unnamed), Carl only identified,
# Alice again at midnight the next day. Globex: Gina late on the 2nd in UTC−2, which is the
# 3rd in UTC. Stan has no account yet.
EVENTS = (
    track("acme", "alice", "Report Created", "2026-03-02T09:00:00Z", "s1"),
    track("acme", "alice", "Report Created", "2026-03-02T09:30:00Z", "s1"),
    page("acme", "bob", "Dashboard", "2026-03-02T23:59:59Z", "s2"),
    page("acme", "bob", None, "2026-03-02T10:00:00Z", "s2"),
    {
        "type": "identify",
        "userId": "carl",
        "traits": {"email": "carl@acme.test"},
        "context": {"groupId": "acme"},
        "timestamp": "2026-03-02T11:00:00Z",
    },
    track("acme", "alice", "Export", "2026-03-03T00:00:00Z"),
    track("globex", "gina", "Login", "2026-03-02T23:30:00-02:00"),
    track(None, "stan", "Login", "2026-03-02T12:00:00Z"),
)

DAILY = {
    ("acme", MAR_2): (4, 2, 2, at("2026-03-02T23:59:59Z")),
    ("acme", MAR_3): (1, 1, 0, at("2026-03-03T00:00:00Z")),
    ("globex", MAR_3): (1, 1, 0, at("2026-03-03T01:30:00Z")),
}
DAILY_EVENTS = {
    ("acme", MAR_2, "Report Created"): (2, 1),
    ("acme", MAR_2, "Dashboard"): (1, 1),
    ("acme", MAR_2, "page"): (1, 1),
    ("acme", MAR_3, "Export"): (1, 1),
    ("globex", MAR_3, "Login"): (1, 1),
}
ACTIVE_USERS = {
    ("acme", MAR_2, "alice"): 2,
    ("acme", MAR_2, "bob"): 2,
    ("acme", MAR_3, "alice"): 1,
    ("globex", MAR_3, "gina"): 1,
}


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(RUN_AT, tick=False):
        yield


def test_rollups_count_activity_per_account_and_utc_day(session):
    send(session, *EVENTS)

    run = rollup_usage(session=session)

    assert (run.source, run.events_read, run.days_written) == ("app", 8, 3)
    assert daily(session) == DAILY
    assert daily_events(session) == DAILY_EVENTS
    assert active_users(session) == ACTIVE_USERS


def test_an_incremental_run_reads_only_the_new_events(session):
    send(session, *EVENTS)
    first = rollup_usage(session=session)
    send(session, track("acme", "bob", "Export", "2026-03-05T10:00:00Z"), received_at=LATER)

    second = rollup_usage(session=session)
    third = rollup_usage(session=session)

    assert (second.events_read, second.days_written) == (1, 1)
    assert second.watermark == first.watermark + 1
    assert (third.events_read, third.days_written) == (0, 0)
    assert daily(session) == {**DAILY, ("acme", MAR_5): (1, 1, 0, at("2026-03-05T10:00:00Z"))}
    assert daily_events(session) == {**DAILY_EVENTS, ("acme", MAR_5, "Export"): (1, 1)}


def test_a_late_event_corrects_its_day_and_leaves_the_others(session):
    send(session, *EVENTS)
    rollup_usage(session=session)
    late = track("acme", "dora", "Report Created", "2026-03-02T15:00:00Z", "s3")
    send(session, late, received_at=LATER)

    run = rollup_usage(session=session)

    assert (run.events_read, run.days_written) == (1, 1)
    assert daily(session) == {**DAILY, ("acme", MAR_2): (5, 3, 3, at("2026-03-02T23:59:59Z"))}
    assert daily_events(session)[("acme", MAR_2, "Report Created")] == (3, 2)
    assert active_users(session)[("acme", MAR_2, "dora")] == 1


def test_the_events_of_a_user_grouped_later_join_their_account_s_days(session):
    send(session, *EVENTS)
    rollup_usage(session=session)
    group = {
        "type": "group",
        "userId": "stan",
        "groupId": "globex",
        "traits": {"name": "Globex"},
        "timestamp": "2026-03-05T09:00:00Z",
    }
    send(session, group, received_at=LATER)

    run = rollup_usage(session=session)

    assert (run.events_read, run.days_written) == (1, 1)
    assert daily(session)[("globex", MAR_2)] == (1, 1, 0, at("2026-03-02T12:00:00Z"))
    assert daily_events(session)[("globex", MAR_2, "Login")] == (1, 1)


def test_earlier_events_attached_by_a_track_with_a_group_id_join_their_account_s_days(session):
    send(session, *EVENTS)
    rollup_usage(session=session)
    # No group call: a later track names the account in its context, which attaches Stan's
    # earlier events to it; their day is redone although none of its events is new.
    send(session, track("globex", "stan", "Export", "2026-03-05T10:00:00Z"), received_at=LATER)

    rollup_usage(session=session)
    again = rollup_usage(session=session)

    assert daily(session)[("globex", MAR_2)] == (1, 1, 0, at("2026-03-02T12:00:00Z"))
    assert daily(session)[("globex", MAR_5)] == (1, 1, 0, at("2026-03-05T10:00:00Z"))
    assert (again.events_read, again.days_written) == (0, 0)  # the redo was done once


def test_events_received_within_the_margin_are_read_again_next_time(session):
    send(session, *EVENTS)
    first = rollup_usage(session=session)
    just_now = RUN_AT - LATE_COMMIT_MARGIN / 2
    send(session, track("acme", "bob", "Export", "2026-03-05T10:00:00Z"), received_at=just_now)

    second = rollup_usage(session=session)
    third = rollup_usage(session=session)

    # A row written with a lower id may still be committing: the watermark waits for it.
    assert second.watermark == third.watermark == first.watermark
    assert second.events_read == third.events_read == 1
    assert daily(session)[("acme", MAR_5)] == (1, 1, 0, at("2026-03-05T10:00:00Z"))


def test_a_full_run_rebuilds_every_day(session):
    send(session, *EVENTS)
    rollup_usage(session=session)

    run = rollup_usage(session=session, full=True)

    assert (run.events_read, run.days_written) == (8, 3)
    assert rollups(session) == (DAILY, DAILY_EVENTS, ACTIVE_USERS)


def test_duckdb_over_a_parquet_file_gives_the_app_database_s_rollups(session, tmp_path):
    send(session, *EVENTS)
    rollup_usage(session=session)
    from_app = rollups(session)
    path = write_events_parquet(session, tmp_path / "events.parquet")

    run = rollup_usage(session=session, source="duckdb", path=str(path), full=True)

    assert run.source == f"duckdb:{path}"
    assert (run.events_read, run.days_written) == (8, 3)
    assert run.watermark == at("2026-03-04T12:00:00Z")  # the last received_at
    assert rollups(session) == from_app == (DAILY, DAILY_EVENTS, ACTIVE_USERS)


FLAT_CSV = (
    "timestamp,account_id,user_id,event\n"
    "2026-03-02T09:00:00Z,acme,u1,Login\n"
    "2026-03-02T10:00:00Z,acme,u2,Login\n"
    "2026-03-02T23:00:00-02:00,acme,u1,Export\n"
)
FLAT_JSONL = "\n".join(
    json.dumps({"timestamp": t, "account_id": "acme", "user_id": u, "event": e})
    for t, u, e in (
        ("2026-03-02T09:00:00Z", "u1", "Login"),
        ("2026-03-02T10:00:00Z", "u2", "Login"),
        ("2026-03-02T23:00:00-02:00", "u1", "Export"),
    )
)


@pytest.mark.parametrize(
    ("name", "text"),
    [("events.csv", FLAT_CSV), ("events.jsonl", FLAT_JSONL)],
    ids=["csv", "jsonl"],
)
def test_segment_flat_files_roll_up_with_the_event_time_as_watermark(session, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)

    first = rollup_usage(session=session, source="duckdb", path=str(path))
    again = rollup_usage(session=session, source="duckdb", path=str(path))

    assert (first.events_read, first.days_written) == (3, 2)
    assert first.watermark == at("2026-03-03T01:00:00Z")
    assert (again.events_read, again.days_written) == (0, 0)
    assert daily(session) == {
        ("acme", MAR_2): (2, 2, 0, at("2026-03-02T10:00:00Z")),
        ("acme", MAR_3): (1, 1, 0, at("2026-03-03T01:00:00Z")),
    }
    assert daily_events(session) == {
        ("acme", MAR_2, "Login"): (2, 2),
        ("acme", MAR_3, "Export"): (1, 1),
    }


def test_a_second_file_replaces_only_the_days_it_has(session, tmp_path):
    march = tmp_path / "march.csv"
    march.write_text(FLAT_CSV)
    april = tmp_path / "april.csv"
    april.write_text(
        "timestamp,account_id,user_id,event\n"
        "2026-03-03T08:00:00Z,acme,u3,Login\n"
        "2026-04-01T08:00:00Z,acme,u3,Login\n"
    )
    rollup_usage(session=session, source="duckdb", path=str(march))

    run = rollup_usage(session=session, source="duckdb", path=str(april))

    # Each file is its own source: the 3rd now holds April's file's event alone.
    assert (run.events_read, run.days_written) == (2, 2)
    assert daily(session) == {
        ("acme", MAR_2): (2, 2, 0, at("2026-03-02T10:00:00Z")),
        ("acme", MAR_3): (1, 1, 0, at("2026-03-03T08:00:00Z")),
        ("acme", date(2026, 4, 1)): (1, 1, 0, at("2026-04-01T08:00:00Z")),
    }


def test_files_without_the_event_columns_are_refused_with_what_was_expected(session, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("when,who,what\n2026-03-02,u1,Login\n")

    with pytest.raises(InvalidInput) as refused:
        rollup_usage(session=session, source="duckdb", path=str(path))

    message = str(refused.value)
    assert str(path) in message
    assert "timestamp, account_id, user_id, event" in message
    assert "found when, who, what" in message


@pytest.mark.parametrize(
    ("source", "path", "expected"),
    [
        ("duckdb", None, "give their path or glob"),
        ("app", "events.parquet", "give no path"),
        ("bigquery", None, "unknown rollup source 'bigquery'"),
        ("duckdb", "events.xlsx", "cannot tell the file kind from '.xlsx'"),
    ],
)
def test_a_source_and_path_that_do_not_fit_are_refused(session, source, path, expected):
    with pytest.raises(InvalidInput, match=expected):
        rollup_usage(session=session, source=source, path=path)


def test_rollups_count_the_activity_types_messages_call_activity():
    assert set(ACTIVITY_TYPES) == MESSAGE_ACTIVITY_TYPES


def test_headway_usage_rollup_prints_the_run_as_json_and_as_a_sentence(session):
    send(session, *EVENTS)
    runner = CliRunner()

    result = runner.invoke(app, ["usage", "rollup", "--json"])
    again = runner.invoke(app, ["usage", "rollup"])

    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert {k: run[k] for k in ("source", "events_read", "days_written")} == {
        "source": "app",
        "events_read": 8,
        "days_written": 3,
    }
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("Rolled up 0 new events from app: 0 account-days written")


def test_headway_usage_rollup_exits_1_naming_what_was_wrong(session, tmp_path: Path):
    result = CliRunner().invoke(app, ["usage", "rollup", "--source", "duckdb"])

    assert result.exit_code == 1
    assert "the duckdb source reads files: give their path or glob" in result.output
