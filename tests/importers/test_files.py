"""Reading files: encodings, line ends, quoting, delimiters, XLSX, row numbers as Excel shows."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook
from sqlalchemy import select

from headway.accounts.models import Account
from headway.importers.readers import open_table
from headway.revenue.models import Subscription
from tests.helpers import make_account
from tests.importers.support import counts, run_import, where, write_file


def names(session):
    return session.scalars(select(Account.name).order_by(Account.external_id)).all()


def test_utf8_with_a_bom_and_crlf_line_ends_is_read(session, tmp_path):
    path = write_file(
        tmp_path, "excel.csv", "\ufeffaccount_id,name\r\nzurich,Zürich AG\r\nosaka,大阪商事\r\n"
    )
    result = run_import(session, "accounts", path)
    assert counts(result) == (2, 0, 0, 0)
    assert names(session) == ["大阪商事", "Zürich AG"]


def test_a_quoted_newline_stays_in_its_value_and_rows_keep_their_spreadsheet_numbers(
    session, tmp_path
):
    path = write_file(
        tmp_path,
        "notes.csv",
        'account_id,name,Notes\nacme,Acme,"first line\nsecond line"\n\nglobex,Globex,"x"\n'
        ",,\nbad,,\n",
    )
    reader = open_table(path)
    # Row 3 is the blank line, row 5 the empty cells: both skipped, never renumbered.
    assert [number for number, _ in reader.rows()] == [2, 4, 6]
    result = run_import(session, "accounts", path)
    assert where(result) == [(6, "name", "")]
    fixed = write_file(tmp_path, "fixed.csv", path.read_text().replace("bad,,", "bad,Bad,"))
    assert counts(run_import(session, "accounts", fixed)) == (3, 0, 0, 0)
    acme = session.scalars(select(Account).where(Account.external_id == "acme")).one()
    assert acme.traits == {"Notes": "first line\nsecond line"}


def test_a_semicolon_delimited_file_is_recognised(session, tmp_path):
    path = write_file(tmp_path, "eu.csv", 'account_id;name;Notes\r\nacme;"Acme; Inc.";"a,b"\r\n')
    assert counts(run_import(session, "accounts", path)) == (1, 0, 0, 0)
    assert names(session) == ["Acme; Inc."]


def test_a_file_in_another_encoding_is_refused_naming_the_file_and_the_line(session, tmp_path):
    path = write_file(
        tmp_path, "latin1.csv", "account_id,name\nacme,Acme\nzurich,Zürich AG\n", encoding="cp1252"
    )
    result = run_import(session, "accounts", path)
    [error] = result.errors
    assert (error.file, error.row, error.column) == ("latin1.csv", 3, None)
    assert error.expected.startswith("UTF-8 text, but line 3 has the byte 0xfc at position 9")
    assert "latin1.csv, row 3" in str(error)
    assert names(session) == []


def test_an_old_binary_excel_file_is_refused_with_what_to_do(session, tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    [error] = run_import(session, "accounts", path).errors
    assert "save it as .xlsx or as CSV UTF-8" in error.expected


def test_an_empty_file_needs_a_header_row(session, tmp_path):
    [error] = run_import(session, "accounts", write_file(tmp_path, "empty.csv", "")).errors
    assert (error.row, error.expected) == (1, "a header row naming the columns (row 1)")


def test_a_header_only_file_imports_nothing(session, tmp_path):
    result = run_import(session, "accounts", write_file(tmp_path, "h.csv", "account_id,name\n"))
    assert (result.rows, counts(result)) == (0, (0, 0, 0, 0))


def test_a_repeated_column_name_is_refused(session, tmp_path):
    path = write_file(tmp_path, "a.csv", "account_id,name,Name\nacme,Acme,Acme\n")
    [error] = run_import(session, "accounts", path).errors
    assert (error.row, error.column, error.value) == (1, "Name", "columns B and C")


def test_a_value_in_a_column_without_a_header_is_refused(session, tmp_path):
    path = write_file(tmp_path, "a.csv", "account_id,name,\nacme,Acme,\nglobex,Globex,oops,more\n")
    result = run_import(session, "accounts", path)
    assert where(result) == [(3, "column C", "oops"), (3, "column D", "more")]


def test_an_xlsx_workbook_is_read_with_typed_cells(session, tmp_path):
    acme = make_account(session, "1001")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            *("account_id", "subscription_id", "plan", "amount", "currency", "interval"),
            *("start_date", "end_date", "quantity"),
        ]
    )
    # Excel stores ids and counts as numbers and dates as dates: they read as a CSV would.
    sheet.append([1001, "s1", "Pro", 19.99, "EUR", "month", date(2025, 1, 1), None, 3])
    sheet.append([1001, "s2", "Pro", 240, "EUR", "year", date(2025, 1, 1), "2026-01-01"])
    sheet.cell(row=5, column=1, value=1001)  # a row further down, after an empty one
    for column, value in enumerate(["s3", "Max", 5, "EUR", "month", date(2025, 6, 1)], 2):
        sheet.cell(row=5, column=column, value=value)
    sheet.cell(row=6, column=2, value="s4")  # no account, no plan …
    path = tmp_path / "subscriptions.xlsx"
    workbook.save(path)

    result = run_import(session, "subscriptions", path)
    assert (result.file_type, result.rows) == ("xlsx", 4)
    assert where(result)[0] == (6, "account_id", "")

    workbook.active.delete_rows(6)
    workbook.save(path)
    result = run_import(session, "subscriptions", path)
    assert counts(result) == (3, 0, 0, 0)
    amounts = session.execute(
        select(Subscription.external_id, Subscription.amount_minor, Subscription.quantity)
        .where(Subscription.account_id == acme.id)
        .order_by(Subscription.external_id)
    ).all()
    assert [tuple(row) for row in amounts] == [("s1", 1999, 3), ("s2", 24000, 1), ("s3", 500, 1)]


def test_a_zip_that_is_not_a_workbook_is_refused(session, tmp_path):
    import zipfile

    path = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    [error] = run_import(session, "accounts", path).errors
    assert error.expected.startswith("a readable XLSX workbook")
