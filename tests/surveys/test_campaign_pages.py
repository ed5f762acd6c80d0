"""Campaign pages: the list with counts, the new-campaign form and its preview, one campaign."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from headway.config import Settings
from headway.core.audit import Actor
from headway.surveys.campaigns import create_campaign, get_campaign, schedule_campaign, send_due
from headway.surveys.service import opt_out
from tests.conftest import TEST_SECRET_KEY
from tests.helpers import csrf_token, login, make_account, make_contact

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SETUP = Actor.system("test")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def acme(session):
    account = make_account(session, "acme", "Acme", segment="high-touch", stage="adoption")
    make_contact(session, account, "ana@acme.example", "Ana Lima")
    make_contact(session, account, "ben@acme.example", "Ben Ode")
    globex = make_account(session, "globex", "Globex", segment="mid-touch")
    make_contact(session, globex, "gus@globex.example", "Gus Grant")
    return account


def form(client, **changes):
    return {
        "csrf_token": csrf_token(client, "/surveys/campaigns/new"),
        "name": "Spring NPS",
        "survey": "nps",
        "trigger": "scheduled",
        "segments": ["high-touch"],
        "throttle_days": "90",
        "reminder_after_days": "3",
        "expires_after_days": "14",
        "send_at": "",
        "subject": "",
        "message": "",
        "accounts": "",
    } | changes


def test_dave_previews_who_would_be_asked_and_saves_a_scheduled_campaign(
    client, session, dave, acme
):
    opt_out(session=session, email="ben@acme.example")
    session.commit()
    login(client, dave)
    page = client.get("/surveys/campaigns/new")
    assert page.status_code == 200
    assert 'name="segments" value="high-touch"' in page.text

    preview = client.post("/surveys/campaigns/preview", data=form(client))
    assert preview.status_code == 200
    assert "<strong>1</strong> contact would be asked" in preview.text
    assert "1 unsubscribed" in preview.text
    assert 'title="unsubscribed from surveys">unsubscribed<' in preview.text
    assert "gus@globex.example" not in preview.text

    saved = client.post(
        "/surveys/campaigns",
        data=form(client, send_at="2026-03-03T08:30", then="schedule"),
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    campaign_id = int(saved.headers["location"].split("/")[-1].split("?")[0])
    campaign = get_campaign(session=session, campaign_id=campaign_id)
    assert (campaign.status, campaign.send_at) == (
        "scheduled",
        datetime(2026, 3, 3, 8, 30, tzinfo=UTC),
    )
    assert campaign.audience == {"segments": ["high-touch"]}
    shown = client.get(saved.headers["location"])
    assert "Campaign scheduled" in shown.text
    assert "Who it would ask now" in shown.text
    assert (
        "How likely is it that you would recommend Headway to a friend or colleague?" in shown.text
    )


def test_an_unknown_account_in_the_form_is_named_and_nothing_is_saved(client, session, dave, acme):
    login(client, dave)
    refused = client.post("/surveys/campaigns", data=form(client, accounts="acme, initech"))
    assert refused.status_code == 422
    assert "accounts: no account has the external id &#39;initech&#39;" in refused.text
    assert 'value="acme, initech"' in refused.text
    preview = client.post("/surveys/campaigns/preview", data=form(client, accounts="nope"))
    assert "no account has the external id &#39;nope&#39;" in preview.text


def test_a_sent_campaign_shows_its_counts_and_each_recipients_state(
    client, session, dave, acme, database_url, mailbox
):
    campaign = create_campaign(
        session=session, actor=SETUP, survey_key="ces", name="Effort check", audience={}
    )
    schedule_campaign(session=session, actor=SETUP, campaign_id=campaign.id)
    mailbox.refuse.add("gus@globex.example")
    settings = Settings(
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
    )
    send_due(session=session, settings=settings)
    login(client, dave)

    listed = client.get("/surveys/campaigns")
    assert "Effort check" in listed.text
    assert 'href="/surveys/campaigns/new"' in listed.text
    page = client.get(f"/surveys/campaigns/{campaign.id}")
    assert page.status_code == 200
    assert (
        'id="figure-sent"><span class="kpi-label">Sent</span><span class="kpi-value">2<'
        in page.text
    )
    assert "refused by the mail server: 550 5.1.1 mailbox unavailable" in page.text
    assert page.text.count('class="badge invitation-state state-sent"') == 2
    assert "Strongly disagree" in page.text and "Strongly agree" in page.text


def test_carol_the_viewer_sees_campaigns_but_no_button_to_make_or_cancel_one(
    client, session, carol, acme
):
    campaign = create_campaign(session=session, actor=SETUP, survey_key="nps", name="Pulse")
    login(client, carol)
    assert 'href="/surveys/campaigns/new"' not in client.get("/surveys/campaigns").text
    page = client.get(f"/surveys/campaigns/{campaign.id}")
    assert "Cancel campaign" not in page.text
    refused = client.post(
        f"/surveys/campaigns/{campaign.id}/cancel",
        data={"csrf_token": csrf_token(client, "/surveys/campaigns")},
    )
    assert refused.status_code == 403
    saved = client.post("/surveys/campaigns", data=form(client))
    assert saved.status_code == 403
    assert "only admins and managers" in saved.text


def test_dave_schedules_then_cancels_a_draft_from_its_page(client, session, dave, acme):
    campaign = create_campaign(
        session=session,
        actor=SETUP,
        survey_key="csat",
        name="After tickets",
        trigger="ticket_solved",
    )
    login(client, dave)
    token = csrf_token(client, f"/surveys/campaigns/{campaign.id}")
    started = client.post(f"/surveys/campaigns/{campaign.id}/schedule", data={"csrf_token": token})
    assert "Campaign scheduled" in started.text
    session.refresh(campaign)
    assert campaign.status == "active"
    cancelled = client.post(f"/surveys/campaigns/{campaign.id}/cancel", data={"csrf_token": token})
    assert "Campaign cancelled" in cancelled.text
    session.refresh(campaign)
    assert campaign.status == "cancelled"
