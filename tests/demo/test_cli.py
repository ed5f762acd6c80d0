"""headway demo generate / load-if-empty: what `make demo` and scripts rely on."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session
from typer.testing import CliRunner

from headway.cli import app

runner = CliRunner()
DEMO = ["--accounts", "30", "--seed", "2", "--as-of", "2026-06-30"]


def run_json(*args: str) -> dict:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_generate_prints_what_it_wrote_and_the_demo_login(session: Session) -> None:
    report = run_json("demo", "generate", *DEMO, "--json")
    assert report["loaded"] is True
    assert report["accounts"] == 30 and report["contacts"] >= 60
    assert report["subscriptions"] >= 30 and report["users"] == 7
    assert report["success_plans"] >= 30 and report["goals"] >= 30
    assert report["evidence"] > 0 and report["milestones"] > 0 and report["activities"] > 0
    assert report["as_of"] == "2026-06-30" and report["seed"] == 2
    assert report["login"] == {"email": "admin@demo.headway.test", "password": "headway-demo"}
    assert report["seconds"] >= 0


def test_generate_refuses_a_second_run_unless_told_to_replace(session: Session) -> None:
    run_json("demo", "generate", *DEMO, "--json")
    again = runner.invoke(app, ["demo", "generate", *DEMO])
    assert again.exit_code == 1
    assert "has 30 accounts already" in again.output
    assert "--replace" in again.output
    replaced = run_json("demo", "generate", *DEMO, "--replace", "--json")
    assert replaced["replaced_accounts"] == 30 and replaced["accounts"] == 30


def test_load_if_empty_loads_once_then_says_it_did_nothing(session: Session) -> None:
    first = runner.invoke(app, ["demo", "load-if-empty", *DEMO])
    assert first.exit_code == 0, first.output
    assert "admin@demo.headway.test" in first.output and "headway-demo" in first.output
    assert run_json("demo", "load-if-empty", *DEMO, "--json") == {
        "loaded": False,
        "reason": "the database has accounts already",
    }


def test_generate_with_out_writes_files_and_leaves_the_database_alone(
    session: Session, tmp_path: Path
) -> None:
    report = run_json("demo", "generate", *DEMO, "--out", str(tmp_path / "bulk"), "--json")
    assert [Path(f).name for f in report["files"]] == [
        "accounts.csv",
        "accounts.parquet",
        "contacts.csv",
        "contacts.parquet",
        "subscriptions.csv",
        "subscriptions.parquet",
        "activities.csv",
        "activities.parquet",
        "tickets.csv",
        "tickets.parquet",
        "survey_responses.csv",
        "survey_responses.parquet",
    ]
    assert report["into"] == str(tmp_path / "bulk")
    # Nothing went into the database: generating into it still works.
    assert run_json("demo", "generate", *DEMO, "--json")["accounts"] == 30


def test_a_badly_written_date_is_refused(session: Session) -> None:
    result = runner.invoke(app, ["demo", "generate", "--as-of", "30/06/2026"])
    assert result.exit_code == 2
