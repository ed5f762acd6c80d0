"""The accounts API: list with filters, sorting and pages; get; create; update; timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine

from headway.users.models import Scope
from tests.helpers import bearer, make_account, subscribe

TODAY = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def test_the_list_filters_sorts_and_pages_with_mrr_in_major_units(client, session, alice, bob):
    headers = bearer(session, alice, Scope.READ)
    acme = make_account(session, "acme", "Acme", owner=bob, segment="high-touch")
    globex = make_account(session, "globex", "Globex", owner=bob)
    make_account(session, "initech", "Initech")
    subscribe(session, acme, "a1", "1200", date(2025, 1, 1), interval="year")  # 100/month
    subscribe(session, globex, "g1", "99.99", date(2025, 1, 1), quantity=3)  # 299.97/month
    with time_machine.travel(TODAY, tick=False):
        page = client.get(
            "/api/v1/accounts",
            params={"owner_id": bob.id, "sort": "-mrr", "per_page": 1, "page": 1},
            headers=headers,
        ).json()
    assert page["total"] == 2 and page["page"] == 1 and page["per_page"] == 1
    [first] = page["items"]
    assert (first["external_id"], first["mrr"]) == ("globex", 299.97)
    with time_machine.travel(TODAY, tick=False):
        items = client.get(
            "/api/v1/accounts", params={"segment": "high-touch"}, headers=headers
        ).json()["items"]
    assert [(i["name"], i["segment"], i["stage"], i["mrr"]) for i in items] == [
        ("Acme", "high-touch", "onboarding", 100.0)
    ]
    names = [
        i["name"]
        for i in client.get("/api/v1/accounts", params={"q": "tech"}, headers=headers).json()[
            "items"
        ]
    ]
    assert names == ["Initech"]


def test_an_unknown_filter_value_says_what_is_known(client, session, alice):
    response = client.get(
        "/api/v1/accounts", params={"segment": "vip"}, headers=bearer(session, alice)
    )
    assert response.status_code == 422
    assert "high-touch, mid-touch, tech-touch" in response.json()["detail"][0]["msg"]


def test_creating_and_updating_an_account(client, session, dave, bob):
    headers = bearer(session, dave, Scope.READ, Scope.WRITE)
    created = client.post(
        "/api/v1/accounts",
        json={
            "external_id": "0015g00000XyZ",
            "name": "Hooli",
            "domain": "hooli.example",
            "segment": "mid-touch",
            "stage": "adoption",
            "employees": 420,
            "traits": {"plan_tier": "gold"},
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["segment"], body["segment_locked"], body["stage"]) == (
        "mid-touch",
        True,
        "adoption",
    )
    updated = client.patch(
        f"/api/v1/accounts/{body['id']}",
        json={"owner_id": bob.id, "stage": "loyal", "stage_reason": "renewed early"},
        headers=headers,
    ).json()
    assert updated["owner_id"] == bob.id and updated["stage"] == "loyal"
    timeline = client.get(f"/api/v1/accounts/{body['id']}/timeline", headers=headers).json()
    titles = [e["title"] for e in timeline]
    assert "Stage Adoption → Loyal" in titles and "Account changed" in titles


def test_duplicate_external_ids_conflict(client, session, alice):
    headers = bearer(session, alice, Scope.WRITE)
    make_account(session, "acme")
    response = client.post(
        "/api/v1/accounts", json={"external_id": "acme", "name": "Acme"}, headers=headers
    )
    assert response.status_code == 409


def test_a_missing_account_is_404(client, session, alice):
    assert client.get("/api/v1/accounts/999", headers=bearer(session, alice)).status_code == 404


def test_segments_and_stages_are_configuration_read_from_the_database(client, session, carol):
    headers = bearer(session, carol)
    segments = client.get("/api/v1/segments", headers=headers).json()
    assert [s["key"] for s in segments] == ["high-touch", "mid-touch", "tech-touch"]
    assert segments[0]["review_cadence_days"] == 90
    stages = client.get("/api/v1/lifecycle-stages", headers=headers).json()
    assert [(s["key"], s["kind"]) for s in stages] == [
        ("onboarding", "stage"),
        ("adoption", "stage"),
        ("loyal", "stage"),
        ("churned", "state"),
        ("reactivated", "state"),
    ]


def test_the_openapi_document_lists_the_api(client, session, carol):
    paths = client.get("/openapi.json", headers=bearer(session, carol)).json()["paths"]
    for path in [
        "/api/v1/accounts",
        "/api/v1/accounts/{account_id}",
        "/api/v1/contacts",
        "/api/v1/subscriptions",
        "/api/v1/subscriptions/{subscription_id}",
    ]:
        assert path in paths


def test_handing_the_segment_back_to_the_rule_re_segments_at_once(client, session, dave):
    headers = bearer(session, dave, Scope.READ, Scope.WRITE)
    acme = make_account(session, "acme", "Acme", segment="high-touch")
    subscribe(session, acme, "a1", "500", date(2025, 1, 1))  # USD 6,000 ARR: tech-touch
    with time_machine.travel(TODAY, tick=False):
        body = client.patch(
            f"/api/v1/accounts/{acme.id}", json={"segment_by_rule": True}, headers=headers
        ).json()
    assert (body["segment"], body["segment_locked"]) == ("tech-touch", False)


def test_a_null_name_is_refused_not_stored(client, session, alice):
    headers = bearer(session, alice, Scope.READ, Scope.WRITE)
    acme = make_account(session, "acme", "Acme")
    for body in ({"name": None}, {"traits": None}):
        response = client.patch(f"/api/v1/accounts/{acme.id}", json=body, headers=headers)
        assert response.status_code == 422, body
        assert "cannot be null" in response.text
    assert client.get(f"/api/v1/accounts/{acme.id}", headers=headers).json()["name"] == "Acme"


def test_a_viewer_or_an_inactive_person_cannot_be_made_an_owner(client, session, dave, carol, bob):
    headers = bearer(session, dave, Scope.READ, Scope.WRITE)
    acme = make_account(session, "acme", "Acme")
    response = client.patch(
        f"/api/v1/accounts/{acme.id}", json={"owner_id": carol.id}, headers=headers
    )
    assert response.status_code == 422 and "cannot own accounts" in response.text
    bob.active = False
    session.commit()
    response = client.patch(
        f"/api/v1/accounts/{acme.id}", json={"owner_id": bob.id}, headers=headers
    )
    assert response.status_code == 422


def test_search_takes_percent_and_underscore_literally(client, session, alice):
    headers = bearer(session, alice)
    make_account(session, "a", "50% Off Deals")
    make_account(session, "b", "500 Club")
    make_account(session, "c", "Acme_Labs")
    make_account(session, "d", "AcmeXLabs")
    names = lambda q: [  # noqa: E731
        i["name"]
        for i in client.get("/api/v1/accounts", params={"q": q}, headers=headers).json()["items"]
    ]
    assert names("50%") == ["50% Off Deals"]
    assert names("acme_") == ["Acme_Labs"]


def test_mrr_keeps_the_currencys_own_decimals(client, session, alice):
    from headway.config import get_settings

    acme = make_account(session, "acme", "Acme")
    subscribe(session, acme, "k1", "12.345", date(2025, 1, 1), currency="KWD")
    sub = client.get(
        "/api/v1/subscriptions", params={"account_id": acme.id}, headers=bearer(session, alice)
    ).json()["items"][0]
    assert sub["mrr"] == "12.345" and sub["amount"] == "12.345"
    assert get_settings().reporting_currency == "USD"


def test_a_wrong_method_names_every_method_the_path_allows(client, session, alice):
    response = client.delete("/api/v1/accounts", headers=bearer(session, alice))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


def test_a_nul_character_in_a_search_is_refused_on_every_database(client, session, alice):
    response = client.get(
        "/api/v1/accounts", params={"q": "a\x00b"}, headers=bearer(session, alice)
    )
    assert response.status_code == 422
