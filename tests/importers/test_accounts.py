"""Importing accounts: canonical, Salesforce and HubSpot columns, upserts, checks, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from headway.accounts.models import Account, StageChange
from headway.accounts.service import get_account_by_external_id, list_stage_changes
from headway.core.audit import AuditEntry
from headway.core.errors import PermissionDenied
from headway.core.timeline import account_timeline
from headway.importers.models import ImportRun
from tests.helpers import make_account
from tests.importers.support import counts, run_import, where, write_file

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

CANONICAL = (
    "account_id,name,domain,segment,owner_email,industry,employees,parent_account_id,Region\n"
    "acme-eu,Acme Europe,acme.eu,,bob@example.com,Manufacturing,120,acme,EMEA\n"
    "acme,Acme Corp,https://www.acme.com/,High-touch,bob@example.com,Manufacturing,1200,,NA\n"
    "globex,Globex,globex.com,,,Energy,,,\n"
)


def account(session, external_id):
    found = get_account_by_external_id(session=session, external_id=external_id)
    assert found is not None, external_id
    session.refresh(found)
    return found


def count_rows(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_canonical_file_creates_accounts_with_owner_parent_segment_and_traits(
    session, tmp_path, bob
):
    path = write_file(tmp_path, "accounts.csv", CANONICAL)
    with time_machine.travel(T0, tick=False):
        result = run_import(session, "accounts", path)

    assert (result.format, result.file_type, result.rows) == ("canonical", "csv", 3)
    assert counts(result) == (3, 0, 0, 0)
    assert result.traits_columns == ["Region"]
    acme, europe, globex = (account(session, i) for i in ("acme", "acme-eu", "globex"))
    assert (acme.name, acme.domain, acme.owner_id, acme.employees) == (
        "Acme Corp",
        "acme.com",
        bob.id,
        1200,
    )
    # The child came before its parent in the file: the parent is still found.
    assert europe.parent_id == acme.id
    assert acme.traits == {"Region": "NA"} and globex.traits == {}
    # A segment in the file is a segment set by hand; the others follow the ARR rule.
    assert (acme.segment.key, acme.segment_locked) == ("high-touch", True)
    assert (globex.segment.key, globex.segment_locked) == ("tech-touch", False)
    assert acme.stage.key == "onboarding" and acme.stage_entered_at == T0
    [entered] = list_stage_changes(session=session, account_id=acme.id)
    assert (entered.to_stage.key, entered.changed_by, entered.reason) == (
        "onboarding",
        "command line",
        f"import #{result.import_id}",
    )


def test_re_importing_the_same_file_changes_nothing(session, tmp_path, bob):
    path = write_file(tmp_path, "accounts.csv", CANONICAL)
    first = run_import(session, "accounts", path)
    audit_rows = count_rows(session, AuditEntry)

    again = run_import(session, "accounts", path)

    assert counts(first) == (3, 0, 0, 0)
    assert counts(again) == (0, 0, 3, 0)
    assert count_rows(session, Account) == 3
    assert count_rows(session, StageChange) == 3
    assert count_rows(session, AuditEntry) == audit_rows
    runs = session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
    assert [(r.rows, r.created, r.updated, r.unchanged) for r in runs] == [
        (3, 3, 0, 0),
        (3, 0, 0, 3),
    ]


def test_each_created_or_changed_account_is_audited_and_on_its_timeline(session, tmp_path, bob):
    first = run_import(session, "accounts", write_file(tmp_path, "a.csv", CANONICAL))
    changed_file = CANONICAL.replace("Globex,globex.com,,,Energy", "Globex Inc,globex.com,,,Oil")
    result = run_import(session, "accounts", write_file(tmp_path, "b.csv", changed_file))

    assert counts(result) == (0, 1, 2, 0)
    globex = account(session, "globex")
    update = session.scalars(select(AuditEntry).where(AuditEntry.action == "account.update")).one()
    assert (update.account_id, update.import_id, update.actor_label) == (
        globex.id,
        result.import_id,
        "command line",
    )
    assert update.before == {"name": "Globex", "industry": "Energy"}
    assert update.after == {"name": "Globex Inc", "industry": "Oil"}
    titles = [entry.title for entry in account_timeline(session, globex.id)]
    assert f"Account changed by import #{result.import_id}" in titles
    assert f"Account created by import #{first.import_id}" in titles


def test_a_salesforce_report_export_is_recognised(session, tmp_path, bob):
    path = write_file(
        tmp_path,
        "report.csv",
        '"Account ID","Account Name","Website","Industry","Employees","Parent Account ID",'
        '"Account Owner","Billing City"\r\n'
        '"001A000001","Initech","http://initech.example/","Technology","250","","Bob Brown",'
        '"Austin"\r\n'
        '"001A000002","Initech Labs","","Technology","12","001A000001","bob@example.com",""\r\n',
    )
    result = run_import(session, "accounts", path)

    assert (result.format, counts(result)) == ("salesforce", (2, 0, 0, 0))
    assert result.traits_columns == ["Billing City"]
    initech, labs = account(session, "001A000001"), account(session, "001A000002")
    assert (initech.name, initech.domain, initech.employees) == ("Initech", "initech.example", 250)
    # Salesforce writes the owner's name; Headway finds the user by name or by email.
    assert initech.owner_id == labs.owner_id == bob.id
    assert labs.parent_id == initech.id and initech.traits == {"Billing City": "Austin"}


def test_a_salesforce_data_loader_export_with_api_names_is_recognised(session, tmp_path):
    path = write_file(
        tmp_path,
        "extract.csv",
        '"ID","NAME","WEBSITE","NUMBEROFEMPLOYEES","PARENTID"\n'
        '"001B1","Umbrella","umbrella.example","5000",""\n',
    )
    result = run_import(session, "accounts", path)
    assert (result.format, counts(result)) == ("salesforce", (1, 0, 0, 0))
    assert account(session, "001B1").employees == 5000


def test_a_hubspot_companies_export_is_recognised(session, tmp_path, bob):
    path = write_file(
        tmp_path,
        "hubspot-companies.csv",
        "Record ID,Company name,Company Domain Name,Industry,Number of Employees,"
        "Parent Company,Company owner,Lifecycle Stage\n"
        '9001,Hooli,hooli.example,COMPUTER_SOFTWARE,"1,500",,Bob Brown,customer\n'
        "9002,Hooli XYZ,xyz.hooli.example,,,9001,,customer\n",
    )
    result = run_import(session, "accounts", path)
    assert (result.format, counts(result)) == ("hubspot", (2, 0, 0, 0))
    assert result.traits_columns == ["Lifecycle Stage"]
    hooli, xyz = account(session, "9001"), account(session, "9002")
    assert (hooli.name, hooli.employees, hooli.owner_id) == ("Hooli", 1500, bob.id)
    assert xyz.parent_id == hooli.id and xyz.traits == {"Lifecycle Stage": "customer"}


def test_identical_duplicate_rows_are_counted_not_refused(session, tmp_path):
    path = write_file(
        tmp_path, "a.csv", "account_id,name\nacme,Acme\nglobex,Globex\nacme,Acme\nacme,Acme\n"
    )
    result = run_import(session, "accounts", path)
    assert result.rows == 4 and counts(result) == (2, 0, 0, 2)


def test_every_bad_row_is_listed_with_row_and_column_and_nothing_is_written(session, tmp_path, bob):
    path = write_file(
        tmp_path,
        "bad.csv",
        "account_id,name,segment,stage,owner_email,employees,parent_account_id\n"
        "acme,Acme,,,,,\n"  # row 2: fine
        "globex,,platinum,,nobody@example.com,many,\n"  # row 3: four problems
        "initech,Initech,,retired,,,umbrella\n"  # row 4: unknown stage and parent
        "acme,Acme Corp,,,,,\n"  # row 5: same id as row 2, other values
        ",Nameless,,,,,\n"  # row 6: no id
        "hooli,Hooli,,,,-3,hooli\n",  # row 7: negative count, its own parent
    )
    result = run_import(session, "accounts", path)

    assert where(result) == [
        (3, "name", ""),
        (3, "segment", "platinum"),
        (3, "owner_email", "nobody@example.com"),
        (3, "employees", "many"),
        (4, "stage", "retired"),
        (4, "parent_account_id", "umbrella"),
        (5, "account_id", "acme"),
        (6, "account_id", ""),
        (7, "employees", "-3"),
        (7, "parent_account_id", "hooli"),
    ]
    expected = {(e.row, e.column): e.expected for e in result.errors}
    assert expected[(3, "segment")] == "a segment key: high-touch, mid-touch, tech-touch"
    assert expected[(3, "owner_email")].startswith("the email of an active Headway user")
    assert expected[(5, "account_id")].startswith("the same values as row 2")
    assert expected[(4, "parent_account_id")] == (
        "the account_id of an account in Headway or in this file"
    )
    assert all(e.file == "bad.csv" for e in result.errors)
    assert count_rows(session, Account) == 0
    assert count_rows(session, ImportRun) == 0
    assert count_rows(session, AuditEntry) == 1  # bob's creation, nothing from the import


def test_missing_required_columns_are_one_error_naming_them(session, tmp_path):
    path = write_file(tmp_path, "a.csv", "id,company,domain\n1,Acme,acme.com\n")
    result = run_import(session, "accounts", path)
    [error] = result.errors
    assert (error.row, error.column) == (1, "account_id, name")
    assert error.expected.startswith("the columns account_id, name")
    assert "'Account ID', 'Account Name'" in error.expected  # the Salesforce names too


def test_a_parent_cycle_is_refused(session, tmp_path):
    make_account(session, "root")
    path = write_file(
        tmp_path, "a.csv", "account_id,name,parent_account_id\na,A,b\nb,B,a\nc,C,root\n"
    )
    result = run_import(session, "accounts", path)
    assert where(result) == [(2, "parent_account_id", "b"), (3, "parent_account_id", "a")]
    assert "not its own ancestor: a → b → a" in result.errors[0].expected


def test_a_parent_can_be_an_account_already_in_headway(session, tmp_path):
    root = make_account(session, "root")
    path = write_file(tmp_path, "a.csv", "account_id,name,parent_account_id\nleaf,Leaf,root\n")
    assert counts(run_import(session, "accounts", path)) == (1, 0, 0, 0)
    assert account(session, "leaf").parent_id == root.id


def test_an_existing_account_can_move_under_a_parent_created_further_down(session, tmp_path):
    make_account(session, "child", "Child")
    path = write_file(
        tmp_path,
        "a.csv",
        "account_id,name,parent_account_id\nchild,Child,newparent\nnewparent,New Parent,\n",
    )
    result = run_import(session, "accounts", path)
    assert counts(result) == (1, 1, 0, 0)
    parent = account(session, "newparent")
    assert account(session, "child").parent_id == parent.id
    update = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "account.update", AuditEntry.import_id == result.import_id
        )
    ).one()
    assert (update.before, update.after) == ({"parent_id": None}, {"parent_id": parent.id})


def test_a_stage_in_the_file_moves_the_account_with_a_stage_change(session, tmp_path):
    with time_machine.travel(T0 - timedelta(days=30), tick=False):
        make_account(session, "acme", "Acme")
    path = write_file(tmp_path, "a.csv", "account_id,name,stage\nacme,Acme,Adoption\nnew,New,\n")
    with time_machine.travel(T0, tick=False):
        result = run_import(session, "accounts", path)
    assert counts(result) == (1, 1, 0, 0)
    acme = account(session, "acme")
    assert (acme.stage.key, acme.stage_entered_at) == ("adoption", T0)
    moves = list_stage_changes(session=session, account_id=acme.id)
    assert [(m.to_stage.key, m.changed_by) for m in moves] == [
        ("onboarding", "test setup"),
        ("adoption", "command line"),
    ]
    assert account(session, "new").stage.key == "onboarding"


def test_columns_absent_from_the_file_leave_fields_alone_and_empty_traits_remove_them(
    session, tmp_path, bob
):
    run_import(
        session,
        "accounts",
        write_file(
            tmp_path,
            "a.csv",
            "account_id,name,owner_email,Tier,Region\nacme,Acme,bob@example.com,Gold,EMEA\n",
        ),
    )
    result = run_import(
        session, "accounts", write_file(tmp_path, "b.csv", "account_id,name,Tier\nacme,Acme,\n")
    )
    assert counts(result) == (0, 1, 0, 0)
    acme = account(session, "acme")
    assert acme.owner_id == bob.id and acme.traits == {"Region": "EMEA"}


def test_a_dry_run_counts_but_writes_nothing(session, tmp_path, bob):
    result = run_import(session, "accounts", write_file(tmp_path, "a.csv", CANONICAL), dry_run=True)
    assert counts(result) == (3, 0, 0, 0) and result.dry_run and result.import_id is None
    assert count_rows(session, Account) == 0 and count_rows(session, ImportRun) == 0


@pytest.mark.parametrize("person", ["bob", "carol"])
def test_a_csm_or_a_viewer_cannot_import(session, tmp_path, request, person):
    user = request.getfixturevalue(person)
    path = write_file(tmp_path, "a.csv", "account_id,name\nacme,Acme\n")
    with pytest.raises(PermissionDenied):
        run_import(session, "accounts", path, by=user)
    assert count_rows(session, Account) == 0


@pytest.mark.parametrize("person", ["alice", "dave"])
def test_an_admin_or_a_manager_imports_in_their_own_name(session, tmp_path, request, person):
    user = request.getfixturevalue(person)
    path = write_file(tmp_path, "a.csv", "account_id,name\nacme,Acme\n")
    result = run_import(session, "accounts", path, by=user)
    assert counts(result) == (1, 0, 0, 0)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "account.create")).one()
    assert (entry.user_id, entry.actor_label) == (user.id, user.email)
    assert session.get(ImportRun, result.import_id).actor_label == user.email
