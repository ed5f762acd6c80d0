"""The survey campaigns API: admins and managers make and schedule them, everyone reads counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from headway.config import Settings
from headway.surveys.campaigns import send_due
from headway.surveys.models import SurveyInvitation
from headway.users.models import Scope
from tests.conftest import TEST_SECRET_KEY
from tests.helpers import bearer, make_account, make_contact

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PATH = "/api/v1/survey-campaigns"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def acme(session):
    account = make_account(session, "acme", "Acme", segment="high-touch", stage="adoption")
    make_contact(session, account, "ana@acme.example", "Ana Lima")
    make_contact(session, account, "ben@acme.example", "Ben Ode")
    return account


def body(**changes):
    return {
        "survey": "nps",
        "name": "Spring NPS",
        "audience": {"segments": ["high-touch"]},
    } | changes


def test_dave_makes_schedules_and_reads_a_campaign_with_its_counts(
    client, session, dave, acme, database_url, mailbox
):
    headers = bearer(session, dave, Scope.READ, Scope.WRITE)

    made = client.post(PATH, json=body(reminder_after_days=None), headers=headers)
    assert made.status_code == 201, made.text
    campaign = made.json()
    assert (campaign["status"], campaign["survey_type"], campaign["created_by"]) == (
        "draft",
        "nps",
        "dave@example.com (key test)",
    )
    assert campaign["audience"] == {"segments": ["high-touch"]}
    assert campaign["reminder_after_days"] is None
    scheduled = client.post(
        f"{PATH}/{campaign['id']}/schedule",
        json={"send_at": "2026-03-02T08:00:00-01:00"},
        headers=headers,
    )
    assert scheduled.status_code == 200, scheduled.text
    assert (scheduled.json()["status"], scheduled.json()["send_at"]) == (
        "scheduled",
        "2026-03-02T09:00:00Z",
    )

    settings = Settings(
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
    )
    send_due(session=session, settings=settings)
    mailbox.wait_for(2)
    invitation = session.query(SurveyInvitation).filter_by(email="ana@acme.example").one()
    invitation.answered_at = T0 + timedelta(hours=1)
    session.commit()

    read = client.get(f"{PATH}/{campaign['id']}", headers=headers).json()
    assert read["status"] == "sent"
    assert read["counts"] == {
        "invitations": 2,
        "sent": 2,
        "answered": 1,
        "response_rate": 0.5,
        "reminders": 0,
        "skipped": 0,
        "waiting": 0,
    }
    listed = client.get(PATH, headers=headers).json()
    assert (listed["total"], listed["items"][0]["id"]) == (1, campaign["id"])
    states = client.get(f"{PATH}/{campaign['id']}/invitations", headers=headers).json()
    assert [(i["email"], i["state"]) for i in states["items"]] == [
        ("ana@acme.example", "answered"),
        ("ben@acme.example", "sent"),
    ]


def test_bob_the_csm_reads_campaigns_but_cannot_make_schedule_or_cancel_them(
    client, session, alice, bob, acme
):
    made = client.post(PATH, json=body(), headers=bearer(session, alice, Scope.READ, Scope.WRITE))
    campaign_id = made.json()["id"]
    headers = bearer(session, bob, Scope.READ, Scope.WRITE)

    assert client.get(PATH, headers=headers).status_code == 200
    for path in (PATH, f"{PATH}/{campaign_id}/schedule", f"{PATH}/{campaign_id}/cancel"):
        refused = client.post(path, json=body() if path == PATH else None, headers=headers)
        assert refused.status_code == 403, path
        assert "only admins and managers" in refused.json()["detail"]


def test_a_read_only_key_cannot_make_a_campaign(client, session, alice, acme):
    refused = client.post(PATH, json=body(), headers=bearer(session, alice, Scope.READ))
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"survey": "pmf"}, "there is no survey 'pmf'"),
        ({"audience": {"segments": ["gold"]}}, "audience.segments: unknown segment 'gold'"),
        ({"trigger": "ticket_solved"}, "asks CSAT or CES, not NPS"),
        ({"reminder_after_days": 20}, "less than the 14 days the links last"),
    ],
)
def test_a_campaign_that_cannot_work_is_refused_with_422(
    client, session, alice, acme, changes, message
):
    headers = bearer(session, alice, Scope.READ, Scope.WRITE)
    refused = client.post(PATH, json=body(**changes), headers=headers)
    assert refused.status_code == 422
    assert message in refused.json()["detail"][0]["msg"]


def test_a_ticket_campaign_becomes_active_and_cancelling_twice_conflicts(
    client, session, alice, acme
):
    headers = bearer(session, alice, Scope.READ, Scope.WRITE)
    made = client.post(PATH, json=body(survey="ces", trigger="ticket_solved"), headers=headers)
    campaign_id = made.json()["id"]

    active = client.post(f"{PATH}/{campaign_id}/schedule", headers=headers).json()
    assert (active["status"], active["started_at"]) == ("active", "2026-03-02T09:00:00Z")
    assert client.post(f"{PATH}/{campaign_id}/cancel", headers=headers).json()["status"] == (
        "cancelled"
    )
    again = client.post(f"{PATH}/{campaign_id}/cancel", headers=headers)
    assert again.status_code == 409
    assert client.get(f"{PATH}/999999", headers=headers).status_code == 404
    assert client.get(PATH, params={"status": "cancelled"}, headers=headers).json()["total"] == 1
