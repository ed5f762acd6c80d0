"""The tracking API: write keys, gzip, batches, limits, refusals, and writers at once."""

from __future__ import annotations

import base64
import gzip
import json
import random
import threading
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from headway.contacts.models import Contact
from headway.core.audit import Actor
from headway.usage.ingest import IngestRefused, decode_body
from headway.usage.messages import MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, MAX_MESSAGE_BYTES
from headway.usage.models import UsageEvent, UsageGroup, UsageIdentity
from headway.users.models import Scope
from headway.users.service import find_api_key, revoke_api_key
from tests.helpers import make_account
from tests.usage.ingest_support import live_headway, stored_events, track, write_key_of


@pytest.fixture
def key(session, alice) -> str:
    return write_key_of(session, alice)


def basic(key: str) -> dict[str, str]:
    """What Segment's and RudderStack's libraries send: the key as user, an empty password."""
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def compact(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def event_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(UsageEvent.id))) or 0


# --- write keys -----------------------------------------------------------------------------


def test_a_write_key_as_basic_user_with_an_empty_password_is_accepted(client, session, key):
    response = client.post("/v1/track", json=track("u1", "m1"), headers=basic(key))
    assert response.status_code == 200
    assert response.json() == {"success": True, "stored": 1, "duplicates": 0}
    assert [e.message_id for e in stored_events(session)] == ["m1"]


def test_a_write_key_in_the_body_is_accepted_and_not_stored(client, session, key):
    single = client.post("/v1/track", json={**track("u1", "m1"), "writeKey": key})
    batch = client.post("/v1/batch", json={"batch": [track("u1", "m2")], "writeKey": key})
    assert (single.status_code, batch.status_code) == (200, 200)
    assert all("writeKey" not in e.payload for e in stored_events(session))


def test_a_write_key_as_a_bearer_token_is_accepted(client, key):
    response = client.post(
        "/v1/identify", json={"userId": "u1"}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.json() == {"success": True, "stored": 1, "duplicates": 0}


@pytest.mark.parametrize(
    ("headers", "body_key", "code"),
    [
        ({}, None, "missing_write_key"),
        ({"Authorization": "Basic bm90LWEta2V5Og=="}, None, "invalid_write_key"),
        ({"Authorization": "Bearer hw_nope_nope"}, None, "invalid_write_key"),
        ({"Authorization": "Token abc"}, None, "invalid_authorization"),
        ({}, "hw_nope_nope", "invalid_write_key"),
        ({}, 12345, "invalid_write_key"),
    ],
)
def test_no_write_key_or_an_unknown_one_is_refused_with_401(
    client, session, headers, body_key, code
):
    body = track("u1", "m1") | ({"writeKey": body_key} if body_key is not None else {})
    response = client.post("/v1/track", json=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == code and response.json()["success"] is False
    assert response.headers["www-authenticate"].startswith("Basic")
    assert event_count(session) == 0


def test_a_revoked_write_key_is_refused(client, session, alice, key):
    found = find_api_key(session=session, secret=key)
    assert found is not None
    revoke_api_key(session=session, actor=Actor.system("test"), key_id=found.id)
    response = client.post("/v1/track", json=track("u1", "m1"), headers=basic(key))
    assert response.status_code == 401


def test_a_key_without_the_ingest_scope_is_refused_with_403(client, session, alice):
    api_key = write_key_of(session, alice, Scope.READ, Scope.WRITE)
    response = client.post("/v1/track", json=track("u1", "m1"), headers=basic(api_key))
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"
    assert "ingest" in response.json()["message"]
    assert event_count(session) == 0


# --- bodies: gzip, JSON ---------------------------------------------------------------------


def test_a_gzip_body_is_read_when_the_header_says_so_or_its_first_bytes_do(client, session, key):
    body = gzip.compress(compact({"batch": [track("u1", "m1"), track("u2", "m2")]}))
    named = client.post(
        "/v1/batch", content=body, headers={**basic(key), "Content-Encoding": "gzip"}
    )
    unnamed = client.post(
        "/v1/track", content=gzip.compress(compact(track("u3", "m3"))), headers=basic(key)
    )
    assert named.json() == {"success": True, "stored": 2, "duplicates": 0}
    assert unnamed.json() == {"success": True, "stored": 1, "duplicates": 0}


def gzip_bomb(megabytes: int) -> bytes:
    """A gzip body of a few kilobytes that would decompress to `megabytes` of spaces."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b" " * 1_000_000
    parts = [packer.compress(b'{"batch":[')]
    parts += [packer.compress(chunk) for _ in range(megabytes)]
    return b"".join([*parts, packer.compress(b"]}"), packer.flush()])


def test_a_gzip_bomb_is_refused_with_400(client, session, key):
    response = client.post(
        "/v1/batch", content=gzip_bomb(20), headers={**basic(key), "Content-Encoding": "gzip"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "body_too_large"


def test_a_gzip_bomb_is_decompressed_no_further_than_the_limit():
    bomb = gzip_bomb(100)
    tracemalloc.start()
    try:
        with pytest.raises(IngestRefused, match="512,001 bytes or more"):
            decode_body(bomb, content_encoding="gzip")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MAX_BATCH_BYTES  # not the 200 MB it holds


@pytest.mark.parametrize(
    ("content", "headers", "code"),
    [
        (b"{not json", {}, "invalid_json"),
        (b"[1, 2]", {}, "invalid_json"),
        (
            b'{"batch": [{"type": "track", "userId": "u", "event": "E", "n": NaN}]}',
            {},
            "invalid_json",
        ),
        (
            b'{"batch": [{"type": "track", "userId": "u", "event": "E", "n": 1e999}]}',
            {},
            "invalid_json",
        ),
        (b"\xff\xfe{}", {}, "invalid_json"),
        (b'{"batch": {"type": "track"}}', {}, "invalid_batch"),
        (b"{}", {}, "invalid_batch"),
        (b'{"batch": []}', {"Content-Encoding": "br"}, "unsupported_encoding"),
        (b"\x1f\x8b\x08\x00garbage", {}, "invalid_gzip"),
        (gzip.compress(b'{"batch": []}')[:-6], {"Content-Encoding": "gzip"}, "invalid_gzip"),
    ],
)
def test_a_body_that_cannot_be_read_is_refused_with_400_saying_why(
    client, key, content, headers, code
):
    response = client.post("/v1/batch", content=content, headers={**basic(key), **headers})
    assert response.status_code == 400
    assert response.json()["code"] == code


# --- batches: shared context, traits, each message type -------------------------------------


def test_a_batchs_context_and_integrations_are_merged_into_each_message(client, session, key):
    body = {
        "batch": [
            track("u1", "m1"),
            track("u2", "m2", context={"groupId": "globex", "ip": "10.0.0.1"}),
        ],
        "context": {"groupId": "acme", "library": {"name": "analytics-python"}},
        "integrations": {"All": True},
    }
    assert client.post("/v1/batch", json=body, headers=basic(key)).status_code == 200
    first, second = stored_events(session)
    assert (first.account_key, second.account_key) == ("acme", "globex")
    assert second.payload["context"] == {
        "groupId": "globex",
        "ip": "10.0.0.1",
        "library": {"name": "analytics-python"},
    }
    assert first.payload["integrations"] == {"All": True}


def test_traits_in_context_traits_are_the_users_and_make_a_contact(client, session, key):
    acme = make_account(session, "acme", "Acme")
    message = {
        "userId": "u1",
        "context": {"traits": {"email": "ann@acme.test", "name": "Ann Lee"}},
        "traits": {"company": {"id": "acme"}},
    }
    assert client.post("/v1/identify", json=message, headers=basic(key)).status_code == 200
    session.expire_all()
    user = session.scalar(select(UsageIdentity).where(UsageIdentity.user_key == "u1"))
    assert user is not None and user.account_key == "acme"
    assert user.traits["email"] == "ann@acme.test"
    contact = session.scalar(select(Contact).where(Contact.account_id == acme.id))
    assert contact is not None and (contact.email, contact.name) == ("ann@acme.test", "Ann Lee")


@pytest.mark.parametrize(
    ("endpoint", "message", "event"),
    [
        ("track", {"userId": "u1", "event": "Report Created"}, "Report Created"),
        ("identify", {"userId": "u1", "traits": {"plan": "pro"}}, None),
        ("group", {"userId": "u1", "groupId": "acme", "traits": {"seats": 5}}, None),
        ("page", {"anonymousId": "a1", "name": "Pricing"}, "Pricing"),
        ("screen", {"userId": "u1", "name": "Inbox"}, "Inbox"),
        ("alias", {"userId": "u1", "previousId": "a1"}, None),
    ],
)
def test_each_endpoint_stores_its_type_of_message(client, session, key, endpoint, message, event):
    response = client.post(f"/v1/{endpoint}", json=message, headers=basic(key))
    assert response.json() == {"success": True, "stored": 1, "duplicates": 0}
    (stored,) = stored_events(session)
    assert (stored.type, stored.event) == (endpoint, event)


def test_a_group_call_gives_the_account_its_traits(client, session, key):
    client.post(
        "/v1/group",
        json={"userId": "u1", "groupId": "acme", "traits": {"seats": 5}},
        headers=basic(key),
    )
    session.expire_all()
    group = session.scalar(select(UsageGroup).where(UsageGroup.account_key == "acme"))
    assert group is not None and group.traits == {"seats": 5}


def test_a_message_sent_again_is_a_duplicate_not_a_second_row(client, session, key):
    body = {"batch": [track("u1", "m1"), {"type": "track", "userId": "u1", "event": "No id"}]}
    first = client.post("/v1/batch", json=body, headers=basic(key))
    again = client.post("/v1/batch", json=body, headers=basic(key))
    assert first.json() == {"success": True, "stored": 2, "duplicates": 0}
    assert again.json() == {"success": True, "stored": 0, "duplicates": 2}
    assert event_count(session) == 2


# --- refused messages -----------------------------------------------------------------------


def test_a_refused_single_message_answers_400_naming_it_and_why(client, session, key):
    response = client.post(
        "/v1/track", json={"userId": "u1", "messageId": "m1"}, headers=basic(key)
    )
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "code": "message_refused",
        "message": "a track message needs an event name",
        "errors": [
            {"index": 0, "messageId": "m1", "reason": "a track message needs an event name"}
        ],
    }
    assert event_count(session) == 0


def test_a_message_sent_to_another_types_endpoint_is_refused(client, key):
    response = client.post(
        "/v1/track", json={"type": "identify", "userId": "u1"}, headers=basic(key)
    )
    assert response.status_code == 400
    assert "sent to the /v1/track endpoint" in response.json()["errors"][0]["reason"]


def test_a_partial_batch_stores_the_valid_messages_and_names_the_refused(client, session, key):
    body = {
        "batch": [
            track("u1", "m1"),
            {"type": "track", "messageId": "m2", "event": "E"},
            "not a message",
            track("u3", "m4"),
            {"type": "purchase", "userId": "u1", "messageId": 5},
        ]
    }
    response = client.post("/v1/batch", json=body, headers=basic(key))
    assert response.status_code == 400
    answer = response.json()
    assert (answer["success"], answer["code"], answer["stored"], answer["duplicates"]) == (
        False,
        "messages_refused",
        2,
        0,
    )
    assert [(r["index"], r["messageId"]) for r in answer["refused"]] == [
        (1, "m2"),
        (2, None),
        (4, "5"),
    ]
    assert answer["refused"][0]["reason"] == "userId or anonymousId is required"
    assert [e.message_id for e in stored_events(session)] == ["m1", "m4"]
    # Re-sending the same batch stores nothing twice.
    again = client.post("/v1/batch", json=body, headers=basic(key)).json()
    assert (again["stored"], again["duplicates"]) == (0, 2)


# --- limits: 32 KB a message, 500 KB and 2,500 messages a batch, 1 MB as sent ---------------


def message_of_size(size: int, message_id: str) -> dict[str, Any]:
    """A track message of exactly `size` bytes as compact JSON."""
    message = track("u1", message_id, properties={"p": ""})
    padding = size - len(compact(message))
    return track("u1", message_id, properties={"p": "x" * padding})


def batch_of_size(size: int) -> bytes:
    """A batch body of exactly `size` bytes, of messages of 25,000 bytes or fewer."""
    messages = [message_of_size(25_000, f"m{i:03}") for i in range(size // 25_000)]
    body = compact({"batch": messages})
    last = size - len(body) - 1  # the comma before it
    messages.append(message_of_size(last, "last"))
    data = compact({"batch": messages})
    assert len(data) == size
    return data


def test_a_message_over_32_kb_is_refused_and_the_rest_of_its_batch_stored(client, session, key):
    body = {
        "batch": [
            message_of_size(MAX_MESSAGE_BYTES, "fits"),
            message_of_size(MAX_MESSAGE_BYTES + 1, "big"),
        ]
    }
    answer = client.post("/v1/batch", json=body, headers=basic(key)).json()
    assert answer["stored"] == 1
    assert answer["refused"] == [
        {"index": 1, "messageId": "big", "reason": "the message is 32,769 bytes; at most 32,768"}
    ]


def test_a_batch_of_500_kb_is_taken_and_one_byte_more_is_refused_with_400(client, session, key):
    fits = client.post("/v1/batch", content=batch_of_size(MAX_BATCH_BYTES), headers=basic(key))
    assert fits.status_code == 200, fits.text
    stored = event_count(session)
    over = client.post("/v1/batch", content=batch_of_size(MAX_BATCH_BYTES + 1), headers=basic(key))
    assert over.status_code == 400
    assert over.json()["code"] == "body_too_large"
    assert "at most 512,000 bytes" in over.json()["message"]
    assert event_count(session) == stored


def test_a_body_over_1_mb_as_sent_is_refused_with_413(client, key):
    response = client.post(
        "/v1/batch", content=b" " * (2 * MAX_BATCH_BYTES + 1), headers=basic(key)
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


def test_a_batch_of_2500_messages_is_taken_and_2501_are_refused(client, session, key):
    messages = [track(f"u{i % 50}", f"m{i:04}") for i in range(MAX_BATCH_MESSAGES + 1)]
    over = client.post("/v1/batch", json={"batch": messages}, headers=basic(key))
    assert over.status_code == 400
    assert over.json()["code"] == "too_many_messages"
    assert event_count(session) == 0
    fits = client.post("/v1/batch", json={"batch": messages[:-1]}, headers=basic(key))
    assert fits.json() == {"success": True, "stored": 2500, "duplicates": 0}


# --- the OpenAPI document -------------------------------------------------------------------


def test_the_openapi_document_describes_each_endpoint_its_body_and_refusals(app):
    paths = app.openapi()["paths"]
    for name in ("track", "identify", "group", "page", "screen", "alias", "batch"):
        operation = paths[f"/v1/{name}"]["post"]
        assert {"200", "400", "401", "403", "413"} <= set(operation["responses"])
        assert "application/json" in operation["requestBody"]["content"]
    batch_schema = paths["/v1/batch"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert batch_schema["properties"]["batch"]["items"]["properties"]["type"]["enum"][0] == "track"
    assert "$defs" not in json.dumps(batch_schema)


# --- writers at once, against a live server (SQLite here, PostgreSQL in CI) -----------------


@pytest.fixture(scope="module")
def live_url(database_url: str) -> Iterator[str]:
    with live_headway(database_url) as url:
        yield url


def post_at_once(url: str, key: str, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """POST each body from its own thread, all released at the same moment."""
    start = threading.Barrier(len(bodies))
    responses: list[httpx.Response | BaseException] = [RuntimeError("not sent")] * len(bodies)

    def send(index: int) -> None:
        with httpx.Client(auth=(key, ""), timeout=60) as http:
            start.wait()
            try:
                responses[index] = http.post(f"{url}/v1/batch", json=bodies[index])
            except BaseException as error:
                responses[index] = error

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for response in responses:
        assert isinstance(response, httpx.Response), response
    return responses  # type: ignore[return-value]


def test_the_same_batch_posted_by_many_senders_at_once_is_stored_once(live_url, session, key):
    senders = 8
    for round_number in range(3):
        batch = [
            {
                "type": "group",
                "userId": f"u{round_number}-0",
                "groupId": "acme",
                "messageId": f"g{round_number}",
            },
            *(
                {
                    "type": "identify",
                    "userId": f"u{round_number}-{i}",
                    "traits": {"email": f"u{i}@acme.test"},
                    "messageId": f"i{round_number}-{i}",
                }
                for i in range(20)
            ),
            *(track(f"u{round_number}-{i % 20}", f"t{round_number}-{i:03}") for i in range(200)),
        ]
        responses = post_at_once(live_url, key, [{"batch": batch}] * senders)
        answers = [r.json() for r in responses]
        assert all(r.status_code == 200 for r in responses), answers
        assert sum(a["stored"] for a in answers) == len(batch)
        assert sum(a["duplicates"] for a in answers) == (senders - 1) * len(batch)
    assert event_count(session) == 3 * 221


def test_overlapping_batches_at_once_keep_every_senders_traits(live_url, session, key):
    users = [f"u{i}" for i in range(30)]
    bodies = []
    for sender in range(6):
        order = random.Random(sender).sample(users, len(users))  # each in its own order
        bodies.append(
            {
                "batch": [
                    {"type": "identify", "userId": u, "traits": {f"from_{sender}": True}}
                    for u in order
                ]
            }
        )
    responses = post_at_once(live_url, key, bodies)
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    session.expire_all()
    traits = dict(session.execute(select(UsageIdentity.user_key, UsageIdentity.traits)).all())
    assert set(traits) == set(users)
    assert all(t == {f"from_{s}": True for s in range(6)} for t in traits.values())
