"""Segment's and RudderStack's own Python libraries pointed at a live Headway: only the host set."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
import rudderstack.analytics as rudder_analytics
import segment.analytics as analytics
from rudderstack.analytics.request import APIError as RudderAPIError
from segment.analytics.request import APIError as SegmentAPIError
from sqlalchemy import select

from headway.contacts.models import Contact
from headway.usage.models import UsageGroup, UsageIdentity
from tests.helpers import make_account
from tests.usage.ingest_support import live_headway, stored_events, write_key_of


@pytest.fixture(scope="module")
def live_url(database_url: str) -> Iterator[str]:
    with live_headway(database_url) as url:
        yield url


@pytest.fixture
def key(session, alice) -> str:
    return write_key_of(session, alice)


def configured(module: ModuleType, settings: dict[str, Any]) -> Iterator[ModuleType]:
    """Set a library's module-level settings for one test, then put them back."""
    library: Any = module  # its settings are plain module attributes
    before = {name: getattr(library, name) for name in settings}
    for name, value in settings.items():
        setattr(library, name, value)
    library.default_client = None
    try:
        yield library
    finally:
        client = library.default_client
        if client is not None and not client.sync_mode:
            client.shutdown()  # flushes, then stops its sending thread
        library.default_client = None
        for name, value in before.items():
            setattr(library, name, value)


@pytest.fixture
def segment(live_url, key) -> Iterator[ModuleType]:
    """segment-analytics-python as its README sets it up, sending synchronously."""
    yield from configured(
        analytics, {"write_key": key, "host": live_url, "sync_mode": True, "gzip": False}
    )


@pytest.fixture
def rudder(live_url, key) -> Iterator[ModuleType]:
    """rudder-sdk-python as its README sets it up (gzip on by default), sending synchronously."""
    yield from configured(
        rudder_analytics, {"write_key": key, "dataPlaneUrl": live_url, "sync_mode": True}
    )


def send_a_users_day(library: ModuleType) -> None:
    """What a product sends: who the user is, their account, a page, an action."""
    library.identify("u1", {"email": "ann@acme.test", "name": "Ann Lee"})
    library.group("u1", "acme", {"name": "Acme", "seats": 12})
    library.page("u1", "Docs", "Getting started")
    library.track("u1", "Report Created", {"rows": 10})


def check_a_users_day_stored(session) -> None:
    events = stored_events(session)
    assert sorted((e.type, e.event) for e in events) == [
        ("group", None),
        ("identify", None),
        ("page", "Getting started"),
        ("track", "Report Created"),
    ]
    # The identify came before the group: every event ends up in the account.
    assert {e.account_key for e in events} == {"acme"}
    assert {e.user_key for e in events} == {"u1"}
    user = session.scalar(select(UsageIdentity).where(UsageIdentity.user_key == "u1"))
    assert user is not None and (user.email, user.account_key) == ("ann@acme.test", "acme")
    group = session.scalar(select(UsageGroup).where(UsageGroup.account_key == "acme"))
    assert group is not None and group.traits == {"name": "Acme", "seats": 12}


# --- segment-analytics-python ---------------------------------------------------------------


def test_segments_library_sends_identify_group_page_and_track(segment, session):
    acme = make_account(session, "acme", "Acme")
    send_a_users_day(segment)
    check_a_users_day_stored(session)
    contact = session.scalar(select(Contact).where(Contact.account_id == acme.id))
    assert contact is not None and (contact.email, contact.name) == ("ann@acme.test", "Ann Lee")


def test_segments_library_resending_a_message_id_stores_it_once(segment, session):
    for _ in range(3):
        segment.track("u1", "Report Created", message_id="report-1")
    assert [e.message_id for e in stored_events(session)] == ["report-1"]


def test_segments_library_with_gzip_is_read(segment, session):
    segment.gzip = True
    segment.track("u1", "Report Created", {"rows": 10}, message_id="zipped-1")
    (event,) = stored_events(session)
    assert (event.message_id, event.payload["properties"]) == ("zipped-1", {"rows": 10})


def test_segments_library_queued_and_flushed_stores_each_message(segment, session):
    segment.sync_mode = False
    for i in range(150):
        segment.track(f"u{i % 7}", "Report Created", message_id=f"queued-{i}")
    segment.flush()
    assert len(stored_events(session)) == 150


def test_segments_library_is_told_why_a_message_was_refused(segment, session):
    with pytest.raises(SegmentAPIError) as refused:
        segment.track("u1", "E" * 300)
    assert refused.value.status == 400
    assert refused.value.code == "messages_refused"
    assert refused.value.message == (
        "1 of 1 messages refused, the first (index 0) because the event name is 300 "
        "characters; at most 200; the other 0 are stored, and re-sending them stores nothing twice"
    )
    assert stored_events(session) == []


def test_segments_library_with_a_key_lacking_the_ingest_scope_is_refused(segment, session, alice):
    from headway.users.models import Scope

    segment.write_key = write_key_of(session, alice, Scope.READ)
    with pytest.raises(SegmentAPIError) as refused:
        segment.track("u1", "Report Created")
    assert (refused.value.status, refused.value.code) == (403, "missing_scope")


# --- rudder-sdk-python ------------------------------------------------------------------------


def test_rudderstacks_library_sends_identify_group_page_and_track(rudder, session):
    send_a_users_day(rudder)
    check_a_users_day_stored(session)


def test_rudderstacks_library_resending_a_message_id_stores_it_once(rudder, session):
    for _ in range(3):
        rudder.track("u1", "Report Created", message_id="report-1")
    assert [e.message_id for e in stored_events(session)] == ["report-1"]


def test_rudderstacks_library_queued_and_flushed_stores_each_message(rudder, session):
    rudder.sync_mode = False
    for i in range(120):
        rudder.track(f"u{i % 7}", "Report Created", message_id=f"queued-{i}")
    rudder.flush()
    assert len(stored_events(session)) == 120


def test_rudderstacks_library_gives_up_on_a_refused_batch_at_once(rudder, session):
    # Its consumer retries anything but an APIError of 4xx, and builds that error from the
    # answer's "code" and "message": with them, the refusal is reported, not retried 10 times.
    reported: list[BaseException] = []
    rudder.sync_mode = False
    rudder.on_error = lambda error, batch: reported.append(error)
    rudder.track("u1", "Report Created", message_id="good-1")
    rudder.track("u1", "E" * 300, message_id="bad-1")
    rudder.flush()
    assert len(reported) == 1 and isinstance(reported[0], RudderAPIError)
    assert (reported[0].status, reported[0].code) == (400, "messages_refused")
    assert [e.message_id for e in stored_events(session)] == ["good-1"]
