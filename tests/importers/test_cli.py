"""headway import …: exit codes, --json, --dry-run, errors on stderr."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from headway.accounts.models import Account
from headway.cli import app
from headway.core.audit import AuditEntry
from tests.importers.support import write_file

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["import", *map(str, args)])


def test_import_accounts_prints_the_counts_as_json(session, tmp_path):
    path = write_file(tmp_path, "a.csv", "account_id,name,Tier\nacme,Acme,Gold\nacme,Acme,Gold\n")
    result = invoke("accounts", path, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary == {
        "status": "ok",
        "kind": "accounts",
        "format": "canonical",
        "file_type": "csv",
        "rows": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 1,
        "traits_columns": ["Tier"],
        "dry_run": False,
        "import_id": summary["import_id"],
    }
    # The command line is the actor of every write.
    labels = session.scalars(select(AuditEntry.actor_label).distinct()).all()
    assert set(labels) == {"command line", "rule: segments"}


def test_an_invalid_file_exits_1_with_every_error_as_json_and_writes_nothing(session, tmp_path):
    path = write_file(
        tmp_path,
        "subs.csv",
        "account_id,subscription_id,plan,amount,currency,interval,start_date,end_date\n"
        "ghost,s1,Pro,10,USD,month,2025-01-01,\n"
        "ghost,s2,Pro,10,XYZ,month,2025-01-01,\n",
    )
    result = invoke("subscriptions", path, "--json")
    assert result.exit_code == 1
    output = json.loads(result.stdout)
    assert output["status"] == "invalid"
    assert [(e["row"], e["column"], e["value"]) for e in output["errors"]] == [
        (2, "account_id", "ghost"),
        (3, "account_id", "ghost"),
        (3, "currency", "XYZ"),
    ]
    assert set(output["errors"][0]) == {"file", "row", "column", "value", "expected"}
    assert output["errors"][0]["file"] == str(path)


def test_without_json_errors_go_to_stderr_one_per_line(session, tmp_path):
    path = write_file(tmp_path, "a.csv", "account_id,name\nacme,\n,Globex\n")
    result = invoke("accounts", path)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"error: {path}, row 2, column name: expected a value: this column is required"
    )
    assert lines[1].startswith(f"error: {path}, row 3, column account_id")
    assert lines[2] == (
        f"2 problems in {path}: nothing was imported. "
        "Rows are numbered as a spreadsheet shows them: the header is row 1."
    )
    assert result.stdout == ""


def test_a_dry_run_writes_nothing(session, tmp_path):
    path = write_file(tmp_path, "a.csv", "account_id,name\nacme,Acme\n")
    result = invoke("accounts", path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would import 1 accounts rows" in result.stdout
    assert "1 created" in result.stdout and "nothing was written" in result.stdout
    assert session.scalar(select(func.count()).select_from(Account)) == 0


def test_contacts_of_imported_accounts_import_in_a_second_command(session, tmp_path):
    accounts = write_file(tmp_path, "a.csv", "account_id,name\nacme,Acme\n")
    contacts = write_file(tmp_path, "c.csv", "account_id,email\nacme,ann@acme.example\n")
    assert invoke("accounts", accounts).exit_code == 0
    result = invoke("contacts", contacts, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 1


def test_a_missing_file_is_a_usage_error(session, tmp_path):
    result = invoke("accounts", tmp_path / "nowhere.csv")
    assert result.exit_code == 2
