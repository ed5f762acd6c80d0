"""The subscriptions API: money in, minor units stored, MRR derived."""

from __future__ import annotations

from datetime import date

from headway.revenue.models import Subscription
from headway.users.models import Scope
from tests.helpers import bearer, make_account, subscribe


def test_a_subscription_is_stored_in_minor_units_and_reads_back_in_major_units(
    client, session, alice
):
    acme = make_account(session, "acme")
    response = client.post(
        "/api/v1/subscriptions",
        json={
            "account_id": acme.id,
            "external_id": "sub_1",
            "plan": "Enterprise",
            "amount": "11999.88",
            "currency": "EUR",
            "interval": "year",
            "quantity": 2,
            "start_date": "2025-02-01",
        },
        headers=bearer(session, alice, Scope.WRITE),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["currency"] == "EUR" and body["amount_minor"] == 1_199_988
    assert float(body["mrr"]) == 1999.98  # 11999.88 × 2 ÷ 12
    assert session.get(Subscription, body["id"]).amount_minor == 1_199_988


def test_bad_subscriptions_are_refused_with_the_reason(client, session, alice):
    acme = make_account(session, "acme")
    headers = bearer(session, alice, Scope.WRITE)
    base = {
        "account_id": acme.id,
        "external_id": "s",
        "plan": "P",
        "amount": "10",
        "currency": "USD",
        "start_date": "2025-02-01",
    }
    cases = [
        ({"currency": "XYZ"}, "ISO 4217"),
        ({"end_date": "2025-01-01"}, "before start_date"),
        ({"amount": "10.001"}, "decimal places"),
        ({"interval": "week"}, "month"),
        ({"amount": "-5"}, "greater than or equal"),
    ]
    for change, message in cases:
        response = client.post("/api/v1/subscriptions", json={**base, **change}, headers=headers)
        assert response.status_code == 422, change
        assert message in response.text, (change, response.text)


def test_ending_a_subscription_is_an_audited_change(client, session, alice):
    from headway.core.audit import AuditEntry

    acme = make_account(session, "acme")
    sub = subscribe(session, acme, "s1", "50", date(2025, 1, 1))
    response = client.patch(
        f"/api/v1/subscriptions/{sub.id}",
        json={"end_date": "2025-07-01"},
        headers=bearer(session, alice, Scope.WRITE, Scope.READ),
    )
    assert response.status_code == 200
    entry = session.query(AuditEntry).filter_by(action="subscription.update").one()
    assert entry.before == {"end_date": None} and entry.after == {"end_date": "2025-07-01"}
    active = client.get(
        "/api/v1/subscriptions",
        params={"active_on": "2025-07-01"},
        headers=bearer(session, alice),
    ).json()
    assert active["total"] == 0


def test_a_subscription_written_through_the_api_re_segments_its_account(client, session, alice):
    from headway.accounts.service import get_account

    acme = make_account(session, "acme")
    response = client.post(
        "/api/v1/subscriptions",
        json={
            "account_id": acme.id,
            "external_id": "big",
            "plan": "Enterprise",
            "amount": "500000",
            "currency": "USD",
            "interval": "year",
            "start_date": "2025-01-01",
        },
        headers=bearer(session, alice, Scope.WRITE),
    )
    assert response.status_code == 201
    session.expire_all()
    assert get_account(session=session, account_id=acme.id).segment.key == "high-touch"
