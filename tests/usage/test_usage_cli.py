"""`headway import events` and `headway usage stats`: what scripts and people read."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from headway.cli import app
from headway.usage.models import UsageEvent
from tests.helpers import make_account
from tests.importers.support import write_file

runner = CliRunner()

FLAT = (
    "timestamp,account_id,user_id,event\n"
    "2026-01-05T08:00:00Z,acme,u1,Login\n"
    "2026-01-05T09:00:00Z,acme,u2,Report Created\n"
    "2026-01-05T10:00:00Z,globex,u3,Login\n"
)


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_import_events_prints_what_was_stored_as_json(session, tmp_path):
    path = write_file(tmp_path, "events.csv", FLAT)
    result = invoke("import", "events", path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "status": "ok",
        "kind": "events",
        "file_type": "csv",
        "shape": "flat",
        "rows": 3,
        "stored": 3,
        "duplicates": 0,
        "contacts": 0,
    }
    again = invoke("import", "events", path, "--json")
    assert json.loads(again.stdout)["stored"] == 0
    assert json.loads(again.stdout)["duplicates"] == 3


def test_import_events_says_what_it_did_in_a_sentence(session, tmp_path):
    path = write_file(tmp_path, "events.jsonl", json.dumps({"type": "page", "userId": "u1"}))
    result = invoke("import", "events", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"Imported 1 event from {path} (segment rows, jsonl): "
        "1 new, 0 duplicates of events stored already."
    )


def test_a_bad_event_file_exits_1_with_every_error_as_json(session, tmp_path):
    path = write_file(tmp_path, "events.csv", FLAT + "tomorrow,acme,u1,Login\n2026-01-05,,,Login\n")
    result = invoke("import", "events", path, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "status": "invalid",
        "errors": [
            {
                "file": str(path),
                "row": 5,
                "column": "timestamp",
                "value": "tomorrow",
                "expected": "an ISO 8601 date-time, e.g. 2025-01-31T14:30:00Z "
                "(UTC unless an offset is given)",
            },
            {
                "file": str(path),
                "row": 6,
                "column": "user_id",
                "value": "",
                "expected": "a user_id or an anonymous_id: one of them is required",
            },
        ],
    }
    assert session.scalar(select(func.count()).select_from(UsageEvent)) == 0


def test_without_json_event_errors_go_to_stderr_one_per_line(session, tmp_path):
    path = write_file(tmp_path, "events.jsonl", '{"type": "track", "userId": "u1"}\n')
    result = invoke("import", "events", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {path}, line 1, field event: expected an event name: a track message needs one",
        f"1 problem in {path}: nothing was imported.",
    ]


def test_a_missing_event_file_is_a_usage_error(session, tmp_path):
    assert invoke("import", "events", tmp_path / "nowhere.jsonl").exit_code == 2


def test_usage_stats_prints_events_accounts_and_users_as_json(session, tmp_path):
    make_account(session, "acme")
    assert invoke("import", "events", write_file(tmp_path, "e.csv", FLAT)).exit_code == 0
    result = invoke("usage", "stats", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "events": 3,
        "accounts": 2,
        "users": 3,
        "known_accounts": 1,
        "events_without_account": 0,
    }


def test_usage_stats_of_an_empty_database_are_zeros(session):
    result = invoke("usage", "stats", "--json")
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert (stats["events"], stats["accounts"], stats["users"]) == (0, 0, 0)


def test_usage_stats_without_json_is_a_table(session, tmp_path):
    invoke("import", "events", write_file(tmp_path, "e.csv", FLAT))
    result = invoke("usage", "stats")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any("events stored" in line and "3" in line for line in lines)
    assert any("events waiting for an account" in line and "0" in line for line in lines)
