"""The imports page: upload a file, see the counts or the table of errors; who may import."""

from __future__ import annotations

from sqlalchemy import func, select

from headway.accounts.models import Account
from tests.helpers import csrf_token, login

ACCOUNTS = b"account_id,name,Region\r\nacme,Acme,EMEA\r\nglobex,Globex,NA\r\n"


def upload(client, content: bytes, *, kind="accounts", name="accounts.csv", dry_run=False):
    data = {"kind": kind, "csrf_token": csrf_token(client, "/imports")}
    if dry_run:
        data["dry_run"] = "true"
    return client.post("/imports", data=data, files={"file": (name, content, "text/csv")})


def count_accounts(session):
    return session.scalar(select(func.count()).select_from(Account))


def test_a_manager_uploads_a_file_and_sees_the_counts_and_the_run(client, session, dave):
    login(client, dave)
    response = upload(client, ACCOUNTS)
    assert response.status_code == 200
    assert "Imported accounts.csv" in response.text
    assert '<td class="num">2</td>' in response.text  # created
    assert "Kept as traits: Region." in response.text
    assert count_accounts(session) == 2
    page = client.get("/imports")
    assert "accounts.csv" in page.text and "dave@example.com" in page.text


def test_an_invalid_upload_shows_every_error_and_writes_nothing(client, session, alice):
    login(client, alice)
    response = upload(client, b"account_id,name,employees\nacme,,lots\n,Globex,3\n")
    assert response.status_code == 422
    assert "was not imported" in response.text and "3 problems found" in response.text
    assert response.text.count("<tr>") == 1 + 3  # the header row and one row per error
    assert "lots" in response.text and "a whole number ≥ 0" in response.text
    assert count_accounts(session) == 0


def test_a_dry_run_upload_writes_nothing(client, session, alice):
    login(client, alice)
    response = upload(client, ACCOUNTS, dry_run=True)
    assert response.status_code == 200 and "Dry run of accounts.csv" in response.text
    assert count_accounts(session) == 0


def test_an_xlsx_upload_is_read_by_its_content(client, session, alice, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Record ID", "Company name"])
    workbook.active.append([42, "Hooli"])
    workbook.save(tmp_path / "companies.xlsx")
    login(client, alice)
    response = upload(client, (tmp_path / "companies.xlsx").read_bytes(), name="companies.xlsx")
    assert response.status_code == 200, response.text
    assert "hubspot columns (xlsx)" in response.text
    assert count_accounts(session) == 1


def test_a_csm_sees_the_page_without_the_form_and_cannot_upload(client, session, bob):
    login(client, bob)
    page = client.get("/imports")
    assert page.status_code == 200
    assert "Only admins and managers import files." in page.text
    assert 'type="file"' not in page.text
    response = upload(client, ACCOUNTS)
    assert response.status_code == 403
    assert count_accounts(session) == 0


def test_a_viewer_cannot_upload(client, session, carol):
    login(client, carol)
    assert upload(client, ACCOUNTS).status_code == 403


def test_an_upload_without_the_csrf_token_is_refused(client, session, alice):
    login(client, alice)
    response = client.post(
        "/imports", data={"kind": "accounts"}, files={"file": ("a.csv", ACCOUNTS, "text/csv")}
    )
    assert response.status_code == 403
    assert count_accounts(session) == 0


def test_the_imports_page_needs_a_login(client):
    response = client.get("/imports", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
