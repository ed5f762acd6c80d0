"""Reading Segment-shaped messages: tables of messages and what is read, or why refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from headway.usage.messages import (
    MAX_MESSAGE_BYTES,
    MessageRefused,
    derived_message_id,
    merge_batch_fields,
    read_message,
)

RECEIVED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def read(raw: object, message_type: str | None = None):
    return read_message(raw, received_at=RECEIVED, message_type=message_type)


# --- which account a message is for: groupId, then context.groupId, then traits.company.id ---


@pytest.mark.parametrize(
    ("raw", "account_key"),
    [
        ({"type": "track", "userId": "u1", "event": "E", "groupId": "acme"}, "acme"),
        ({"type": "track", "userId": "u1", "event": "E", "context": {"groupId": "acme"}}, "acme"),
        (
            {"type": "identify", "userId": "u1", "traits": {"company": {"id": "acme"}}},
            "acme",
        ),
        (
            {
                "type": "track",
                "userId": "u1",
                "event": "E",
                "context": {"traits": {"company": {"id": 42}}},
            },
            "42",
        ),
        (
            {
                "type": "track",
                "userId": "u1",
                "event": "E",
                "groupId": "first",
                "context": {"groupId": "second", "traits": {"company": {"id": "third"}}},
            },
            "first",
        ),
        ({"type": "group", "userId": "u1", "groupId": 7}, "7"),
        ({"type": "track", "userId": "u1", "event": "E"}, None),
    ],
)
def test_the_account_of_a_message_is_the_first_of_groupid_context_groupid_company_id(
    raw, account_key
):
    assert read(raw).account_key == account_key


# --- traits: top level or in context.traits; a group's own traits are the account's --------


def test_identify_traits_come_from_the_top_level_and_context_traits_the_top_level_winning():
    message = read(
        {
            "type": "identify",
            "userId": "u1",
            "traits": {"name": "Ann Lee"},
            "context": {"traits": {"email": "ann@acme.test", "name": "Ann"}},
        }
    )
    assert message.traits == {"email": "ann@acme.test", "name": "Ann Lee"}
    assert message.email == "ann@acme.test"


def test_a_group_message_keeps_only_its_own_traits_not_the_users_context_traits():
    message = read(
        {
            "type": "group",
            "userId": "u1",
            "groupId": "acme",
            "traits": {"name": "Acme", "plan": "pro"},
            "context": {"traits": {"email": "ann@acme.test"}},
        }
    )
    assert message.traits == {"name": "Acme", "plan": "pro"}


def test_track_messages_carry_no_traits_of_their_own():
    message = read(
        {"type": "track", "userId": "u1", "event": "E", "context": {"traits": {"email": "a@b.c"}}}
    )
    assert message.traits == {}


# --- ids, names, times, sessions ------------------------------------------------------------


def test_a_message_without_messageid_gets_one_derived_from_its_content_not_its_send_time():
    raw = {
        "type": "track",
        "userId": "u1",
        "event": "Report Created",
        "timestamp": "2026-03-01T10:00:00Z",
    }
    first = read({**raw, "sentAt": "2026-03-01T10:00:05Z", "writeKey": "hw_a_b"})
    again = read({**raw, "sentAt": "2026-03-01T11:00:00Z"})
    other = read({**raw, "event": "Report Shared"})
    assert first.message_id == again.message_id == derived_message_id(raw)
    assert first.message_id.startswith("derived-")
    assert other.message_id != first.message_id


@pytest.mark.parametrize(
    ("raw", "event", "user_key", "timestamp", "session_id"),
    [
        (
            {"type": "track", "userId": 12, "event": "E", "timestamp": "2026-03-01T10:00:00+02:00"},
            "E",
            "12",
            datetime(2026, 3, 1, 8, tzinfo=UTC),
            None,
        ),
        (
            {
                "type": "page",
                "anonymousId": "anon-1",
                "name": "Home",
                "originalTimestamp": "2026-03-01T10:00:00",
            },
            "Home",
            "anon-1",
            datetime(2026, 3, 1, 10, tzinfo=UTC),
            None,
        ),
        (
            {
                "type": "screen",
                "userId": "u1",
                "anonymousId": "anon-1",
                "context": {"sessionId": 99},
            },
            None,
            "u1",
            RECEIVED,
            "99",
        ),
        (
            {"type": "track", "userId": "u1", "event": "E", "properties": {"session_id": "s-1"}},
            "E",
            "u1",
            RECEIVED,
            "s-1",
        ),
        ({"type": "identify", "userId": "u1"}, None, "u1", RECEIVED, None),
    ],
)
def test_a_message_is_read_into_its_columns(raw, event, user_key, timestamp, session_id):
    message = read(raw)
    assert (message.event, message.user_key, message.timestamp, message.session_id) == (
        event,
        user_key,
        timestamp,
        session_id,
    )


def test_the_endpoints_type_is_the_messages_type_when_it_names_none():
    assert read({"userId": "u1", "event": "E"}, message_type="track").type == "track"


def test_the_write_key_is_never_stored_with_the_message():
    message = read({"type": "track", "userId": "u1", "event": "E", "writeKey": "hw_secret_key"})
    assert "writeKey" not in message.payload


# --- refusals: each names what was wrong ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message_type", "reason"),
    [
        ([1, 2], None, "a message must be a JSON object"),
        ({"type": "purchase", "userId": "u1"}, None, "type must be one of"),
        ({"type": ["track"], "userId": "u1", "event": "E"}, None, "type must be one of"),
        ({"userId": "u1", "event": "E"}, None, "type must be one of"),
        ({"type": "identify", "userId": "u1"}, "track", "type 'identify' sent to the /v1/track"),
        ({"type": "track", "event": "E"}, None, "userId or anonymousId is required"),
        ({"type": "track", "userId": "u1"}, None, "a track message needs an event name"),
        ({"type": "track", "userId": "u1", "event": "  "}, None, "needs an event name"),
        ({"type": "track", "userId": "u1", "event": "E" * 201}, None, "at most 200"),
        ({"type": "group", "userId": "u1"}, None, "a group message needs a groupId"),
        ({"type": "track", "userId": True, "event": "E"}, None, "userId must be a string"),
        ({"type": "track", "userId": "u" * 256, "event": "E"}, None, "at most 255"),
        ({"type": "track", "userId": "u1", "event": "E", "context": "x"}, None, "context must be"),
        ({"type": "track", "userId": "u1", "event": "E", "properties": [1]}, None, "properties"),
        ({"type": "track", "userId": "u1", "event": "E", "timestamp": 5}, None, "ISO 8601"),
        (
            {"type": "track", "userId": "u1", "event": "E", "timestamp": "yesterday"},
            None,
            "ISO 8601",
        ),
        (
            {
                "type": "track",
                "userId": "u1",
                "event": "E",
                "timestamp": "0001-01-01T00:00:00+05:00",
            },
            None,
            "out of the date-time range",
        ),
        (
            {"type": "track", "userId": "u1", "event": "E", "properties": {"q": "a\x00b"}},
            None,
            "NUL character",
        ),
        (
            {"type": "track", "userId": "u1", "event": "E", "properties": {"q": "\ud800"}},
            None,
            "not valid Unicode",
        ),
        (
            {"type": "track", "userId": "u1", "event": "E", "properties": {"n": float("nan")}},
            None,
            "NaN or infinite",
        ),
    ],
)
def test_a_message_that_cannot_be_stored_is_refused_with_the_reason(raw, message_type, reason):
    with pytest.raises(MessageRefused) as refused:
        read(raw, message_type)
    assert reason in str(refused.value)


def test_the_text_backslash_u0000_is_not_a_nul_character():
    message = read({"type": "track", "userId": "u1", "event": "E", "properties": {"q": "\\u0000"}})
    assert message.payload["properties"] == {"q": "\\u0000"}


def test_a_message_of_32_kb_is_read_and_one_byte_more_is_refused():
    def of_size(size: int) -> dict[str, object]:
        raw: dict[str, object] = {
            "type": "track",
            "userId": "u1",
            "event": "E",
            "properties": {"p": ""},
        }
        overhead = len('{"type":"track","userId":"u1","event":"E","properties":{"p":""}}')
        raw["properties"] = {"p": "x" * (size - overhead)}
        return raw

    assert read(of_size(MAX_MESSAGE_BYTES)).event == "E"
    with pytest.raises(MessageRefused, match=r"32,769 bytes; at most 32,768"):
        read(of_size(MAX_MESSAGE_BYTES + 1))


def test_a_message_is_measured_in_utf8_bytes_not_escaped_ascii():
    # 10,000 "é" are 20,000 UTF-8 bytes (60,000 as \u00e9 escapes): within 32 KB.
    message = read(
        {"type": "track", "userId": "u1", "event": "E", "properties": {"p": "é" * 10_000}}
    )
    assert message.payload["properties"]["p"] == "é" * 10_000


# --- batches: context and integrations apply to each message, the message's own win ---------


def test_a_batchs_context_and_integrations_merge_into_each_message_its_own_keys_winning():
    batch = {
        "context": {"groupId": "acme", "library": {"name": "batch"}},
        "integrations": {"All": False},
        "batch": [],
    }
    message = {"type": "track", "context": {"library": {"name": "own"}}, "integrations": None}
    merged = merge_batch_fields(message, batch)
    assert merged["context"] == {"groupId": "acme", "library": {"name": "own"}}
    assert merged["integrations"] == {"All": False}
    assert message["context"] == {"library": {"name": "own"}}  # the message itself unchanged
