"""headway surveys create|schedule|cancel|campaigns|send: what scripts and cron rely on."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from typer.testing import CliRunner

from headway.cli import app
from headway.config import get_settings
from headway.surveys.service import opt_out
from tests.helpers import make_account, make_contact

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def smtp(monkeypatch, mailbox, database_url):
    """The commands' settings point at the test mail server."""
    monkeypatch.setenv("HEADWAY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HEADWAY_SMTP_PORT", str(mailbox.port))
    monkeypatch.setenv("HEADWAY_PUBLIC_URL", "https://cs.example.com")
    get_settings.cache_clear()
    yield mailbox
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def acme(session):
    account = make_account(session, "acme", "Acme", segment="high-touch", stage="adoption")
    make_contact(session, account, "ana@acme.example", "Ana Lima")
    make_contact(session, account, "ben@acme.example", "Ben Ode")
    globex = make_account(session, "globex", "Globex", segment="mid-touch")
    make_contact(session, globex, "gus@globex.example", "Gus Grant")
    return account


def run(*args: str) -> dict | list:
    result = runner.invoke(app, ["surveys", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_script_makes_and_schedules_a_campaign_and_cron_sends_it_once(session, acme, smtp):
    made = run(
        "create",
        "--survey",
        "nps",
        "--name",
        "Spring NPS",
        "--segment",
        "high-touch",
        "--account",
        "acme",
        "--reminder-after-days",
        "0",
        "--schedule",
        "--json",
    )
    assert (made["status"], made["audience"]) == (
        "scheduled",
        {"segments": ["high-touch"], "account_ids": [acme.id]},
    )
    assert made["reminder_after_days"] is None and made["created_by"] == "command line"
    opt_out(session=session, email="ben@acme.example")
    session.commit()

    due = run("send", "--dry-run", "--json")
    assert [(d["email"], d["kind"], d["skip"]) for d in due] == [
        ("ana@acme.example", "invitation", None),
        ("ben@acme.example", "invitation", "opted_out"),
    ]
    assert smtp.messages == []

    sent = run("send", "--json")
    assert sent["invitations_sent"] == 1 and sent["skipped"] == {"opted_out": 1}
    assert sent["campaigns"] == [
        {
            "id": made["id"],
            "name": "Spring NPS",
            "invitations_sent": 1,
            "reminders_sent": 0,
            "skipped": 1,
        }
    ]
    assert [str(m["To"]) for m in smtp.wait_for(1)] == ["Ana Lima <ana@acme.example>"]
    again = run("send", "--json")
    assert (again["invitations_sent"], again["campaigns"]) == (0, [])

    [listed] = run("campaigns", "--json")
    assert (listed["status"], listed["counts"]["sent"], listed["counts"]["skipped"]) == (
        "sent",
        1,
        1,
    )


def test_send_without_an_smtp_server_exits_non_zero_and_says_what_to_set(session, acme):
    run("create", "--survey", "nps", "--name", "Pulse", "--schedule", "--json")
    result = runner.invoke(app, ["surveys", "send"])
    assert result.exit_code == 1
    assert "HEADWAY_SMTP_HOST" in result.output
    assert run("campaigns", "--json")[0]["status"] == "scheduled"


def test_schedule_and_cancel_by_id_and_a_bad_option_names_itself(session, acme):
    made = run(
        "create",
        "--survey",
        "csat",
        "--name",
        "After tickets",
        "--trigger",
        "ticket_solved",
        "--json",
    )
    assert run("schedule", str(made["id"]), "--json")["status"] == "active"
    assert run("cancel", str(made["id"]), "--json")["status"] == "cancelled"
    assert run("campaigns", "--status", "cancelled", "--json")[0]["id"] == made["id"]

    refused = runner.invoke(
        app, ["surveys", "create", "--survey", "nps", "--name", "X", "--persona", "ceo"]
    )
    assert refused.exit_code == 1
    assert "audience.personas: unknown persona 'ceo'" in refused.output
    bad_time = runner.invoke(app, ["surveys", "schedule", str(made["id"]), "--send-at", "soon"])
    assert bad_time.exit_code == 2
    assert "expected YYYY-MM-DD" in bad_time.output


def test_the_human_output_lists_campaigns_and_what_is_due(session, acme):
    run("create", "--survey", "ces", "--name", "Effort check", "--schedule", "--json")
    listed = runner.invoke(app, ["surveys", "campaigns"])
    assert listed.exit_code == 0 and "Effort check" in listed.output
    due = runner.invoke(app, ["surveys", "send", "--dry-run"])
    assert due.exit_code == 0
    assert "Globex" in due.output and "invitation" in due.output
