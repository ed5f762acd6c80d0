"""The headway command: what scripts rely on (exit codes and --json)."""

from __future__ import annotations

import json
from datetime import date

import time_machine
from typer.testing import CliRunner

from headway.accounts.schemas import AccountUpdate
from headway.accounts.service import update_account
from headway.cli import app
from headway.core.db import schema_is_current
from tests.helpers import SETUP, make_account, subscribe

runner = CliRunner()


def run(*args: str) -> dict | list:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_user_create_then_keys_create_print_json(session):
    user = run(
        "user",
        "create",
        "--email",
        "Ops@Example.com",
        "--name",
        "Ops",
        "--role",
        "admin",
        "--password",
        "ops-password-1",
        "--json",
    )
    assert user == {
        "id": user["id"],
        "email": "ops@example.com",
        "name": "Ops",
        "role": "admin",
        "active": True,
    }
    key = run("keys", "create", "--name", "crm", "--scope", "read", "--scope", "ingest", "--json")
    assert key["key"].startswith("hw_") and key["scopes"] == ["ingest", "read"]
    assert [u["email"] for u in run("user", "list", "--json")] == ["ops@example.com"]


def test_a_duplicate_user_exits_non_zero_with_the_reason(session, alice):
    result = runner.invoke(
        app, ["user", "create", "--email", alice.email, "--password", "whatever-123"]
    )
    assert result.exit_code == 1
    assert "exists already" in result.output


def test_accounts_list_and_resegment_print_json(session):
    acme = make_account(session, "acme", "Acme", segment="tech-touch")  # by hand: locked
    subscribe(session, acme, "a1", "10000", date(2025, 1, 1))
    update_account(
        session=session,
        actor=SETUP,
        permissions=None,
        account_id=acme.id,
        changes=AccountUpdate(segment_by_rule=True),
    )
    with time_machine.travel(date(2026, 1, 10), tick=False):
        assert run("accounts", "resegment", "--json") == {"moved": 1}
        listed = run("accounts", "list", "--json")
    assert listed["total"] == 1
    [item] = listed["items"]
    assert (item["name"], item["segment"], item["mrr"]) == ("Acme", "high-touch", 10000.0)


def test_db_upgrade_brings_a_fresh_database_to_the_latest_migration(tmp_path, monkeypatch):
    from headway.config import get_settings

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("HEADWAY_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert schema_is_current(url)
    finally:
        get_settings.cache_clear()


def test_any_command_on_a_fresh_database_creates_the_schema_itself(tmp_path, monkeypatch):
    from headway.config import get_settings

    url = f"sqlite:///{tmp_path / 'new.db'}"
    monkeypatch.setenv("HEADWAY_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        assert run("accounts", "list", "--json")["total"] == 0
        assert schema_is_current(url)
    finally:
        get_settings.cache_clear()


def test_serve_refuses_the_public_development_key_beyond_this_machine(monkeypatch):
    from headway.config import DEV_SECRET_KEY, get_settings

    monkeypatch.setenv("HEADWAY_SECRET_KEY", DEV_SECRET_KEY)
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "HEADWAY_SECRET_KEY" in result.output
