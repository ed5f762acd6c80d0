"""Recognising header rows, and the docs naming every header Headway reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from headway.importers.columns import (
    FORMATS,
    REQUIRED,
    ColumnMap,
    ImportKind,
    column_letter,
    resolve_columns,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "imports.md"


@pytest.mark.parametrize(
    ("kind", "header", "expected"),
    [
        (ImportKind.ACCOUNTS, ["account_id", "name"], "canonical"),
        (ImportKind.ACCOUNTS, ["account_id", "Name"], "canonical"),
        (ImportKind.ACCOUNTS, ["Account ID", "Name"], "salesforce"),
        (ImportKind.ACCOUNTS, ["Account ID", "Account Name", "Website"], "salesforce"),
        (ImportKind.ACCOUNTS, ["ID", "NAME", "PARENTID"], "salesforce"),
        (ImportKind.ACCOUNTS, ["Record ID", "Company name", "Company owner"], "hubspot"),
        (ImportKind.CONTACTS, ["account_id", "email", "name"], "canonical"),
        (ImportKind.CONTACTS, ["Contact ID", "Account ID", "Email", "Title"], "salesforce"),
        (
            ImportKind.CONTACTS,
            ["Record ID", "Email", "Associated Company IDs (Primary)", "Job Title"],
            "hubspot",
        ),
    ],
)
def test_the_export_format_is_recognised_from_the_header(kind, header, expected):
    columns = resolve_columns(kind, header)
    assert isinstance(columns, ColumnMap)
    assert columns.format.name == expected


def test_a_column_matched_by_a_better_name_leaves_the_other_as_a_trait():
    columns = resolve_columns(
        ImportKind.CONTACTS,
        ["Record ID", "Email", "Associated Company IDs", "Associated Company IDs (Primary)"],
    )
    assert isinstance(columns, ColumnMap)
    assert columns.header_of("account_id") == "Associated Company IDs (Primary)"
    assert [name for _, name in columns.traits] == ["Associated Company IDs"]


def test_spreadsheet_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_the_docs_name_every_header_and_every_required_column():
    docs = DOCS.read_text(encoding="utf-8")
    for kind, formats in FORMATS.items():
        for fmt in formats:
            for aliases in fmt.fields.values():
                for alias in aliases:
                    assert f"`{alias}`" in docs, f"docs/imports.md misses {alias!r} ({kind})"
        for name in REQUIRED[kind]:
            assert f"| `{name}` | yes" in docs, f"docs/imports.md misses required {name!r}"
