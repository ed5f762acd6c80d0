"""Survey campaigns: who a campaign asks, with which links, once; what it refuses and counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from headway.core.errors import Conflict, InvalidInput, PermissionDenied
from headway.surveys import links
from headway.surveys.campaign_results import campaign_counts
from headway.surveys.campaigns import (
    cancel_campaign,
    create_campaign,
    get_campaign,
    preview_recipients,
    schedule_campaign,
    send_due,
)
from headway.surveys.models import SurveyInvitation
from headway.surveys.service import opt_out
from headway.users.service import permissions_of
from tests.conftest import TEST_SECRET_KEY
from tests.mailbox import text_of
from tests.surveys import campaign_people as shared
from tests.surveys.campaign_people import (
    ADMIN,
    LINK,
    T0,
    contact,
    invitations,
    recipients,
    scheduled,
)

# The shared fixtures, under the names the tests ask for.
clock, people, settings = shared.clock, shared.people, shared.settings


def test_a_campaign_to_a_segment_sends_each_contact_one_message_with_working_links(
    session, people, settings, mailbox
):
    campaign = scheduled(session, {"segments": ["high-touch"]})

    report = send_due(session=session, settings=settings)

    mailbox.wait_for(2)
    # Initech is high-touch too, but churned: not asked unless its stage is chosen.
    assert recipients(mailbox) == ["ana@acme.example", "ben@acme.example"]
    assert (report.invitations_sent, report.reminders_sent, dict(report.skipped)) == (2, 0, {})
    sent = invitations(session, campaign)
    ana = sent["ana@acme.example"]
    assert ana.key == f"{campaign.id}:{people['ana'].id}"
    assert (ana.sent_at, ana.expires_at) == (T0, T0 + timedelta(days=14))
    message = mailbox.to("ana@acme.example")[0]
    assert message["To"] == "Ana Lima <ana@acme.example>"
    assert message["Subject"] == "One question from Acme Cloud"
    text = text_of(message)
    assert "Hello Ana," in text
    assert "recommend Acme Cloud to a friend or colleague?" in text
    answers = LINK.findall(text)
    assert [int(score) for score, _, _ in answers] == list(range(11))
    assert answers[0][1] == "Not at all likely" and answers[10][1] == "Extremely likely"
    for score, _, url in answers:
        prefix, _, token = url.partition("/s/")
        assert prefix == "https://cs.example.com"
        token, _, query = token.partition("?")
        assert query == f"score={score}"
        payload = links.unsign(
            token, secret=TEST_SECRET_KEY, purpose=links.ANSWER, max_age_seconds=None
        )
        assert payload == {"i": ana.id}
    unsubscribe = re.search(r"https://cs\.example\.com/s/unsubscribe/(\S+)", text)
    assert unsubscribe is not None
    assert message["List-Unsubscribe"] == f"<{unsubscribe.group(0)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = unsubscribe.group(1)
    assert links.unsign(
        token, secret=TEST_SECRET_KEY, purpose=links.UNSUBSCRIBE, max_age_seconds=None
    ) == {"e": "ana@acme.example"}
    assert get_campaign(session=session, campaign_id=campaign.id).status == "sent"


@pytest.mark.parametrize(
    ("audience", "asked"),
    [
        ({}, ["ana", "ben", "gus"]),
        ({"personas": ["champion"]}, ["ana"]),
        ({"personas": ["champion", "decision_maker"]}, ["ana", "gus"]),
        ({"stages": ["onboarding"]}, ["gus"]),
        ({"stages": ["churned"]}, ["ivy"]),
        ({"segments": ["high-touch"], "personas": ["end_user"]}, ["ben"]),
        ({"segments": ["tech-touch"]}, []),
    ],
)
def test_segment_stage_and_persona_choose_the_contacts(session, people, audience, asked):
    campaign = create_campaign(
        session=session, actor=ADMIN, survey_key="nps", name="Pulse", audience=audience
    )
    chosen = preview_recipients(session=session, campaign=campaign)
    assert [r.email.split("@")[0] for r in chosen if r.asked] == asked


def test_an_account_chosen_by_id_is_asked_even_alone(session, people, settings, mailbox):
    campaign = scheduled(session, {"account_ids": [people["globex"].id]})
    assert campaign.audience == {"account_ids": [people["globex"].id]}
    send_due(session=session, settings=settings)
    mailbox.wait_for(1)
    assert recipients(mailbox) == ["gus@globex.example"]


def test_nobody_is_asked_again_within_the_throttle_by_any_campaign(
    session, people, settings, mailbox, clock
):
    scheduled(session, {"personas": ["champion"]}, name="Winter NPS")
    send_due(session=session, settings=settings)
    mailbox.wait_for(1)

    clock.move_to(T0 + timedelta(days=30))
    second = scheduled(session, {"segments": ["high-touch"]}, survey="csat", throttle_days=45)
    report = send_due(session=session, settings=settings)
    mailbox.wait_for(2)
    assert recipients(mailbox) == ["ana@acme.example", "ben@acme.example"]
    assert dict(report.skipped) == {"throttled": 1}
    ana = invitations(session, second)["ana@acme.example"]
    assert (ana.sent_at, ana.skipped_reason) == (None, "asked on 2026-03-02, within 45 days")

    clock.move_to(T0 + timedelta(days=46))
    third = scheduled(session, {"personas": ["champion"]}, survey="csat", throttle_days=45)
    send_due(session=session, settings=settings)
    mailbox.wait_for(3)
    assert invitations(session, third)["ana@acme.example"].sent_at is not None


def test_two_campaigns_due_in_one_run_ask_a_person_once(session, people, settings, mailbox):
    scheduled(session, {"personas": ["champion"]}, name="First")
    scheduled(session, {"segments": ["high-touch"]}, name="Second")
    report = send_due(session=session, settings=settings)
    mailbox.wait_for(2)
    assert recipients(mailbox) == ["ana@acme.example", "ben@acme.example"]
    assert dict(report.skipped) == {"throttled": 1}


def test_the_same_address_in_two_accounts_is_asked_once(session, people, settings, mailbox):
    contact(session, people["globex"], "ana@acme.example", "Ana Lima")
    campaign = scheduled(session, throttle_days=0)
    report = send_due(session=session, settings=settings)
    mailbox.wait_for(3)
    assert recipients(mailbox) == ["ana@acme.example", "ben@acme.example", "gus@globex.example"]
    assert dict(report.skipped) == {"duplicate": 1}
    rows = session.scalars(
        select(SurveyInvitation.skipped_reason).where(SurveyInvitation.campaign_id == campaign.id)
    ).all()
    assert sorted(r or "" for r in rows) == [
        "",
        "",
        "",
        "the same address is asked through another account",
    ]


def test_unsubscribed_and_addressless_contacts_are_left_out_with_the_reason(
    session, people, settings, mailbox
):
    opt_out(session=session, email="BEN@acme.example")
    session.commit()
    people["gus"].email = "gus at globex"
    session.commit()
    campaign = scheduled(session)

    report = send_due(session=session, settings=settings)

    mailbox.wait_for(1)
    assert recipients(mailbox) == ["ana@acme.example"]
    assert dict(report.skipped) == {"opted_out": 1, "no_email": 1}
    reasons = {e: i.skipped_reason for e, i in invitations(session, campaign).items()}
    assert reasons == {
        "ana@acme.example": None,
        "ben@acme.example": "unsubscribed from surveys",
        "gus at globex": "no email address",
    }


def test_a_campaign_waits_for_its_send_time_and_a_cancelled_one_never_goes(
    session, people, settings, mailbox, clock
):
    later = scheduled(session, send_at=T0 + timedelta(days=1), name="Tomorrow")
    cancelled = scheduled(session, name="Called off")
    cancel_campaign(session=session, actor=ADMIN, campaign_id=cancelled.id)

    assert send_due(session=session, settings=settings).invitations_sent == 0
    clock.move_to(T0 + timedelta(days=1))
    assert send_due(session=session, settings=settings).invitations_sent == 3
    assert invitations(session, cancelled) == {}
    assert get_campaign(session=session, campaign_id=later.id).started_at == T0 + timedelta(days=1)


def test_counts_say_how_many_were_sent_answered_reminded_and_left_out(
    session, people, settings, mailbox, clock
):
    opt_out(session=session, email="gus@globex.example")
    session.commit()
    campaign = scheduled(session)
    send_due(session=session, settings=settings)
    ana = invitations(session, campaign)["ana@acme.example"]
    ana.answered_at = T0 + timedelta(hours=1)
    session.commit()
    clock.move_to(T0 + timedelta(days=3))
    send_due(session=session, settings=settings)

    counts = campaign_counts(session=session, campaign_ids=[campaign.id])[campaign.id]

    assert (counts.invitations, counts.sent, counts.answered) == (3, 2, 1)
    assert (counts.reminders, counts.skipped, counts.waiting) == (1, 1, 0)
    assert counts.response_rate == 0.5


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"survey_key": "csat_5"}, "there is no survey 'csat_5'; surveys: nps, csat"),
        ({"name": "  "}, "name: a campaign needs a name"),
        ({"trigger": "weekly"}, "unknown trigger 'weekly'; expected scheduled, ticket_solved"),
        ({"trigger": "ticket_solved"}, "asks CSAT or CES, not NPS"),
        ({"audience": {"tiers": ["gold"]}}, "audience: unknown key 'tiers'"),
        (
            {"audience": {"segments": ["gold"]}},
            "unknown segment 'gold'; expected one of high-touch",
        ),
        ({"audience": {"stages": ["trial"]}}, "unknown stage 'trial'"),
        ({"audience": {"personas": ["ceo"]}}, "unknown persona 'ceo'; expected one of champion"),
        ({"audience": {"account_ids": [999999]}}, "no account has the id 999999"),
        ({"throttle_days": -1}, "throttle_days: expected 0 to 3650 days, not -1"),
        ({"reminder_after_days": 14}, "less than the 14 days the links last, not 14"),
        ({"expires_after_days": 0}, "expires_after_days: expected 1 to 3650 days"),
    ],
)
def test_a_campaign_that_cannot_work_is_refused_with_what_was_expected(
    session, people, options, message
):
    values = {"survey_key": "nps", "name": "Pulse"} | options
    with pytest.raises(InvalidInput) as refused:
        create_campaign(session=session, actor=ADMIN, **values)
    assert message in str(refused.value)


def test_only_admins_and_managers_run_campaigns_and_only_a_draft_is_scheduled(
    session, people, bob, dave
):
    with pytest.raises(PermissionDenied, match="only admins and managers"):
        create_campaign(
            session=session,
            actor=ADMIN,
            survey_key="nps",
            name="Bob's",
            permissions=permissions_of(bob),
        )
    campaign = create_campaign(
        session=session,
        actor=ADMIN,
        survey_key="nps",
        name="Dave's",
        permissions=permissions_of(dave),
    )
    schedule_campaign(session=session, actor=ADMIN, campaign_id=campaign.id)
    with pytest.raises(Conflict, match="is scheduled; only a draft can be scheduled"):
        schedule_campaign(session=session, actor=ADMIN, campaign_id=campaign.id)
    cancel_campaign(session=session, actor=ADMIN, campaign_id=campaign.id)
    with pytest.raises(Conflict, match="cancelled already"):
        cancel_campaign(session=session, actor=ADMIN, campaign_id=campaign.id)
