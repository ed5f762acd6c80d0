"""Bad event files: every problem names the file, the row (or line) and the column (or field);
nothing is stored unless every row is good."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from headway.usage.importer import EventFileRefused, import_events
from headway.usage.models import UsageEvent, UsageGroup, UsageIdentity
from tests.importers.support import write_file

RECEIVED = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
FLAT_HEADER = "timestamp,account_id,user_id,event,properties\n"
GOOD = "2026-01-05T08:00:00Z,acme,u1,Login,\n"


def refused(session, path) -> list[tuple]:
    """The problems of a refused import as (row, column, value, expected)."""
    with pytest.raises(EventFileRefused) as caught:
        import_events(session=session, path=path, received_at=RECEIVED)
    return [(e.row, e.column, e.value, e.expected) for e in caught.value.errors]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


TIME = "an ISO 8601 date-time, e.g. 2025-01-31T14:30:00Z (UTC unless an offset is given)"
OBJECT = 'a JSON object, e.g. {"plan": "pro"}'


def test_bad_cells_of_a_flat_csv_name_their_row_and_column_as_written(session, tmp_path):
    path = write_file(
        tmp_path,
        "flat.csv",
        "Timestamp,Account ID,User ID,Event,Properties\n"
        "2026-01-05T08:00:00Z,acme,u1,Login,\n"
        "yesterday,acme,u1,Login,\n"
        "2026-01-05T08:00:00Z,acme,,Login,\n"
        "2026-01-05T08:00:00Z,acme,u1,,\n"
        '2026-01-05T08:00:00Z,acme,u1,Login,"[1, 2]"\n'
        "2026-01-05T08:00:00Z,acme,u1,Login,{oops\n"
        ",acme,u1,Login,\n",
    )
    problems = refused(session, path)
    assert [p[:3] for p in problems] == [
        (3, "Timestamp", "yesterday"),
        (4, "User ID", ""),
        (5, "Event", ""),
        (6, "Properties", "[1, 2]"),
        (7, "Properties", "{oops"),
        (8, "Timestamp", ""),
    ]
    assert [p[3] for p in problems[:4]] == [
        TIME,
        "a user_id or an anonymous_id: one of them is required",
        "an event: a track message needs one",
        OBJECT,
    ]
    assert problems[4][3].startswith(OBJECT + " (Expecting property name")
    assert problems[5][3] == f"{TIME}: this column is required"
    assert count(session, UsageEvent) == 0


def test_an_error_reads_as_file_row_column_value_and_what_was_expected(session, tmp_path):
    path = write_file(tmp_path, "flat.csv", FLAT_HEADER + "2026-13-01,acme,u1,Login,\n")
    with pytest.raises(EventFileRefused) as caught:
        import_events(session=session, path=path, received_at=RECEIVED)
    assert str(caught.value) == f"{path}, row 2, column timestamp: '2026-13-01': expected {TIME}"
    assert caught.value.errors[0].as_dict() == {
        "file": str(path),
        "row": 2,
        "column": "timestamp",
        "value": "2026-13-01",
        "expected": TIME,
    }


def test_jsonl_problems_name_the_line_and_the_field(session, tmp_path):
    good = {"type": "track", "event": "Login", "userId": "u1", "timestamp": "2026-01-05T08:00:00Z"}
    lines = [
        json.dumps(good),
        json.dumps({**good, "type": "click"}),
        "",
        "{not json",
        json.dumps(["Login"]),
        json.dumps({"batch": [good, {**good, "userId": {"id": 1}}, "text"]}),
        json.dumps({**good, "timestamp": 1767600000}),
        json.dumps({"type": "group", "userId": "u1", "traits": {"plan": "pro"}}),
        json.dumps({**good, "properties": "none"}),
        json.dumps({**good, "messageId": "m" * 201}),
    ]
    problems = refused(session, write_file(tmp_path, "e.jsonl", "\n".join(lines) + "\n"))
    assert [p[:3] for p in problems] == [
        (2, "type", "click"),
        (4, None, "{not json"),
        (5, None, '["Login"]'),
        (6, "batch[1].userId", '{"id": 1}'),
        (6, "batch[2]", ""),
        (7, "timestamp", "1767600000"),
        (8, "groupId", ""),
        (9, "properties", "none"),
        (10, "messageId", "m" * 79 + "…"),
    ]
    assert [p[3] for p in problems if p[0] != 4] == [
        "one of alias, group, identify, page, screen, track",
        "a JSON object",
        "a string or a whole number",
        "a JSON object",
        TIME,
        "a groupId: a group message needs one",
        OBJECT,
        "at most 200 characters (this one has 201)",
    ]
    assert problems[1][3].startswith("one JSON object per line (")


def test_the_message_says_line_and_field_for_jsonl(session, tmp_path):
    path = write_file(tmp_path, "e.jsonl", '{"type": "track", "userId": "u1"}\n')
    with pytest.raises(EventFileRefused) as caught:
        import_events(session=session, path=path, received_at=RECEIVED)
    assert str(caught.value) == (
        f"{path}, line 1, field event: expected an event name: a track message needs one"
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "timestamp,account_id,user_id,event,plan\n",
            [
                (
                    1,
                    "plan",
                    "only the columns timestamp, account_id, user_id, anonymous_id, "
                    "event, properties, message_id, type (remove or rename it)",
                )
            ],
        ),
        (
            "timestamp,account_id,User ID,user_id,event\n",
            [(1, "user_id", "each column name once (compared ignoring case and spaces)")],
        ),
        ("account_id,event\n", [(1, None, "the columns timestamp, user_id of a flat event")]),
        (
            "event,userId,timestamp\n",
            [
                (
                    1,
                    None,
                    "the columns of a Segment message (type, event, userId, anonymousId, "
                    "groupId, timestamp, messageId, properties, traits, context) or of a flat "
                    "event (timestamp, account_id, user_id, event, properties; optionally "
                    "message_id, type, anonymous_id)",
                )
            ],
        ),
    ],
    ids=["unknown", "twice", "missing-flat", "neither-shape"],
)
def test_a_header_that_fits_no_shape_is_refused_at_row_1(session, tmp_path, header, expected):
    path = write_file(tmp_path, "e.csv", header + "x,y,z\n")
    assert [(row, column, wanted) for row, column, _, wanted in refused(session, path)] == expected


def test_a_row_with_more_cells_than_the_header_is_refused(session, tmp_path):
    path = write_file(tmp_path, "e.csv", FLAT_HEADER + GOOD.strip() + ",extra\n")
    assert refused(session, path) == [
        (2, None, "extra", "at most 5 values, one per column of the header")
    ]


def test_a_file_that_is_not_utf8_names_its_line(session, tmp_path):
    path = write_file(
        tmp_path, "e.csv", FLAT_HEADER + "2026-01-05,acme,jürgen,Login,\n", encoding="latin-1"
    )
    [(row, column, _, expected)] = refused(session, path)
    assert (row, column) == (2, None)
    assert expected == (
        "UTF-8 text, but this line has the byte 0xfc at position 18: save the file as UTF-8"
    )


def test_empty_and_unreadable_files_are_refused(session, tmp_path):
    assert refused(session, write_file(tmp_path, "e.jsonl", "\n  \n")) == [
        (None, None, "", "events in JSONL, CSV or Parquet (it is empty)")
    ]
    broken = write_file(tmp_path, "e.parquet", "PAR1 and then nothing a Parquet reader knows")
    [(row, column, _, expected)] = refused(session, broken)
    assert (row, column) == (None, None) and expected.startswith("a readable Parquet file (")


def test_a_parquet_row_is_numbered_from_1(session, tmp_path):
    path = tmp_path / "e.parquet"
    pq.write_table(
        pa.table(
            {
                "timestamp": ["2026-01-05T08:00:00Z", "soon"],
                "account_id": ["acme", "acme"],
                "user_id": ["u1", "u2"],
                "event": ["Login", "Login"],
            }
        ),
        path,
    )
    assert refused(session, path) == [(2, "timestamp", "soon", TIME)]


def test_one_bad_row_after_many_good_ones_stores_nothing(session, tmp_path):
    # 2,500 good rows are written in chunks before the bad one is read: all are rolled back,
    # with the users and groups they taught.
    good = "".join(f"2026-01-05T08:00:00Z,acme-{i % 7},u{i},Login,\n" for i in range(2500))
    path = write_file(tmp_path, "e.csv", FLAT_HEADER + good + "later,acme,u1,Login,\n" + GOOD)
    assert refused(session, path) == [(2502, "timestamp", "later", TIME)]
    assert (count(session, UsageEvent), count(session, UsageIdentity)) == (0, 0)
    # Once the file is fixed it imports whole.
    path.write_text(FLAT_HEADER + good + GOOD)
    result = import_events(session=session, path=path, received_at=RECEIVED)
    assert (result.rows, result.stored, result.duplicates) == (2501, 2501, 0)


def test_a_refused_import_leaves_what_was_stored_before_untouched(session, tmp_path):
    first = write_file(
        tmp_path,
        "first.jsonl",
        json.dumps({"type": "group", "groupId": "acme", "userId": "u1", "traits": {"a": 1}}) + "\n",
    )
    import_events(session=session, path=first, received_at=RECEIVED)
    bad = write_file(
        tmp_path,
        "bad.jsonl",
        json.dumps({"type": "group", "groupId": "acme", "userId": "u1", "traits": {"a": 2}})
        + "\n"
        + json.dumps({"type": "track", "userId": "u1"})
        + "\n",
    )
    assert [p[:2] for p in refused(session, bad)] == [(2, "event")]
    session.expire_all()
    assert count(session, UsageEvent) == 1
    assert session.scalar(select(UsageGroup.traits)) == {"a": 1}


def test_the_list_of_problems_stops_at_fifty(session, tmp_path):
    path = write_file(tmp_path, "e.csv", FLAT_HEADER + "never,acme,u1,Login,\n" * 80)
    problems = refused(session, path)
    assert len(problems) == 50 and problems[-1][0] == 51
