"""Importing contacts: by contact_id or by (account, email), HubSpot and Salesforce exports."""

from __future__ import annotations

from sqlalchemy import func, select

from headway.contacts.models import Contact
from headway.contacts.schemas import ContactCreate
from headway.contacts.service import create_contact
from headway.core.audit import AuditEntry
from headway.core.timeline import account_timeline
from tests.helpers import SETUP, make_account
from tests.importers.support import counts, run_import, where, write_file


def contacts(session):
    return session.scalars(select(Contact).order_by(Contact.email)).all()


def test_a_canonical_file_creates_contacts_with_personas_and_traits(session, tmp_path):
    acme = make_account(session, "acme", "Acme")
    path = write_file(
        tmp_path,
        "contacts.csv",
        "account_id,email,name,title,persona,LinkedIn\n"
        "acme,Jane@Acme.example,Jane Roe,CTO,Decision maker,in/jane\n"
        "acme,max@acme.example,Max Moe,,end-user,\n",
    )
    result = run_import(session, "contacts", path)

    assert (result.format, counts(result), result.traits_columns) == (
        "canonical",
        (2, 0, 0, 0),
        ["LinkedIn"],
    )
    jane, max_ = contacts(session)
    assert (jane.account_id, jane.email, jane.name, jane.title, jane.persona) == (
        acme.id,
        "jane@acme.example",
        "Jane Roe",
        "CTO",
        "decision_maker",
    )
    assert jane.traits == {"LinkedIn": "in/jane"} and max_.traits == {}
    assert (max_.persona, max_.external_id) == ("end_user", None)
    titles = [e.title for e in account_timeline(session, acme.id)]
    assert titles.count(f"Contact added by import #{result.import_id}") == 2


def test_a_hubspot_contacts_export_is_recognised_and_re_importing_changes_nothing(
    session, tmp_path
):
    make_account(session, "9001", "Hooli")
    path = write_file(
        tmp_path,
        "hubspot-contacts.csv",
        "Record ID,First Name,Last Name,Email,Job Title,Contact owner,"
        "Associated Company IDs (Primary),Associated Company IDs\n"
        "501,Gavin,Belson,gavin@hooli.example,CEO,Bob Brown,9001,9001;9002\n"
        "502,Jared,,jared@hooli.example,,,9001,9001\n",
    )
    first = run_import(session, "contacts", path)
    again = run_import(session, "contacts", path)

    assert (first.format, counts(first), counts(again)) == (
        "hubspot",
        (2, 0, 0, 0),
        (0, 0, 2, 0),
    )
    assert first.traits_columns == ["Contact owner", "Associated Company IDs"]
    gavin, jared = contacts(session)
    assert (gavin.external_id, gavin.name, gavin.title) == ("501", "Gavin Belson", "CEO")
    assert gavin.traits == {"Contact owner": "Bob Brown", "Associated Company IDs": "9001;9002"}
    assert jared.name == "Jared"


def test_a_salesforce_contact_export_is_recognised(session, tmp_path):
    make_account(session, "001A1", "Initech")
    path = write_file(
        tmp_path,
        "sf-contacts.csv",
        "Contact ID,Account ID,First Name,Last Name,Email,Title\n"
        "003X1,001A1,Peter,Gibbons,peter@initech.example,Engineer\n",
    )
    result = run_import(session, "contacts", path)
    assert (result.format, counts(result)) == ("salesforce", (1, 0, 0, 0))
    [peter] = contacts(session)
    assert (peter.external_id, peter.name) == ("003X1", "Peter Gibbons")


def test_without_contact_id_a_contact_is_matched_by_account_and_email(session, tmp_path):
    make_account(session, "acme")
    run_import(
        session, "contacts", write_file(tmp_path, "a.csv", "account_id,email,title\nacme,a@x.io,\n")
    )
    result = run_import(
        session,
        "contacts",
        write_file(tmp_path, "b.csv", "account_id,email,title\nacme,A@X.io,Buyer\n"),
    )
    assert counts(result) == (0, 1, 0, 0)
    [contact] = contacts(session)
    assert contact.title == "Buyer"
    update = session.scalars(select(AuditEntry).where(AuditEntry.action == "contact.update")).one()
    assert (update.before, update.after) == ({"title": None}, {"title": "Buyer"})


def test_a_contact_added_by_hand_takes_the_crm_id_of_the_same_email(session, tmp_path):
    acme = make_account(session, "acme")
    create_contact(
        session=session,
        actor=SETUP,
        permissions=None,
        data=ContactCreate(account_id=acme.id, email="a@x.io", name="Ann"),
    )
    path = write_file(tmp_path, "c.csv", "contact_id,account_id,email,name\nc-1,acme,a@x.io,Ann\n")
    assert counts(run_import(session, "contacts", path)) == (0, 1, 0, 0)
    [contact] = contacts(session)
    assert contact.external_id == "c-1"


def test_bad_contact_rows_are_all_listed_and_nothing_is_written(session, tmp_path):
    make_account(session, "acme")
    path = write_file(
        tmp_path,
        "bad.csv",
        "contact_id,account_id,email,persona\n"
        "c1,acme,ann@x.io,champion\n"  # row 2: fine
        "c2,nowhere,not-an-email,boss\n"  # row 3: three problems
        "c3,acme,ann@x.io,\n"  # row 4: ann is c1 already
        "c1,acme,ann@x.io,admin\n"  # row 5: c1 again, other values
        "c4,acme,,\n",  # row 6: no email
    )
    result = run_import(session, "contacts", path)
    assert where(result) == [
        (3, "account_id", "nowhere"),
        (3, "email", "not-an-email"),
        (3, "persona", "boss"),
        (4, "email", "ann@x.io"),
        (5, "contact_id", "c1"),
        (6, "email", ""),
    ]
    expected = {(e.row, e.column): e.expected for e in result.errors}
    assert expected[(3, "persona")] == "a persona: champion, decision maker, admin, end user"
    assert expected[(4, "email")].endswith("(row 2 has it already)")
    assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_a_contact_with_several_companies_needs_the_primary_company_column(session, tmp_path):
    make_account(session, "9001")
    path = write_file(
        tmp_path,
        "hubspot.csv",
        "Record ID,Email,Associated Company IDs\n1,a@x.io,9001;9002\n",
    )
    [error] = run_import(session, "contacts", path).errors
    assert (error.row, error.column, error.value) == (2, "Associated Company IDs", "9001;9002")
    assert "Associated Company IDs (Primary)" in error.expected
