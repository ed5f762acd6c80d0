"""The tickets API: who may write which account's tickets, upserts by external id, filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from headway.core.audit import AuditEntry
from headway.users.models import Scope
from tests.helpers import bearer, make_account, make_contact

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def acme(session, bob):
    account = make_account(session, "acme", owner=bob)
    make_contact(session, account, "jane@acme.com", "Jane Roe")
    return account


@pytest.fixture
def globex(session, erin):
    return make_account(session, "globex", owner=erin)


def ticket(account="acme", **changes):
    return {
        "account_id": account,
        "subject": "Login fails",
        "status": "open",
        "created_at": "2026-01-05T09:00:00Z",
        **changes,
    }


def put(client, headers, external_id, body):
    return client.put(f"/api/v1/tickets/by-external-id/{external_id}", json=body, headers=headers)


def test_bob_stores_a_ticket_of_his_account_once_and_then_replaces_it(client, session, bob, acme):
    headers = bearer(session, bob, Scope.READ, Scope.WRITE)

    created = put(client, headers, "zendesk:1", ticket(requester_email="Jane@acme.com"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["account_id"], body["external_id"], body["priority"]) == (
        acme.id,
        "zendesk:1",
        "normal",
    )
    assert body["requester_email"] == "jane@acme.com"
    assert body["requester_contact_id"] is not None

    again = put(client, headers, "zendesk:1", ticket(status="solved", priority="high"))
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["status"]) == (body["id"], "solved")
    assert again.json()["requester_email"] is None  # a PUT replaces the whole ticket
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "ticket").order_by(AuditEntry.id)
    ).all()
    assert actions == ["ticket.create", "ticket.update"]


def test_erin_cannot_write_tickets_of_bobs_account(client, session, erin, acme):
    response = put(client, bearer(session, erin, Scope.READ, Scope.WRITE), "t-1", ticket())
    assert response.status_code == 403


def test_carol_the_viewer_reads_tickets_but_cannot_write_them(client, session, carol, bob, acme):
    put(client, bearer(session, bob, Scope.READ, Scope.WRITE), "t-1", ticket())
    carol_headers = bearer(session, carol, Scope.READ, Scope.WRITE)

    assert client.get("/api/v1/tickets", headers=carol_headers).json()["total"] == 1
    assert put(client, carol_headers, "t-2", ticket()).status_code == 403


def test_a_read_only_key_cannot_store_tickets(client, session, alice, acme):
    response = put(client, bearer(session, alice, Scope.READ), "t-1", ticket())
    assert response.status_code == 403
    assert "write" in response.json()["detail"]


def test_an_unknown_account_or_a_rating_off_its_scale_is_refused(client, session, alice, acme):
    headers = bearer(session, alice, Scope.READ, Scope.WRITE)
    assert put(client, headers, "t-1", ticket(account="initech")).status_code == 422
    bad_rating = ticket(satisfaction="7", satisfaction_scale="1-5")
    assert put(client, headers, "t-1", bad_rating).status_code == 422


def test_tickets_filter_by_status_priority_period_and_account(client, session, alice, acme, globex):
    headers = bearer(session, alice, Scope.READ, Scope.WRITE)
    put(client, headers, "a", ticket(status="open", priority="high"))
    put(client, headers, "b", ticket(status="solved", created_at="2026-01-20T23:30:00Z"))
    put(client, headers, "c", ticket(account="globex", created_at="2026-01-21T00:00:00Z"))

    def ids(path, **params):
        response = client.get(path, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["external_id"] for item in response.json()["items"]]

    assert ids("/api/v1/tickets") == ["c", "b", "a"]  # newest first
    assert ids("/api/v1/tickets", status="open") == ["c", "a"]
    assert ids("/api/v1/tickets", priority="high") == ["a"]
    # Days are inclusive, in UTC.
    assert ids("/api/v1/tickets", **{"from": "2026-01-06", "to": "2026-01-20"}) == ["b"]
    assert ids("/api/v1/tickets", account_id=globex.id) == ["c"]
    assert ids(f"/api/v1/accounts/{acme.id}/tickets") == ["b", "a"]
    assert ids(f"/api/v1/accounts/{acme.id}/tickets", status="solved") == ["b"]
    assert (
        client.get("/api/v1/tickets", params={"status": "escalated"}, headers=headers).status_code
        == 422
    )


def test_one_ticket_is_read_by_id_and_an_unknown_one_is_not_found(client, session, alice, acme):
    headers = bearer(session, alice, Scope.READ, Scope.WRITE)
    stored = put(client, headers, "t-1", ticket()).json()

    one = client.get(f"/api/v1/tickets/{stored['id']}", headers=headers)
    assert (one.status_code, one.json()["subject"]) == (200, "Login fails")
    by_external_id = client.get("/api/v1/tickets/by-external-id/t-1", headers=headers)
    assert by_external_id.json()["id"] == stored["id"]
    assert client.get("/api/v1/tickets/999999", headers=headers).status_code == 404
    missing = client.get("/api/v1/tickets/by-external-id/t-2", headers=headers)
    assert missing.status_code == 404
    assert client.get("/api/v1/accounts/999999/tickets", headers=headers).status_code == 404
