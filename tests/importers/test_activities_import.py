"""Importing activities: times in UTC, people, upserts by external id or by content, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from headway.activities.models import Activity, ActivityContact, ActivityUser
from headway.activities.service import links_of
from headway.cli import app
from headway.contacts.models import Contact
from headway.core.audit import AuditEntry
from headway.core.errors import PermissionDenied
from headway.importers.activities import DERIVED_PREFIX
from tests.helpers import log_touch, make_account, make_contact
from tests.importers.support import counts, run_import, where, write_file

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
HEADER = "account_id,type,occurred_at,minutes,subject,notes,user_email,contact_email,external_id"
TYPE_KEYS = (
    "meeting, call, check_in, email, training, onboarding_session, business_review, "
    "report_sent, webinar, in_app, escalation"
)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def acme(session, bob):
    account = make_account(session, "acme", owner=bob)
    make_contact(session, account, "jane@acme.com", "Jane Roe")
    make_contact(session, account, "raj@acme.com", "Raj Patel")
    return account


def activities(session):
    return session.scalars(select(Activity).order_by(Activity.occurred_at, Activity.id)).all()


def audit_rows(session, action):
    return session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def contact_ids(session, *emails):
    by_email = dict(session.execute(select(Contact.email, Contact.id)).all())
    return [by_email[email] for email in emails]


def number_of(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_canonical_file_creates_activities_in_utc_with_their_people(
    session, tmp_path, acme, bob, erin
):
    path = write_file(
        tmp_path,
        "activities.csv",
        f"{HEADER}\n"
        "acme,meeting,2026-01-05,,Kick-off,Agenda agreed,bob@example.com,jane@acme.com,crm-1\n"
        "acme,Business review,2026-01-20T15:30,90,Q1 review,,"
        "BOB@example.com; erin@example.com,Jane@Acme.com;raj@acme.com,\n"
        "acme,call,2026-01-21T10:00+02:00,,,,,,\n",
    )
    result = run_import(session, "activities", path)

    assert (result.format, counts(result)) == ("canonical", (3, 0, 0, 0))
    kickoff, review, call = activities(session)
    # A date is 00:00 UTC, a time without an offset is UTC, an offset is converted to UTC.
    assert kickoff.occurred_at == datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
    assert review.occurred_at == datetime(2026, 1, 20, 15, 30, tzinfo=UTC)
    assert call.occurred_at == datetime(2026, 1, 21, 8, 0, tzinfo=UTC)
    # An empty minutes cell is the type's usual duration (meeting 60, call 30).
    assert [(a.type.key, a.minutes) for a in (kickoff, review, call)] == [
        ("meeting", 60),
        ("business_review", 90),
        ("call", 30),
    ]
    assert (kickoff.subject, kickoff.notes, kickoff.external_id) == (
        "Kick-off",
        "Agenda agreed",
        "crm-1",
    )
    assert review.external_id.startswith(DERIVED_PREFIX) and len(review.external_id) == 47
    assert {a.logged_by for a in (kickoff, review, call)} == {"command line"}
    links = links_of(session=session, activity_ids=[kickoff.id, review.id, call.id])
    jane, raj = contact_ids(session, "jane@acme.com", "raj@acme.com")
    assert (links[kickoff.id].user_ids, links[kickoff.id].contact_ids) == ([bob.id], [jane])
    assert links[review.id].user_ids == sorted([bob.id, erin.id])
    assert links[review.id].contact_ids == sorted([jane, raj])
    # Nobody is assumed to have taken part when the file names nobody.
    assert (links[call.id].user_ids, links[call.id].contact_ids) == ([], [])


def test_each_created_activity_has_its_audit_row_attributed_to_the_import(
    session, tmp_path, acme, bob
):
    path = write_file(
        tmp_path,
        "a.csv",
        f"{HEADER}\nacme,meeting,2026-01-05T10:00,45,Kick-off,,bob@example.com,jane@acme.com,crm-1\n",
    )
    result = run_import(session, "activities", path)

    (activity,) = activities(session)
    (row,) = audit_rows(session, "activity.create")
    assert (row.entity_id, row.account_id, row.import_id, row.actor_label) == (
        activity.id,
        acme.id,
        result.import_id,
        "command line",
    )
    assert row.after == {
        "type_id": activity.type_id,
        "occurred_at": "2026-01-05T10:00:00+00:00",
        "minutes": 45,
        "subject": "Kick-off",
        "notes": "",
        "user_ids": [bob.id],
        "contact_ids": contact_ids(session, "jane@acme.com"),
        "goal_ids": [],
    }


def test_re_importing_the_same_file_creates_and_updates_nothing(session, tmp_path, acme, bob):
    path = write_file(
        tmp_path,
        "a.csv",
        f"{HEADER}\n"
        "acme,meeting,2026-01-05,,Kick-off,,bob@example.com,jane@acme.com,crm-1\n"
        "acme,email,2026-01-06T08:15:00Z,,Welcome pack,,,,\n"
        "acme,call,2026-01-07,,,,,raj@acme.com,\n",
    )
    assert counts(run_import(session, "activities", path)) == (3, 0, 0, 0)
    audits = number_of(session, AuditEntry)

    again = run_import(session, "activities", path)

    assert counts(again) == (0, 0, 3, 0)
    assert number_of(session, Activity) == 3
    assert number_of(session, ActivityUser) == 1 and number_of(session, ActivityContact) == 2
    assert number_of(session, AuditEntry) == audits


def test_a_row_without_an_external_id_is_known_by_account_type_time_and_subject(
    session, tmp_path, acme
):
    first = write_file(
        tmp_path, "a.csv", f"{HEADER}\nacme,meeting,2026-01-05,,Kick-off,Draft agenda,,,\n"
    )
    run_import(session, "activities", first)
    # Other notes and minutes: the same activity, updated.
    notes = write_file(
        tmp_path, "b.csv", f"{HEADER}\nacme,meeting,2026-01-05,75,Kick-off,Agenda agreed,,,\n"
    )
    assert counts(run_import(session, "activities", notes)) == (0, 1, 0, 0)
    (activity,) = activities(session)
    assert (activity.minutes, activity.notes) == (75, "Agenda agreed")
    (update,) = audit_rows(session, "activity.update")
    assert (update.before, update.after) == (
        {"minutes": 60, "notes": "Draft agenda"},
        {"minutes": 75, "notes": "Agenda agreed"},
    )
    # Another subject (or time, or type) is another activity.
    other = write_file(tmp_path, "c.csv", f"{HEADER}\nacme,meeting,2026-01-05,,Kick-off call,,,,\n")
    assert counts(run_import(session, "activities", other)) == (1, 0, 0, 0)
    assert number_of(session, Activity) == 2


def test_an_external_id_updates_the_activity_and_its_people_with_one_audit_row(
    session, tmp_path, acme, bob, erin
):
    header = "account_id,type,occurred_at,subject,user_email,external_id"
    first = write_file(
        tmp_path, "a.csv", f"{header}\nacme,call,2026-01-05,Intro,bob@example.com,crm-7\n"
    )
    run_import(session, "activities", first)
    moved = write_file(
        tmp_path,
        "b.csv",
        f"{header}\nacme,meeting,2026-01-06T14:00,Intro meeting,erin@example.com,crm-7\n",
    )
    result = run_import(session, "activities", moved)

    assert counts(result) == (0, 1, 0, 0)
    (activity,) = activities(session)
    assert (activity.type.key, activity.subject, activity.minutes) == (
        "meeting",
        "Intro meeting",
        30,  # no minutes column: a stored activity keeps its minutes
    )
    assert links_of(session=session, activity_ids=[activity.id])[activity.id].user_ids == [erin.id]
    (update,) = audit_rows(session, "activity.update")
    assert update.import_id == result.import_id
    assert update.before == {
        "type_id": update.before["type_id"],
        "occurred_at": "2026-01-05T00:00:00+00:00",
        "subject": "Intro",
        "user_ids": [bob.id],
    }
    assert update.after == {
        "type_id": activity.type_id,
        "occurred_at": "2026-01-06T14:00:00+00:00",
        "subject": "Intro meeting",
        "user_ids": [erin.id],
    }


def test_an_empty_minutes_cell_resets_a_stored_activity_to_the_types_duration(
    session, tmp_path, acme
):
    header = "account_id,type,occurred_at,minutes,external_id"
    run_import(
        session,
        "activities",
        write_file(tmp_path, "a.csv", f"{header}\nacme,call,2026-01-05,50,c1\n"),
    )
    result = run_import(
        session,
        "activities",
        write_file(tmp_path, "b.csv", f"{header}\nacme,call,2026-01-05,,c1\n"),
    )
    assert counts(result) == (0, 1, 0, 0)
    assert activities(session)[0].minutes == 30


def test_an_activity_logged_through_the_api_is_updated_by_its_external_id(session, tmp_path, acme):
    log_touch(session, acme, "call", datetime(2026, 1, 5, tzinfo=UTC), external_id="crm-9")
    path = write_file(
        tmp_path,
        "a.csv",
        "account_id,type,occurred_at,subject,external_id\nacme,call,2026-01-05,Renewal,crm-9\n",
    )
    assert counts(run_import(session, "activities", path)) == (0, 1, 0, 0)
    assert [a.subject for a in activities(session)] == ["Renewal"]


def test_identical_rows_are_one_activity_and_conflicting_ones_are_an_error(session, tmp_path, acme):
    same = write_file(
        tmp_path,
        "same.csv",
        f"{HEADER}\n"
        "acme,meeting,2026-01-05,,Kick-off,Agenda,,,\n"
        "acme,meeting,2026-01-05,,Kick-off,Agenda,,,\n",
    )
    assert counts(run_import(session, "activities", same)) == (1, 0, 0, 1)

    clash = write_file(
        tmp_path,
        "clash.csv",
        f"{HEADER}\n"
        "acme,call,2026-01-06,,Check,First,,,\n"
        "acme,call,2026-01-06,,Check,Second,,,\n"
        "acme,call,2026-01-07,,,,,,x1\n"
        "acme,call,2026-01-08,,,,,,x1\n",
    )
    result = run_import(session, "activities", clash)
    assert where(result) == [(3, "subject", "Check"), (5, "external_id", "x1")]
    assert result.errors[0].expected == (
        "the same values as row 2, which has this account_id, type, occurred_at and subject "
        "(and no external_id) too (rows of one id must agree)"
    )
    assert number_of(session, Activity) == 1


def test_every_bad_activity_value_is_listed_and_nothing_is_written(session, tmp_path, acme):
    make_account(session, "globex")
    make_contact(session, make_account(session, "initech"), "pat@initech.com")
    path = write_file(
        tmp_path,
        "bad.csv",
        f"{HEADER}\n"
        "acme,meeting,2026-01-05,,Fine,,,,\n"  # row 2: fine
        "ghost,lunch,05/01/2026,90 min,,,,,\n"  # row 3: four problems
        "acme,call,2026-02-30,20000,,,nobody@example.com,jane@,\n"  # row 4: four problems
        "globex,call,2026-01-05T25:00,,,,Bob,pat@initech.com,\n"  # row 5: three problems
        ",,,,,,,,\n"  # empty: skipped
        "acme,,,,,,,,\n",  # row 7: two required values missing
    )
    result = run_import(session, "activities", path)

    assert where(result) == [
        (3, "account_id", "ghost"),
        (3, "type", "lunch"),
        (3, "occurred_at", "05/01/2026"),
        (3, "minutes", "90 min"),
        (4, "occurred_at", "2026-02-30"),
        (4, "minutes", "20000"),
        (4, "user_email", "nobody@example.com"),
        (4, "contact_email", "jane@"),
        (5, "occurred_at", "2026-01-05T25:00"),
        (5, "user_email", "Bob"),
        (5, "contact_email", "pat@initech.com"),
        (7, "type", ""),
        (7, "occurred_at", ""),
    ]
    expected = [e.expected for e in result.errors]
    assert expected[0] == "the account_id of an account in Headway (import accounts first)"
    assert expected[1] == f"an activity type: {TYPE_KEYS}"
    assert expected[2] == (
        "an ISO date or date and time, e.g. 2025-01-31 or 2025-01-31T14:30 "
        "(UTC unless an offset is given, e.g. 2025-01-31T14:30+01:00)"
    )
    assert expected[3] == expected[5] == "a whole number of minutes from 0 to 10080 (a week)"
    assert expected[4] == "an existing calendar date YYYY-MM-DD"
    assert expected[6] == "the email (or full name) of a Headway user, several separated by ';'"
    assert expected[7] == "an email address, e.g. jane@example.com"
    assert expected[8] == "an existing date and time, e.g. 2025-01-31T14:30"
    assert expected[10] == (
        "the email of a contact of this account (import contacts first), several separated by ';'"
    )
    assert expected[11] == "a value: this column is required"
    assert str(result.errors[1]) == (
        f"bad.csv, row 3, column type: 'lunch': expected an activity type: {TYPE_KEYS}"
    )
    assert number_of(session, Activity) == 0


def test_one_unknown_person_among_several_is_named(session, tmp_path, acme, bob):
    path = write_file(
        tmp_path,
        "a.csv",
        "account_id,type,occurred_at,user_email\nacme,call,2026-01-05,bob@example.com;zed@x.io\n",
    )
    (error,) = run_import(session, "activities", path).errors
    assert error.expected == (
        "the email (or full name) of a Headway user, several separated by ';' ('zed@x.io' is none)"
    )


def test_an_external_id_of_another_accounts_activity_is_refused(session, tmp_path, acme):
    globex = make_account(session, "globex")
    log_touch(session, globex, "call", datetime(2026, 1, 5, tzinfo=UTC), external_id="crm-1")
    path = write_file(
        tmp_path, "a.csv", "account_id,type,occurred_at,external_id\nacme,call,2026-01-05,crm-1\n"
    )
    result = run_import(session, "activities", path)

    assert where(result) == [(2, "external_id", "crm-1")]
    assert result.errors[0].expected == (
        "an id no activity of another account has (it is an activity of account globex)"
    )
    assert [a.account_id for a in activities(session)] == [globex.id]


def test_a_column_headway_does_not_read_is_refused(session, tmp_path, acme):
    path = write_file(
        tmp_path, "a.csv", "account_id,type,occurred_at,Priority\nacme,call,2026-01-05,High\n"
    )
    result = run_import(session, "activities", path)
    assert where(result) == [(1, "Priority", "Priority")]
    assert result.errors[0].expected == (
        "only the columns account_id, type, occurred_at, minutes, subject, notes, user_email, "
        "contact_email and external_id (remove or rename this column)"
    )


def test_a_salesforce_task_export_is_read_by_its_labels(session, tmp_path, acme, bob):
    path = write_file(
        tmp_path,
        "tasks.csv",
        "Activity ID,Account ID,Subject,Type,Activity Date,Assigned To,Comments\n"
        "00T1,acme,Renewal call,Call,2026-01-12,Bob Brown,Talked numbers\n"
        "00T2,acme,QBR,Meeting,2026-01-19T16:00:00.000Z,bob@example.com,\n",
    )
    result = run_import(session, "activities", path)

    assert (result.format, counts(result)) == ("salesforce", (2, 0, 0, 0))
    call, meeting = activities(session)
    assert (call.external_id, call.type.key, call.notes) == ("00T1", "call", "Talked numbers")
    assert meeting.occurred_at == datetime(2026, 1, 19, 16, 0, tzinfo=UTC)
    links = links_of(session=session, activity_ids=[call.id, meeting.id])
    assert links[call.id].user_ids == links[meeting.id].user_ids == [bob.id]


def test_a_missing_required_column_names_the_salesforce_label_too(session, tmp_path, acme):
    path = write_file(tmp_path, "a.csv", "account_id,type,subject\nacme,call,Hi\n")
    (error,) = run_import(session, "activities", path).errors
    assert (error.row, error.column) == (1, "occurred_at")
    assert error.expected == (
        "the column occurred_at; or in a Salesforce Task or Event export: 'Activity Date'"
    )


def test_an_xlsx_file_with_typed_dates_and_times_is_read(session, tmp_path, acme):
    book = Workbook()
    sheet = book.active
    sheet.append(["account_id", "type", "occurred_at", "minutes", "external_id"])
    # Spreadsheet cells hold times without a zone.
    training_at = datetime(2026, 1, 8, 13, 45, tzinfo=UTC).replace(tzinfo=None)
    webinar_on = datetime(2026, 1, 9, tzinfo=UTC).replace(tzinfo=None)
    sheet.append(["acme", "training", training_at, 120, 1001])
    sheet.append(["acme", "webinar", webinar_on, None, 1002])
    path = tmp_path / "activities.xlsx"
    book.save(path)

    result = run_import(session, "activities", path)

    assert (result.file_type, counts(result)) == ("xlsx", (2, 0, 0, 0))
    training, webinar = activities(session)
    assert (training.occurred_at, training.minutes, training.external_id) == (
        datetime(2026, 1, 8, 13, 45, tzinfo=UTC),
        120,
        "1001",
    )
    assert (webinar.occurred_at, webinar.minutes) == (datetime(2026, 1, 9, tzinfo=UTC), 60)


def test_a_dry_run_counts_and_writes_nothing(session, tmp_path, acme):
    path = write_file(tmp_path, "a.csv", f"{HEADER}\nacme,call,2026-01-05,,,,,,\n")
    result = run_import(session, "activities", path, dry_run=True)
    assert (result.dry_run, counts(result)) == (True, (1, 0, 0, 0))
    assert number_of(session, Activity) == 0
    assert audit_rows(session, "activity.create") == []


def test_only_admins_and_managers_import_activities(session, tmp_path, acme, bob, dave):
    path = write_file(tmp_path, "a.csv", f"{HEADER}\nacme,call,2026-01-05,,,,,,\n")
    with pytest.raises(PermissionDenied):
        run_import(session, "activities", path, by=bob)
    result = run_import(session, "activities", path, by=dave)
    assert counts(result) == (1, 0, 0, 0)
    (row,) = audit_rows(session, "activity.create")
    assert (row.actor_label, row.user_id, row.import_id) == (
        "dave@example.com",
        dave.id,
        result.import_id,
    )
    assert activities(session)[0].logged_by == "dave@example.com"


def test_the_command_imports_activities_and_prints_json(session, tmp_path, acme):
    path = write_file(tmp_path, "a.csv", f"{HEADER}\nacme,call,2026-01-05,,,,,,\n")
    result = CliRunner().invoke(app, ["import", "activities", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["kind"], summary["created"], summary["format"]) == (
        "activities",
        1,
        "canonical",
    )

    again = CliRunner().invoke(app, ["import", "activities", str(path)])
    assert again.exit_code == 0
    assert "0 created, 0 updated, 1 unchanged" in again.stdout
