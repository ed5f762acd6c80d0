"""Importing tickets: each helpdesk's columns and units, account errors, re-imports by id."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select
from typer.testing import CliRunner

from headway.cli import app
from headway.contacts.models import Contact
from headway.core.audit import AuditEntry
from headway.support.models import Ticket
from tests.helpers import make_account, make_contact
from tests.importers.support import counts, run_import, where, write_file

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
CANONICAL = (
    "ticket_id,account_id,requester_email,subject,channel,type,priority,status,created_at,"
    "first_reply_at,solved_at,agent_replies,reopens,satisfaction,tags\n"
)
ZENDESK = (
    "Id,Organization,Requester email,Subject,Via,Type,Priority,Status,Created at,Solved at,"
    "Reopens,Replies,Satisfaction Score,Tags,First reply time in minutes,"
    "First reply time in minutes within business hours,Full resolution time in minutes,"
    "Full resolution time in minutes within business hours,Assignee\n"
)
HUBSPOT = (
    "Ticket ID,Ticket name,Associated Company ID,Ticket status,Priority,Create date,Close date,"
    "Time to first agent reply,Time to close,Source\n"
)
INTERCOM = (
    "id,company_id,state,created_at,first_admin_reply_at,closed_at,count_reopens,"
    "count_conversation_parts,conversation_rating,tags\n"
)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def acme(session, bob):
    account = make_account(session, "acme", owner=bob)
    make_contact(session, account, "jane@acme.com", "Jane Roe")
    return account


def tickets(session):
    return {t.external_id: t for t in session.scalars(select(Ticket))}


def jane_id(session):
    return session.scalar(select(Contact.id).where(Contact.email == "jane@acme.com"))


def test_a_headway_file_stores_tickets_with_their_requester_contact(session, tmp_path, acme):
    path = write_file(
        tmp_path,
        "tickets.csv",
        CANONICAL
        + "T-1,acme,Jane@Acme.com,Login fails,email,incident,high,solved,2026-01-05T09:00,"
        '2026-01-05T09:45,2026-01-06T10:00,2,1,good,"billing, login vip"\n'
        "T-2,acme,someone@else.com,Question,web,question,,open,2026-01-07,,,,,4,\n",
    )
    result = run_import(session, "tickets", path)

    assert (result.format, counts(result)) == ("canonical", (2, 0, 0, 0))
    one, two = tickets(session)["T-1"], tickets(session)["T-2"]
    assert (one.source, one.account_id, one.requester_contact_id) == (
        "headway",
        acme.id,
        jane_id(session),
    )
    assert (one.requester_email, one.priority, one.status) == ("jane@acme.com", "high", "solved")
    assert (one.created_at, one.first_reply_at, one.solved_at) == (
        at(2026, 1, 5, 9),
        at(2026, 1, 5, 9, 45),
        at(2026, 1, 6, 10),
    )
    assert (one.agent_replies, one.reopens, one.satisfaction, one.satisfaction_scale) == (
        2,
        1,
        "good",
        "good_bad",
    )
    assert one.tags == ["billing", "login", "vip"]
    # A requester who is not a contact of the account is kept by email only; empty cells default.
    assert (two.requester_contact_id, two.requester_email) == (None, "someone@else.com")
    assert (two.priority, two.reopens, two.agent_replies, two.tags) == ("normal", 0, None, [])
    assert (two.satisfaction, two.satisfaction_scale) == ("4", "1-5")
    assert two.first_reply_minutes_calendar is None  # Headway computes it from the times


def test_a_zendesk_export_keeps_its_minutes_and_derives_the_first_reply_time(
    session, tmp_path, acme
):
    path = write_file(
        tmp_path,
        "zendesk.csv",
        ZENDESK
        + "101,acme,jane@acme.com,Export broken,Mail,Problem,Urgent,Closed,2026-01-09 16:30:00,"
        "2026-01-12 10:00:00,0,3,Good,export urgent_fix,90,30,3930,90,Sam\n"
        "102,acme,,Invoice copy,Web form,Question,,Pending,2026-01-10T08:00:00Z,,,,Offered,,,,,,\n",
    )
    result = run_import(session, "tickets", path)

    assert (result.format, counts(result)) == ("zendesk", (2, 0, 0, 0))
    assert result.traits_columns == ["Assignee"]
    found = tickets(session)
    one, two = found["zendesk:101"], found["zendesk:102"]
    assert (one.source, one.channel, one.type, one.priority, one.status) == (
        "zendesk",
        "email",
        "problem",
        "urgent",
        "closed",
    )
    # Minutes as Zendesk measured them; the first reply is 90 calendar minutes after creation.
    assert (
        one.first_reply_minutes_calendar,
        one.first_reply_minutes_business,
        one.resolution_minutes_calendar,
        one.resolution_minutes_business,
    ) == (90, 30, 3930, 90)
    assert (one.first_reply_at, one.solved_at) == (at(2026, 1, 9, 18, 0), at(2026, 1, 12, 10))
    assert (one.agent_replies, one.satisfaction, one.tags) == (3, "good", ["export", "urgent_fix"])
    assert one.requester_contact_id == jane_id(session)
    # "Offered": a survey sent and not answered is no rating.
    assert (two.satisfaction, two.satisfaction_scale, two.priority, two.channel) == (
        None,
        None,
        "normal",
        "web",
    )
    assert (two.status, two.first_reply_at) == ("pending", None)


def test_a_hubspot_export_reads_milliseconds_and_its_priority_words(session, tmp_path, acme):
    path = write_file(
        tmp_path,
        "hubspot.csv",
        HUBSPOT
        + "5001,Cannot sign in,acme,Closed,MEDIUM,2026-01-05 09:00,2026-01-05 13:30,5430000,"
        "16200000,Email\n"
        "5002,Feature ask,acme,Waiting on contact,LOW,2026-01-06 10:00,,,,Chat\n",
    )
    result = run_import(session, "tickets", path)

    assert (result.format, counts(result)) == ("hubspot", (2, 0, 0, 0))
    one, two = tickets(session)["hubspot:5001"], tickets(session)["hubspot:5002"]
    assert (one.subject, one.priority, one.status, one.channel) == (
        "Cannot sign in",
        "normal",
        "closed",
        "email",
    )
    # 5,430,000 ms = 90.5 minutes (rounded half up to 91); 16,200,000 ms = 270 minutes.
    assert (one.first_reply_minutes_calendar, one.resolution_minutes_calendar) == (91, 270)
    assert one.first_reply_at == at(2026, 1, 5, 10, 30, 30)
    assert (one.solved_at, one.closed_at) == (at(2026, 1, 5, 13, 30), at(2026, 1, 5, 13, 30))
    assert (two.priority, two.status, two.first_reply_at, two.solved_at) == (
        "low",
        "pending",
        None,
        None,
    )


def test_an_intercom_export_reads_unix_seconds_states_and_ratings(session, tmp_path, acme):
    path = write_file(
        tmp_path,
        "intercom.csv",
        INTERCOM + "9001,acme,closed,1767607200,1767609000,1767621600,1,4,5,\n"
        "9002,acme,snoozed,1767610800,,,0,0,,\n",
    )
    result = run_import(session, "tickets", path)

    assert (result.format, counts(result)) == ("intercom", (2, 0, 0, 0))
    one, two = tickets(session)["intercom:9001"], tickets(session)["intercom:9002"]
    assert (one.created_at, one.first_reply_at, one.solved_at) == (
        at(2026, 1, 5, 10),
        at(2026, 1, 5, 10, 30),
        at(2026, 1, 5, 14),
    )
    assert (one.status, one.reopens, one.agent_replies) == ("solved", 1, 4)
    assert (one.satisfaction, one.satisfaction_scale) == ("5", "1-5")
    assert (two.status, two.created_at, two.satisfaction) == ("pending", at(2026, 1, 5, 11), None)


def test_an_unknown_account_refuses_the_whole_file_naming_row_and_column(session, tmp_path, acme):
    path = write_file(
        tmp_path,
        "zendesk.csv",
        ZENDESK + "101,acme,,A,Mail,,,Open,2026-01-09 16:30:00,,,,,,,,,,\n"
        "102,initech,,B,Mail,,,Open,2026-01-09 16:30:00,,,,,,,,,,\n",
    )
    result = run_import(session, "tickets", path)

    assert where(result) == [(3, "Organization", "initech")]
    assert str(result.errors[0]).startswith("zendesk.csv, row 3, column Organization: 'initech'")
    assert tickets(session) == {}


def test_a_status_or_priority_outside_the_known_ones_names_the_accepted_values(
    session, tmp_path, acme
):
    path = write_file(
        tmp_path,
        "tickets.csv",
        CANONICAL + "T-1,acme,,Hi,email,,critical,escalated,2026-01-05,,,,,,\n",
    )
    result = run_import(session, "tickets", path)

    assert where(result) == [(2, "priority", "critical"), (2, "status", "escalated")]
    assert "low, normal, high, urgent" in result.errors[0].expected
    assert "new, open, pending, hold, solved, closed" in result.errors[1].expected
    assert tickets(session) == {}


def test_importing_again_changes_only_what_changed_and_ids_of_helpdesks_never_clash(
    session, tmp_path, acme
):
    rows = (
        "101,acme,,A,email,,,open,2026-01-05T09:00,,,,,,\n"
        "102,acme,,B,email,,,open,2026-01-05T10:00,,,,,,\n"
    )
    path = write_file(tmp_path, "tickets.csv", CANONICAL + rows)
    assert counts(run_import(session, "tickets", path)) == (2, 0, 0, 0)
    assert counts(run_import(session, "tickets", path)) == (0, 0, 2, 0)

    path.write_text(CANONICAL + rows.replace("B,email,,,open", "B,email,,,solved"))
    assert counts(run_import(session, "tickets", path)) == (0, 1, 1, 0)
    update = session.scalars(select(AuditEntry).where(AuditEntry.action == "ticket.update")).one()
    assert (update.before, update.after) == ({"status": "open"}, {"status": "solved"})

    # Zendesk's ticket 101 is another ticket than Headway's 101.
    zendesk = write_file(
        tmp_path, "zendesk.csv", ZENDESK + "101,acme,,Z,Mail,,,Open,2026-01-09 16:30:00,,,,,,,,,,\n"
    )
    assert counts(run_import(session, "tickets", zendesk)) == (1, 0, 0, 0)
    assert sorted(tickets(session)) == ["101", "102", "zendesk:101"]


def test_the_command_imports_tickets_and_prints_json(session, tmp_path, acme):
    path = write_file(tmp_path, "intercom.csv", INTERCOM + "9001,acme,open,1767607200,,,0,1,,\n")
    output = CliRunner().invoke(app, ["import", "tickets", str(path), "--json"])

    assert output.exit_code == 0, output.output
    summary = json.loads(output.output)
    assert (summary["format"], summary["created"]) == ("intercom", 1)
