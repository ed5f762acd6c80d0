"""The test SMTP server receives what smtplib sends and refuses the recipients it is told to."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest

from tests.mailbox import Mailbox, text_of


def test_the_mailbox_keeps_a_message_sent_over_smtp(mailbox: Mailbox) -> None:
    message = EmailMessage()
    message["From"] = "headway@example.com"
    message["To"] = "ana@acme.example"
    message["Subject"] = "How are we doing?"
    message.set_content("Tell us.")
    with smtplib.SMTP("127.0.0.1", mailbox.port) as smtp:
        smtp.send_message(message)
    [received] = mailbox.wait_for(1)
    assert received["Subject"] == "How are we doing?"
    assert text_of(received).strip() == "Tell us."
    assert mailbox.to("ANA@acme.example") == [received]


def test_the_mailbox_refuses_a_recipient_it_is_told_to(mailbox: Mailbox) -> None:
    mailbox.refuse.add("gone@acme.example")
    message = EmailMessage()
    message["From"] = "headway@example.com"
    message["To"] = "gone@acme.example"
    message.set_content("Hello")
    with (
        smtplib.SMTP("127.0.0.1", mailbox.port) as smtp,
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        smtp.send_message(message)
    assert mailbox.messages == []
