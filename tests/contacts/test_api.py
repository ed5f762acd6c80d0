"""The contacts API and service."""

from __future__ import annotations

from headway.users.models import Scope
from tests.helpers import bearer, make_account


def test_bob_adds_and_changes_a_contact_of_his_account(client, session, bob):
    headers = bearer(session, bob, Scope.READ, Scope.WRITE)
    acme = make_account(session, "acme", owner=bob)
    created = client.post(
        "/api/v1/contacts",
        json={
            "account_id": acme.id,
            "email": " Wile.E@Acme.example ",
            "name": "Wile E.",
            "persona": "champion",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    contact = created.json()
    assert contact["email"] == "wile.e@acme.example" and contact["persona"] == "champion"
    changed = client.patch(
        f"/api/v1/contacts/{contact['id']}", json={"title": "Head of Ops"}, headers=headers
    ).json()
    assert changed["title"] == "Head of Ops"
    listed = client.get(
        "/api/v1/contacts", params={"account_id": acme.id, "persona": "champion"}, headers=headers
    ).json()
    assert listed["total"] == 1


def test_the_same_email_cannot_be_added_twice_to_one_account(client, session, alice):
    headers = bearer(session, alice, Scope.WRITE)
    acme = make_account(session, "acme")
    body = {"account_id": acme.id, "email": "a@acme.example"}
    assert client.post("/api/v1/contacts", json=body, headers=headers).status_code == 201
    assert client.post("/api/v1/contacts", json=body, headers=headers).status_code == 409


def test_erin_cannot_add_contacts_to_bobs_account(client, session, bob, erin):
    acme = make_account(session, "acme", owner=bob)
    response = client.post(
        "/api/v1/contacts",
        json={"account_id": acme.id, "email": "x@acme.example"},
        headers=bearer(session, erin, Scope.WRITE),
    )
    assert response.status_code == 403


def test_a_malformed_email_is_refused(client, session, alice):
    acme = make_account(session, "acme")
    response = client.post(
        "/api/v1/contacts",
        json={"account_id": acme.id, "email": "not-an-email"},
        headers=bearer(session, alice, Scope.WRITE),
    )
    assert response.status_code == 422


def test_null_fields_and_an_empty_external_id_are_refused(client, session, alice):
    headers = bearer(session, alice, Scope.READ, Scope.WRITE)
    acme = make_account(session, "acme")
    empty = {"account_id": acme.id, "email": "a@acme.example", "external_id": ""}
    assert client.post("/api/v1/contacts", json=empty, headers=headers).status_code == 422
    contact = client.post(
        "/api/v1/contacts",
        json={"account_id": acme.id, "email": "a@acme.example"},
        headers=headers,
    ).json()
    for body in ({"name": None}, {"traits": None}, {"email": None}):
        response = client.patch(f"/api/v1/contacts/{contact['id']}", json=body, headers=headers)
        assert response.status_code == 422, body
    assert client.get("/api/v1/contacts", headers=headers).status_code == 200


def test_an_email_with_a_space_is_refused_as_the_importer_refuses_it(client, session, alice):
    acme = make_account(session, "acme")
    response = client.post(
        "/api/v1/contacts",
        json={"account_id": acme.id, "email": "a@b c"},
        headers=bearer(session, alice, Scope.WRITE),
    )
    assert response.status_code == 422
