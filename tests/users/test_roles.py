"""The role matrix: who may read, create, edit and assign, through the API with their keys."""

from __future__ import annotations

import pytest

from headway.users.models import Scope
from tests.helpers import bearer, make_account

# (person, may create accounts, may edit Bob's account Acme, may assign Acme's owner and segment)
MATRIX = [
    ("alice", True, True, True),  # admin: everything
    ("dave", True, True, True),  # manager: all accounts, assigns CSMs and segments
    ("bob", False, True, False),  # CSM who owns Acme: edits it, assigns neither owner nor segment
    ("erin", False, False, False),  # another CSM: reads Acme, cannot edit it
    ("carol", False, False, False),  # viewer: reads only
]


@pytest.mark.parametrize(("person", "may_create", "may_edit", "may_assign"), MATRIX)
def test_the_role_matrix_through_the_api(
    request, client, session, bob, erin, person, may_create, may_edit, may_assign
):
    user = request.getfixturevalue(person)
    acme = make_account(session, "acme", "Acme", owner=bob)
    headers = bearer(session, user, Scope.READ, Scope.WRITE)

    assert client.get(f"/api/v1/accounts/{acme.id}", headers=headers).status_code == 200

    created = client.post(
        "/api/v1/accounts", json={"external_id": f"new-{person}", "name": "New"}, headers=headers
    )
    assert created.status_code == (201 if may_create else 403), created.text

    edited = client.patch(
        f"/api/v1/accounts/{acme.id}", json={"industry": "Logistics"}, headers=headers
    )
    assert edited.status_code == (200 if may_edit else 403), edited.text

    assigned = client.patch(
        f"/api/v1/accounts/{acme.id}", json={"owner_id": erin.id}, headers=headers
    )
    assert assigned.status_code == (200 if may_assign else 403), assigned.text

    segmented = client.patch(
        f"/api/v1/accounts/{acme.id}", json={"segment": "mid-touch"}, headers=headers
    )
    assert segmented.status_code == (200 if may_assign else 403), segmented.text


def test_a_request_without_a_key_is_refused(client):
    response = client.get("/api/v1/accounts")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_read_only_key_cannot_write(client, session, alice):
    headers = bearer(session, alice, Scope.READ)
    assert client.get("/api/v1/accounts", headers=headers).status_code == 200
    response = client.post(
        "/api/v1/accounts", json={"external_id": "x", "name": "X"}, headers=headers
    )
    assert response.status_code == 403
    assert "write" in response.json()["detail"]


def test_an_ingest_key_cannot_read_accounts(client, session, alice):
    headers = bearer(session, alice, Scope.INGEST)
    assert client.get("/api/v1/accounts", headers=headers).status_code == 403


def test_a_revoked_key_stops_working_at_once(client, session, alice):
    from headway.core.audit import Actor
    from headway.users.models import ApiKey
    from headway.users.service import revoke_api_key

    headers = bearer(session, alice, Scope.READ)
    assert client.get("/api/v1/accounts", headers=headers).status_code == 200
    key = session.query(ApiKey).one()
    revoke_api_key(session=session, actor=Actor.system("test"), key_id=key.id)
    assert client.get("/api/v1/accounts", headers=headers).status_code == 401


def test_a_tampered_key_is_refused(client, session, alice):
    headers = bearer(session, alice, Scope.READ)
    headers["Authorization"] = headers["Authorization"][:-2] + "xx"
    assert client.get("/api/v1/accounts", headers=headers).status_code == 401


def test_a_key_of_a_deactivated_person_is_refused(client, session, carol):
    headers = bearer(session, carol, Scope.READ)
    carol.active = False
    session.commit()
    assert client.get("/api/v1/accounts", headers=headers).status_code == 401


def test_writes_through_a_key_are_audited_with_the_key_and_its_owner(client, session, dave):
    from headway.core.audit import AuditEntry

    headers = bearer(session, dave, Scope.WRITE, Scope.READ)
    response = client.post(
        "/api/v1/accounts", json={"external_id": "globex", "name": "Globex"}, headers=headers
    )
    assert response.status_code == 201
    entry = session.query(AuditEntry).filter_by(action="account.create").one()
    assert entry.actor_kind == "api_key"
    assert entry.user_id == dave.id
    assert entry.api_key_id is not None
    assert entry.after["name"] == "Globex"
