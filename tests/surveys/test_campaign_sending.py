"""Sending survey campaigns through a real SMTP server: once, reminders, after tickets, and
what happens when the server refuses someone, is down, or is not set."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest

from headway.contacts.models import Contact
from headway.core.db import get_sessionmaker
from headway.support.models import Ticket
from headway.surveys.campaigns import get_campaign, send_due
from headway.surveys.mail import MailNotConfigured, MailServerError
from headway.surveys.service import get_survey, opt_out, record_response
from tests.helpers import make_contact
from tests.mailbox import text_of
from tests.surveys import campaign_people as shared
from tests.surveys.campaign_people import (
    LINK,
    T0,
    invitations,
    recipients,
    scheduled,
)

# The shared fixtures, under the names the tests ask for.
clock, people, settings = shared.clock, shared.people, shared.settings


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


def test_line_breaks_add_no_header_and_an_address_no_email_can_carry_stops_nothing(
    session, people, settings, mailbox
):
    people["ana"].name = "Ana Lima\r\nBcc: eve@evil.example"
    odd = make_contact(session, people["acme"], "odd@acme.example", "Odd")
    odd.email = "odd,eve@acme.example"  # one cell, two addresses
    session.commit()
    campaign = scheduled(
        session, {"segments": ["high-touch"]}, subject="Quick question\r\nBcc: eve@evil.example"
    )
    assert campaign.subject == "Quick question Bcc: eve@evil.example"

    report = send_due(session=session, settings=settings)

    received = mailbox.wait_for(2)
    assert (report.invitations_sent, dict(report.skipped)) == (2, {"refused": 1})
    assert recipients(mailbox) == ["ana@acme.example", "ben@acme.example"]
    assert [e.rcpt_tos for e in mailbox.envelopes] == [["ana@acme.example"], ["ben@acme.example"]]
    assert all(m["Bcc"] is None for m in received)
    assert {m["Subject"] for m in received} == {"Quick question Bcc: eve@evil.example"}
    assert mailbox.to("ana@acme.example")[0]["To"].addresses[0].display_name == (
        "Ana Lima Bcc: eve@evil.example"
    )
    skipped = invitations(session, campaign)["odd,eve@acme.example"]
    assert skipped.sent_at is None
    assert skipped.skipped_reason.startswith("not an address an email can go to")
    assert send_due(session=session, settings=settings).invitations_sent == 0
    assert len(mailbox.messages) == 2


def test_a_from_address_on_two_lines_is_refused_before_anything_is_sent(
    session, people, settings, mailbox
):
    campaign = scheduled(session, {"segments": ["high-touch"]})
    two_lines = settings.model_copy(
        update={"mail_from": "Acme Cloud <success@acmecloud.example>\r\nBcc: eve@evil.example"}
    )

    with pytest.raises(MailNotConfigured, match="HEADWAY_MAIL_FROM"):
        send_due(session=session, settings=two_lines)

    assert invitations(session, campaign) == {}
    assert mailbox.messages == []
