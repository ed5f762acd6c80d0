"""Importing event files: JSONL, CSV and Parquet, Segment-shaped or flat, each event stored once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from headway.contacts.models import Contact
from headway.usage.importer import ImportedEvents, import_events
from headway.usage.messages import read_message
from headway.usage.models import UsageEvent, UsageIdentity
from headway.usage.service import store_messages, usage_stats
from tests.helpers import make_account
from tests.importers.support import write_file

RECEIVED = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 2, 2, 12, 0, tzinfo=UTC)


def run(session, path, received_at=RECEIVED, **options) -> ImportedEvents:
    return import_events(session=session, path=path, received_at=received_at, **options)


def stored(session) -> list[tuple]:
    """Every stored event as (type, event, user_key, account_key, timestamp), in time order."""
    session.expire_all()
    return [
        (e.type, e.event, e.user_key, e.account_key, e.timestamp.replace(tzinfo=UTC))
        for e in session.scalars(select(UsageEvent).order_by(UsageEvent.timestamp, UsageEvent.id))
    ]


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def at(hour: int, minute: int = 0, day: int = 5) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


# --- JSONL -----------------------------------------------------------------------------------


def test_a_jsonl_file_of_segment_messages_stores_each_with_its_account(session, tmp_path):
    path = write_file(
        tmp_path,
        "events.jsonl",
        jsonl(
            {
                "type": "group",
                "groupId": "acme",
                "userId": "u1",
                "traits": {"name": "Acme", "plan": "pro"},
                "timestamp": "2026-01-05T09:00:00Z",
            },
            {
                "type": "track",
                "event": "Report Created",
                "userId": "u1",
                "messageId": "m-1",
                "timestamp": "2026-01-05T10:00:00+01:00",
                "properties": {"pages": 3},
            },
            {
                "type": "page",
                "name": "Dashboard",
                "anonymousId": "anon-7",
                "context": {"groupId": "globex"},
                "timestamp": "2026-01-05T11:30:00",
            },
        )
        + "\n",  # a blank line at the end is no event
    )
    result = run(session, path)
    assert result == ImportedEvents(
        rows=3, stored=3, duplicates=0, file=str(path), file_type="jsonl", shape="segment"
    )
    assert stored(session) == [
        ("group", None, "u1", "acme", at(9)),
        ("track", "Report Created", "u1", "acme", at(9)),  # grouped before: joins acme
        ("page", "Dashboard", "anon-7", "globex", at(11, 30)),  # no offset: UTC
    ]
    event = session.scalar(select(UsageEvent).where(UsageEvent.message_id == "m-1"))
    assert event.payload["properties"] == {"pages": 3}
    assert event.received_at.replace(tzinfo=UTC) == RECEIVED


def test_a_batch_per_line_gives_its_context_to_each_message(session, tmp_path):
    path = write_file(
        tmp_path,
        "batches.jsonl",
        jsonl(
            {
                "batch": [
                    {
                        "type": "track",
                        "event": "Login",
                        "userId": "u1",
                        "timestamp": "2026-01-05T08:00:00Z",
                    },
                    {
                        "type": "track",
                        "event": "Export",
                        "userId": "u2",
                        "timestamp": "2026-01-05T09:00:00Z",
                        "context": {"groupId": "initech"},
                    },
                ],
                "context": {"groupId": "acme", "library": {"name": "analytics-python"}},
            }
        ),
    )
    assert run(session, path).rows == 2
    assert stored(session) == [
        ("track", "Login", "u1", "acme", at(8)),
        ("track", "Export", "u2", "initech", at(9)),  # the message's own context wins
    ]
    login = session.scalar(select(UsageEvent).where(UsageEvent.event == "Login"))
    assert login.payload["context"]["library"] == {"name": "analytics-python"}


def test_a_jsonl_file_of_flat_events_is_read_as_track_messages(session, tmp_path):
    path = write_file(
        tmp_path,
        "flat.jsonl",
        jsonl(
            {
                "timestamp": "2026-01-05T08:00:00Z",
                "account_id": "acme",
                "user_id": "u1",
                "event": "Login",
                "properties": {"sso": True},
            },
            {
                "timestamp": "2026-01-05T09:00:00Z",
                "account_id": 42,
                "user_id": 7,
                "event": "Export",
                "properties": None,
            },
        ),
    )
    result = run(session, path)
    assert (result.shape, result.stored) == ("flat", 2)
    assert stored(session) == [
        ("track", "Login", "u1", "acme", at(8)),
        ("track", "Export", "7", "42", at(9)),
    ]


# --- CSV -------------------------------------------------------------------------------------


def test_a_flat_csv_stores_track_events_of_the_account_in_each_row(session, tmp_path):
    path = write_file(
        tmp_path,
        "flat.csv",
        "timestamp,account_id,user_id,event,properties\n"
        '2026-01-05T08:00:00Z,acme,u1,Login,"{""sso"": true, ""browser"": ""Firefox""}"\n'
        "2026-01-05T09:15:00Z,acme,u2,Report Created,\n"
        ",,,,\n"  # an empty row is skipped
        "2026-01-05T10:00:00Z,globex,u3,Login,{}\n",
    )
    result = run(session, path)
    assert (result.file_type, result.shape, result.rows, result.stored) == ("csv", "flat", 3, 3)
    assert stored(session) == [
        ("track", "Login", "u1", "acme", at(8)),
        ("track", "Report Created", "u2", "acme", at(9, 15)),
        ("track", "Login", "u3", "globex", at(10)),
    ]
    login = session.scalar(select(UsageEvent).where(UsageEvent.user_key == "u1"))
    assert login.payload["properties"] == {"sso": True, "browser": "Firefox"}
    assert login.message_id.startswith("derived-")


@pytest.mark.parametrize(
    "text",
    [
        "Timestamp,Account ID,User ID,Event,Properties\n2026-01-05T08:00:00Z,acme,u1,Login,\n",
        # A comma-decimal locale's spreadsheet: ';' delimited, with a byte-order mark and CRLF.
        "\ufeffTIMESTAMP;ACCOUNT_ID;USER_ID;EVENT\r\n2026-01-05T08:00:00Z;acme;u1;Login\r\n",
        # Columns in another order; a tab-delimited export.
        "event\tuser_id\taccount_id\ttimestamp\nLogin\tu1\tacme\t2026-01-05T08:00:00Z\n",
    ],
    ids=["spaced-names", "semicolons-bom-crlf", "tabs-reordered"],
)
def test_flat_headers_are_read_whatever_their_case_order_or_delimiter(session, tmp_path, text):
    path = write_file(tmp_path, "flat.csv", text)
    assert run(session, path).stored == 1
    assert stored(session) == [("track", "Login", "u1", "acme", at(8))]


def test_a_flat_csv_may_give_message_ids_types_and_anonymous_users(session, tmp_path):
    path = write_file(
        tmp_path,
        "flat.csv",
        "message_id,type,timestamp,account_id,user_id,anonymous_id,event\n"
        "e-1,,2026-01-05T08:00:00Z,acme,,visitor-9,Pricing Viewed\n"
        "e-2,page,2026-01-05T09:00:00Z,acme,u1,,Settings\n",
    )
    assert run(session, path).stored == 2
    assert stored(session) == [
        ("track", "Pricing Viewed", "visitor-9", "acme", at(8)),
        ("page", "Settings", "u1", "acme", at(9)),
    ]
    assert set(session.scalars(select(UsageEvent.message_id))) == {"e-1", "e-2"}


def test_a_segment_shaped_csv_reads_json_columns_and_makes_contacts(session, tmp_path):
    acme = make_account(session, "acme", "Acme")
    path = write_file(
        tmp_path,
        "segment.csv",
        "type,event,userId,anonymousId,groupId,timestamp,messageId,properties,traits,context\n"
        'identify,,u1,,,2026-01-05T08:00:00Z,m-1,,"{""email"": ""Ann@Acme.example"", '
        '""name"": ""Ann Lee""}","{""groupId"": ""acme""}"\n'
        'track,Report Created,u1,,,2026-01-05T09:00:00Z,m-2,"{""pages"": 2}",,\n',
    )
    result = run(session, path)
    assert (result.shape, result.stored, result.contacts) == ("segment", 2, 1)
    assert stored(session) == [
        ("identify", None, "u1", "acme", at(8)),
        ("track", "Report Created", "u1", "acme", at(9)),
    ]
    identity = session.scalar(select(UsageIdentity))
    assert (identity.account_key, identity.email) == ("acme", "ann@acme.example")
    contact = session.scalar(select(Contact))
    assert (contact.account_id, contact.email, contact.name) == (
        acme.id,
        "ann@acme.example",
        "Ann Lee",
    )


# --- Parquet ---------------------------------------------------------------------------------


def test_a_flat_parquet_file_with_typed_columns_is_read_in_batches(session, tmp_path):
    table = pa.table(
        {
            "timestamp": pa.array([at(8), at(9, 30)], type=pa.timestamp("us", tz="UTC")),
            "account_id": ["acme", "acme"],
            "user_id": ["u1", None],
            "anonymous_id": [None, "visitor-1"],
            "event": ["Login", "Export"],
            "properties": pa.array(
                [{"rows": 10, "format": "csv"}, None],
                type=pa.struct([("rows", pa.int64()), ("format", pa.string())]),
            ),
        }
    )
    path = tmp_path / "events.parquet"
    pq.write_table(table, path, row_group_size=1)
    result = run(session, path)
    assert (result.file_type, result.shape, result.stored) == ("parquet", "flat", 2)
    assert stored(session) == [
        ("track", "Login", "u1", "acme", at(8)),
        ("track", "Export", "visitor-1", "acme", at(9, 30)),
    ]
    login = session.scalar(select(UsageEvent).where(UsageEvent.event == "Login"))
    assert login.payload["properties"] == {"rows": 10, "format": "csv"}


def test_a_segment_shaped_parquet_file_holds_json_text_in_object_columns(session, tmp_path):
    table = pa.table(
        {
            "type": ["track", "group"],
            "event": ["Login", None],
            "userId": ["u1", "u1"],
            "groupId": [None, "acme"],
            "timestamp": ["2026-01-05T08:00:00Z", "2026-01-05T07:00:00Z"],
            "messageId": ["m-1", "m-2"],
            "properties": ['{"sso": true}', None],
            "traits": [None, '{"plan": "pro"}'],
        }
    )
    path = tmp_path / "segment.parquet"
    pq.write_table(table, path)
    assert run(session, path).stored == 2
    assert stored(session) == [
        ("group", None, "u1", "acme", at(7)),
        ("track", "Login", "u1", "acme", at(8)),
    ]


# --- exactly once ------------------------------------------------------------------------------


def test_importing_a_file_again_stores_nothing_new(session, tmp_path):
    path = write_file(
        tmp_path,
        "flat.csv",
        "timestamp,account_id,user_id,event\n"
        "2026-01-05T08:00:00Z,acme,u1,Login\n"
        "2026-01-05T08:00:00Z,acme,u1,Login\n"  # the same action twice is one event
        "2026-01-05T09:00:00Z,acme,u1,Login\n",
    )
    assert run(session, path) == ImportedEvents(
        rows=3, stored=2, duplicates=1, file=str(path), file_type="csv", shape="flat"
    )
    again = run(session, path, received_at=LATER)
    assert (again.rows, again.stored, again.duplicates) == (3, 0, 3)
    assert len(stored(session)) == 2


MESSAGES = [
    {
        "type": "track",
        "event": "Login",
        "userId": "u1",
        "groupId": "acme",
        "timestamp": "2026-01-05T08:00:00Z",
        "messageId": "sent-1",
    },
    # No messageId: the id is derived from the content, wherever the message comes from.
    {
        "type": "track",
        "event": "Export",
        "userId": "u1",
        "groupId": "acme",
        "timestamp": "2026-01-05T09:00:00Z",
        "properties": {"rows": 5},
    },
]


def send(session, messages: list[dict]) -> tuple[int, int]:
    """Store messages as the ingestion API does; return (stored, duplicates)."""
    read = [read_message(m, received_at=RECEIVED) for m in messages]
    result = store_messages(session=session, messages=read, received_at=RECEIVED)
    session.commit()
    return result.stored, result.duplicates


def test_a_file_of_events_sent_already_stores_nothing(session, tmp_path):
    assert send(session, MESSAGES) == (2, 0)
    # The sender's retries add send-time fields; they do not make another event.
    path = write_file(
        tmp_path,
        "replay.jsonl",
        jsonl(*[{**m, "sentAt": "2026-01-05T10:00:00Z"} for m in MESSAGES]),
    )
    result = run(session, path, received_at=LATER)
    assert (result.stored, result.duplicates) == (0, 2)
    assert len(stored(session)) == 2


def test_events_sent_after_an_import_of_them_are_duplicates(session, tmp_path):
    assert run(session, write_file(tmp_path, "e.jsonl", jsonl(*MESSAGES))).stored == 2
    assert send(session, MESSAGES) == (0, 2)


def test_a_flat_row_and_the_same_segment_message_are_one_event(session, tmp_path):
    flat = write_file(
        tmp_path,
        "flat.csv",
        "timestamp,account_id,user_id,event,properties\n"
        '2026-01-05T09:00:00Z,acme,u1,Export,"{""rows"": 5}"\n',
    )
    assert run(session, flat).stored == 1
    assert send(session, [MESSAGES[1]]) == (0, 1)


def test_stats_count_imported_events_accounts_and_users(session, tmp_path):
    make_account(session, "acme")
    path = write_file(
        tmp_path,
        "flat.csv",
        "timestamp,account_id,user_id,event\n"
        "2026-01-05T08:00:00Z,acme,u1,Login\n"
        "2026-01-05T09:00:00Z,acme,u2,Login\n"
        "2026-01-05T10:00:00Z,globex,u3,Login\n"
        "2026-01-05T11:00:00Z,,u4,Login\n",
    )
    run(session, path)
    assert usage_stats(session=session) == {
        "events": 4,
        "accounts": 2,
        "users": 4,
        "known_accounts": 1,
        "events_without_account": 1,
    }


def test_progress_is_reported_in_bytes_up_to_the_whole_file(session, tmp_path):
    rows = "".join(f"2026-01-05T08:00:00Z,acme,u{i},Login\n" for i in range(2500))
    path = write_file(tmp_path, "flat.csv", "timestamp,account_id,user_id,event\n" + rows)
    calls = []
    result = run(session, path, progress=lambda *call: calls.append(call))
    size = path.stat().st_size
    assert result.stored == 2500
    assert {(phase, unit, total) for phase, _, total, unit in calls} == {
        ("Importing", "bytes", size)
    }
    done = [c[1] for c in calls]
    assert done == sorted(done) and done[0] == 0 and done[-1] == size and len(done) >= 4
