"""Survey campaigns through a real SMTP server: who is asked, with which links, once, reminded."""

from __future__ import annotations

import re
import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from headway.config import Settings
from headway.contacts.models import Contact
from headway.core.audit import Actor
from headway.core.db import get_sessionmaker
from headway.core.errors import Conflict, InvalidInput, PermissionDenied
from headway.support.models import Ticket
from headway.surveys import links
from headway.surveys.campaigns import (
    campaign_counts,
    cancel_campaign,
    create_campaign,
    get_campaign,
    preview_recipients,
    schedule_campaign,
    send_due,
)
from headway.surveys.mail import MailNotConfigured, MailServerError
from headway.surveys.models import SurveyInvitation
from headway.surveys.service import get_survey, opt_out, record_response
from headway.users.service import permissions_of
from tests.conftest import TEST_SECRET_KEY
from tests.helpers import make_account, make_contact
from tests.mailbox import Mailbox, text_of

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMIN = Actor.system("test")
LINK = re.compile(r"^ +(\d+)(?: \(([^)]*)\))?: (\S+)\r?$", re.MULTILINE)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def settings(database_url, mailbox):
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        public_url="https://cs.example.com/",
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        mail_from="Acme Cloud <success@acmecloud.example>",
    )


def contact(session, account, email, name="", persona=None):
    person = make_contact(session, account, email, name)
    person.persona = persona
    session.commit()
    return person


@pytest.fixture
def people(session, clock):
    """Ana and Ben at Acme (high-touch, adoption), Gus at Globex (mid-touch, onboarding),
    Ivy at Initech (high-touch, churned)."""
    acme = make_account(session, "acme", "Acme", segment="high-touch", stage="adoption")
    globex = make_account(session, "globex", "Globex", segment="mid-touch", stage="onboarding")
    initech = make_account(session, "initech", "Initech", segment="high-touch", stage="churned")
    return {
        "acme": acme,
        "globex": globex,
        "initech": initech,
        "ana": contact(session, acme, "ana@acme.example", "Ana Lima", "champion"),
        "ben": contact(session, acme, "ben@acme.example", "Ben Ode", "end_user"),
        "gus": contact(session, globex, "gus@globex.example", "Gus Grant", "decision_maker"),
        "ivy": contact(session, initech, "ivy@initech.example", "Ivy Moss", "champion"),
    }


def scheduled(session, audience=None, survey="nps", **options):
    campaign = create_campaign(
        session=session,
        actor=ADMIN,
        survey_key=survey,
        name=options.pop("name", "Spring NPS"),
        audience=audience,
        **options,
    )
    return schedule_campaign(session=session, actor=ADMIN, campaign_id=campaign.id)


def invitations(session, campaign):
    query = select(SurveyInvitation).where(SurveyInvitation.campaign_id == campaign.id)
    return {inv.email: inv for inv in session.scalars(query.order_by(SurveyInvitation.email))}


def recipients(mailbox: Mailbox) -> list[str]:
    return sorted(str(m["To"]).split("<")[-1].rstrip(">") for m in mailbox.messages)


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


def test_a_second_run_sends_nothing_twice(session, people, settings, mailbox):
    scheduled(session, {"segments": ["high-touch"]})
    send_due(session=session, settings=settings)
    mailbox.wait_for(2)

    again = send_due(session=session, settings=settings)

    assert (again.invitations_sent, again.reminders_sent, sum(again.skipped.values())) == (0, 0, 0)
    assert len(mailbox.messages) == 2


def test_one_reminder_goes_after_the_days_set_and_not_to_those_who_answered(
    session, people, settings, mailbox, clock
):
    campaign = scheduled(session, {"segments": ["high-touch"]}, reminder_after_days=3)
    send_due(session=session, settings=settings)
    mailbox.wait_for(2)
    ana = invitations(session, campaign)["ana@acme.example"]
    clock.move_to(T0 + timedelta(days=1))
    record_response(
        session=session,
        survey=get_survey(session=session, key="nps"),
        account_id=people["acme"].id,
        score=9,
        responded_at=T0 + timedelta(days=1),
        source="link",
        contact_id=people["ana"].id,
        campaign_id=campaign.id,
        invitation_id=ana.id,
    )
    session.commit()

    clock.move_to(T0 + timedelta(days=2, hours=23))
    assert send_due(session=session, settings=settings).reminders_sent == 0
    clock.move_to(T0 + timedelta(days=3))
    report = send_due(session=session, settings=settings)
    clock.move_to(T0 + timedelta(days=6))
    later = send_due(session=session, settings=settings)

    messages = mailbox.wait_for(3)
    assert (report.reminders_sent, later.reminders_sent) == (1, 0)
    reminder = messages[2]
    assert reminder["To"] == "Ben Ode <ben@acme.example>"
    assert reminder["Subject"] == "Reminder: One question from Acme Cloud"
    assert "These links work until 16 March 2026." in text_of(reminder)
    ben = invitations(session, campaign)["ben@acme.example"]
    assert (ben.reminders_sent, ben.last_reminded_at) == (1, T0 + timedelta(days=3))


def test_no_reminder_once_the_links_expired_or_to_someone_who_unsubscribed(
    session, people, settings, mailbox, clock
):
    scheduled(session, {"segments": ["high-touch"]}, reminder_after_days=5, expires_after_days=6)
    send_due(session=session, settings=settings)
    mailbox.wait_for(2)
    opt_out(session=session, email="ana@acme.example")
    session.commit()

    clock.move_to(T0 + timedelta(days=6))  # the links expire now
    assert send_due(session=session, settings=settings).reminders_sent == 0
    clock.move_to(T0 + timedelta(days=5))
    assert send_due(session=session, settings=settings).reminders_sent == 1
    assert len(mailbox.wait_for(3)) == 3
    assert mailbox.messages[2]["To"] == "Ben Ode <ben@acme.example>"


def _ticket(session, account, number, requester, solved_at, status="solved", subject="Export"):
    ticket = Ticket(
        external_id=f"zendesk:{number}",
        account_id=account.id,
        requester_contact_id=requester.id if isinstance(requester, Contact) else None,
        requester_email=requester.email if isinstance(requester, Contact) else requester,
        subject=subject,
        status=status,
        created_at=solved_at - timedelta(hours=5),
        solved_at=solved_at,
        updated_at=solved_at,
    )
    session.add(ticket)
    session.commit()
    return ticket


def test_a_ticket_campaign_asks_the_requester_of_each_ticket_solved_after_it_started(
    session, people, settings, mailbox, clock
):
    acme = people["acme"]
    before = _ticket(session, acme, 1, people["ana"], T0 - timedelta(hours=1))
    campaign = scheduled(session, survey="csat", trigger="ticket_solved", throttle_days=0)
    assert (campaign.status, campaign.started_at) == ("active", T0)
    clock.move_to(T0 + timedelta(hours=2))
    first = _ticket(session, acme, 2, people["ana"], T0 + timedelta(hours=1), subject="CSV  export")
    _ticket(session, acme, 3, people["ben"], T0 + timedelta(hours=1), status="open")
    by_address = _ticket(session, acme, 4, "BEN@acme.example", T0 + timedelta(hours=1))

    report = send_due(session=session, settings=settings)

    mailbox.wait_for(2)
    assert report.invitations_sent == 2
    asked = invitations(session, campaign)
    assert asked["ana@acme.example"].key == f"{campaign.id}:{people['ana'].id}:ticket:{first.id}"
    assert asked["ben@acme.example"].ticket_id == by_address.id
    assert asked["ben@acme.example"].contact_id == people["ben"].id
    assert before.id not in {i.ticket_id for i in asked.values()}
    message = mailbox.to("ana@acme.example")[0]
    assert message["Subject"] == "How did Acme Cloud do with your request?"
    assert "How satisfied are you with your support request “CSV export”?" in text_of(message)
    assert [int(s) for s, _, _ in LINK.findall(text_of(message))] == [1, 2, 3, 4, 5]

    clock.move_to(T0 + timedelta(hours=5))
    _ticket(session, acme, 5, people["ana"], T0 + timedelta(hours=4))
    assert send_due(session=session, settings=settings).invitations_sent == 1
    assert get_campaign(session=session, campaign_id=campaign.id).status == "active"


def test_a_recipient_the_server_refuses_is_recorded_and_the_others_are_sent(
    session, people, settings, mailbox
):
    mailbox.refuse.add("ben@acme.example")
    campaign = scheduled(session, {"segments": ["high-touch"]})

    report = send_due(session=session, settings=settings)

    mailbox.wait_for(1)
    assert recipients(mailbox) == ["ana@acme.example"]
    assert (report.invitations_sent, dict(report.skipped)) == (1, {"refused": 1})
    ben = invitations(session, campaign)["ben@acme.example"]
    assert ben.sent_at is None
    assert ben.skipped_reason == "refused by the mail server: 550 5.1.1 mailbox unavailable"
    mailbox.refuse.clear()
    assert send_due(session=session, settings=settings).invitations_sent == 0
    assert get_campaign(session=session, campaign_id=campaign.id).status == "sent"


def test_a_mail_server_that_is_down_leaves_the_invitations_for_the_next_run(
    session, people, settings, mailbox
):
    campaign = scheduled(session, {"segments": ["high-touch"]})
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        down = settings.model_copy(update={"smtp_port": probe.getsockname()[1]})

    with pytest.raises(MailServerError, match=r"cannot reach the mail server 127\.0\.0\.1"):
        send_due(session=session, settings=down)

    waiting = invitations(session, campaign)
    assert sorted(waiting) == ["ana@acme.example", "ben@acme.example"]
    assert all(i.sent_at is None and i.skipped_reason is None for i in waiting.values())
    assert get_campaign(session=session, campaign_id=campaign.id).status == "sending"
    assert send_due(session=session, settings=settings).invitations_sent == 2
    assert send_due(session=session, settings=settings).invitations_sent == 0
    assert len(mailbox.wait_for(2)) == 2
    assert get_campaign(session=session, campaign_id=campaign.id).status == "sent"


def test_two_runs_at_once_on_postgresql_send_each_message_once(
    session, people, settings, mailbox, database_url
):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: run one `headway surveys send` at once")
    for n in range(130):  # three batches
        make_contact(session, people["globex"], f"user{n:03d}@globex.example")
    scheduled(session, {"segments": ["mid-touch"]})
    errors: list[BaseException] = []

    def run() -> None:
        with get_sessionmaker(database_url)() as own:
            try:
                send_due(session=own, settings=settings)
            except BaseException as error:
                errors.append(error)

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=60)

    assert errors == []
    received = mailbox.wait_for(131)
    addresses = [str(m["To"]).split("<")[-1].rstrip(">") for m in received]
    assert len(addresses) == len(set(addresses)) == 131


def test_without_an_smtp_server_nothing_is_sent_or_marked(session, people, settings):
    campaign = scheduled(session)
    no_server = settings.model_copy(update={"smtp_host": None})

    with pytest.raises(MailNotConfigured, match="HEADWAY_SMTP_HOST"):
        send_due(session=session, settings=no_server)

    assert get_campaign(session=session, campaign_id=campaign.id).status == "scheduled"
    assert invitations(session, campaign) == {}


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
