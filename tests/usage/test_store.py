"""Storing messages: exactly once, who is who, which account, contacts from identify."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.contacts.models import Contact
from headway.core.db import get_sessionmaker
from headway.usage.messages import Message, read_message
from headway.usage.models import UsageEvent, UsageGroup, UsageIdentity
from headway.usage.service import attach_identified_contacts, store_messages, usage_stats
from tests.helpers import make_account, make_contact

RECEIVED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def messages(*raws: dict[str, Any]) -> list[Message]:
    return [read_message(raw, received_at=RECEIVED) for raw in raws]


def store(session: Session, *raws: dict[str, Any]):
    result = store_messages(session=session, messages=messages(*raws), received_at=RECEIVED)
    session.commit()
    return result


def track(user: str, event: str = "Report Created", **fields: Any) -> dict[str, Any]:
    return {"type": "track", "userId": user, "event": event, **fields}


def identity(session: Session, user_key: str) -> UsageIdentity:
    found = session.scalar(select(UsageIdentity).where(UsageIdentity.user_key == user_key))
    assert found is not None
    session.refresh(found)
    return found


def accounts_of_events(session: Session) -> dict[str, str | None]:
    return dict(session.execute(select(UsageEvent.message_id, UsageEvent.account_key)).all())


# --- exactly once ---------------------------------------------------------------------------


def test_a_message_sent_twice_is_stored_once_and_counted_as_a_duplicate(session):
    first = store(session, track("u1", messageId="m1"), track("u2", messageId="m2"))
    again = store(session, track("u1", messageId="m1"), track("u3", messageId="m3"))
    assert (first.stored, first.duplicates) == (2, 0)
    assert (again.stored, again.duplicates) == (1, 1)
    assert session.scalar(select(func.count(UsageEvent.id))) == 3


def test_the_same_messageid_twice_in_one_batch_is_stored_once(session):
    result = store(session, track("u1", messageId="m1"), track("u1", messageId="m1"))
    assert (result.stored, result.duplicates) == (1, 1)


def test_a_message_without_messageid_sent_again_is_stored_once_by_its_derived_id(session):
    raw = track("u1", timestamp="2026-03-01T10:00:00Z")
    store(session, {**raw, "sentAt": "2026-03-01T10:00:01Z"})
    again = store(session, {**raw, "sentAt": "2026-03-01T10:05:00Z"})
    assert (again.stored, again.duplicates) == (0, 1)
    stored = session.scalars(select(UsageEvent.message_id)).all()
    assert len(stored) == 1 and stored[0].startswith("derived-")


# --- identities and groups ----------------------------------------------------------------


def test_identify_learns_the_users_traits_and_email_merging_over_earlier_ones(session):
    store(
        session,
        {
            "type": "identify",
            "userId": "u1",
            "traits": {"email": " Ann@Acme.TEST ", "plan": "free"},
            "timestamp": "2026-03-01T10:00:00Z",
        },
    )
    store(
        session,
        {
            "type": "identify",
            "userId": "u1",
            "context": {"traits": {"plan": "pro", "title": "CTO"}},
            "timestamp": "2026-02-01T10:00:00Z",
        },
    )
    ann = identity(session, "u1")
    assert ann.email == "ann@acme.test"
    assert ann.traits == {"email": " Ann@Acme.TEST ", "plan": "pro", "title": "CTO"}
    assert ann.first_seen_at == datetime(2026, 2, 1, 10, tzinfo=UTC)
    assert ann.last_seen_at == datetime(2026, 3, 1, 10, tzinfo=UTC)


def test_an_email_too_long_for_a_contact_is_not_taken_as_the_users_email(session):
    store(session, {"type": "identify", "userId": "u1", "traits": {"email": "a" * 320 + "@x.io"}})
    assert identity(session, "u1").email is None


def test_group_gives_the_account_traits_merged_over_earlier_ones_without_the_users(session):
    store(
        session,
        {
            "type": "group",
            "userId": "u1",
            "groupId": "acme",
            "traits": {"name": "Acme", "seats": 5},
        },
    )
    store(
        session,
        {
            "type": "group",
            "userId": "u2",
            "groupId": "acme",
            "traits": {"seats": 8},
            "context": {"traits": {"email": "bo@acme.test"}},
        },
    )
    group = session.scalar(select(UsageGroup).where(UsageGroup.account_key == "acme"))
    assert group is not None
    session.refresh(group)
    assert group.traits == {"name": "Acme", "seats": 8}
    assert identity(session, "u1").account_key == "acme"
    assert identity(session, "u2").account_key == "acme"


def test_events_of_a_grouped_user_belong_to_the_account_even_without_a_groupid(session):
    store(session, {"type": "group", "userId": "u1", "groupId": "acme"})
    store(session, track("u1", messageId="m1"))
    assert accounts_of_events(session)["m1"] == "acme"


def test_events_sent_before_the_user_was_grouped_join_the_account_when_grouped(session):
    store(session, track("u1", messageId="m1"), track("u2", messageId="m2"))
    assert accounts_of_events(session) == {"m1": None, "m2": None}
    store(session, {"type": "group", "userId": "u1", "groupId": "acme", "messageId": "g1"})
    assert accounts_of_events(session) == {"m1": "acme", "m2": None, "g1": "acme"}


def test_an_event_keeps_the_account_it_named_when_its_user_is_grouped_elsewhere(session):
    store(session, track("u1", messageId="m1", context={"groupId": "globex"}))
    store(session, {"type": "group", "userId": "u1", "groupId": "acme", "messageId": "g1"})
    assert accounts_of_events(session)["m1"] == "globex"


def test_concurrent_identifies_of_one_user_lose_none_of_each_others_traits(session, database_url):
    # The first writer holds the user's row; the second waits, then reads what the first wrote.
    store_messages(
        session=session,
        messages=messages({"type": "identify", "userId": "u1", "traits": {"plan": "pro"}}),
        received_at=RECEIVED,
    )
    errors: list[BaseException] = []

    def second_writer() -> None:
        other = get_sessionmaker(database_url)()
        try:
            store(other, {"type": "identify", "userId": "u1", "traits": {"role": "admin"}})
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            other.close()

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.5)
    session.commit()
    thread.join(timeout=30)
    assert not errors
    assert identity(session, "u1").traits == {"plan": "pro", "role": "admin"}


# --- accounts not known yet; contacts from identify ----------------------------------------


def test_events_for_an_unknown_account_are_kept_and_join_it_when_it_is_created(session):
    store(session, track("u1", messageId="m1", context={"groupId": "newco"}))
    before = usage_stats(session=session)
    assert (before["events"], before["accounts"], before["known_accounts"]) == (1, 1, 0)
    make_account(session, "newco", "NewCo")
    after = usage_stats(session=session)
    assert (after["known_accounts"], after["events_without_account"]) == (1, 0)


def test_an_identified_user_of_a_known_account_becomes_its_contact_once(session):
    acme = make_account(session, "acme", "Acme")
    store(
        session,
        {
            "type": "identify",
            "userId": "u1",
            "traits": {
                "email": "Ann@Acme.test",
                "firstName": "Ann",
                "lastName": "Lee",
                "title": "Head of Support",
                "company": {"id": "acme"},
            },
        },
    )
    assert attach_identified_contacts(session=session, now=RECEIVED) == 1
    session.commit()
    assert attach_identified_contacts(session=session, now=RECEIVED) == 0
    contact = session.scalar(select(Contact).where(Contact.account_id == acme.id))
    assert contact is not None
    assert (contact.email, contact.name, contact.title) == (
        "ann@acme.test",
        "Ann Lee",
        "Head of Support",
    )


def test_an_existing_contact_is_left_as_it_is(session):
    acme = make_account(session, "acme", "Acme")
    make_contact(session, acme, "ann@acme.test", "Ann Original")
    store(
        session,
        {
            "type": "identify",
            "userId": "u1",
            "groupId": "acme",
            "traits": {"email": "ann@acme.test", "name": "New"},
        },
    )
    assert attach_identified_contacts(session=session, now=RECEIVED) == 0
    names = session.scalars(select(Contact.name).where(Contact.account_id == acme.id)).all()
    assert names == ["Ann Original"]


def test_a_user_identified_before_the_account_exists_becomes_a_contact_when_it_appears(session):
    store(
        session,
        {
            "type": "identify",
            "userId": "u1",
            "traits": {"email": "zoe@newco.test", "company": {"id": "newco"}},
        },
    )
    assert attach_identified_contacts(session=session, now=RECEIVED) == 0
    newco = make_account(session, "newco", "NewCo")
    assert attach_identified_contacts(session=session, now=RECEIVED) == 1
    session.commit()
    emails = session.scalars(select(Contact.email).where(Contact.account_id == newco.id)).all()
    assert emails == ["zoe@newco.test"]


def test_contacts_can_be_attached_for_the_named_users_only(session):
    make_account(session, "acme", "Acme")
    store(
        session,
        {"type": "identify", "userId": "u1", "groupId": "acme", "traits": {"email": "a@acme.test"}},
        {"type": "identify", "userId": "u2", "groupId": "acme", "traits": {"email": "b@acme.test"}},
    )
    assert attach_identified_contacts(session=session, now=RECEIVED, user_keys={"u2"}) == 1
    assert attach_identified_contacts(session=session, now=RECEIVED) == 1
