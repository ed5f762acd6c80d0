"""Survey emails: what an invitation says for each survey, and sending over a real SMTP server."""

from __future__ import annotations

import re
import socket

import pytest

from headway.config import Settings
from headway.surveys import links
from headway.surveys.mail import (
    Mailer,
    MailNotConfigured,
    MailServerError,
    RecipientRefused,
    answer_url,
    company_name,
    compose_invitation,
    question_text,
    unsubscribe_url,
)
from headway.surveys.service import get_survey
from tests.conftest import TEST_SECRET_KEY
from tests.mailbox import Mailbox, html_of, text_of

BUTTON = re.compile(r'<a href="([^"]+)"[^>]*aria-label="([^"]+)"[^>]*>([^<]+)</a>')


@pytest.fixture
def settings(mailbox):
    return Settings(
        secret_key=TEST_SECRET_KEY,
        public_url="https://cs.example.com",
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        mail_from="Acme Cloud <success@acmecloud.example>",
    )


def invite(settings, survey, **options):
    values = {"invitation_id": 7, "to_email": "ana@acme.example", "to_name": "Ana Lima"}
    return compose_invitation(settings=settings, survey=survey, **(values | options))


def test_links_carry_the_invitation_or_the_address_signed_for_their_purpose(settings):
    answer = answer_url(settings, 42, 9)
    token, _, query = answer.removeprefix("https://cs.example.com/s/").partition("?")
    assert query == "score=9"
    assert links.unsign(
        token, secret=TEST_SECRET_KEY, purpose=links.ANSWER, max_age_seconds=60
    ) == {"i": 42}
    with pytest.raises(links.InvalidLink):
        links.unsign(token, secret=TEST_SECRET_KEY, purpose=links.UNSUBSCRIBE, max_age_seconds=60)
    leave = unsubscribe_url(settings, " Ana@Acme.example ")
    token = leave.removeprefix("https://cs.example.com/s/unsubscribe/")
    assert links.unsign(
        token, secret=TEST_SECRET_KEY, purpose=links.UNSUBSCRIBE, max_age_seconds=60
    ) == {"e": "ana@acme.example"}


@pytest.mark.parametrize(
    ("mail_from", "public_url", "company"),
    [
        ("Acme Cloud <success@acmecloud.example>", "https://cs.example.com", "Acme Cloud"),
        ("success@acmecloud.example", "https://cs.acmecloud.example/", "cs.acmecloud.example"),
    ],
)
def test_the_company_asking_is_the_sender_name_else_the_public_host(mail_from, public_url, company):
    assert company_name(Settings(mail_from=mail_from, public_url=public_url)) == company


def test_an_nps_invitation_has_both_parts_eleven_buttons_and_the_unsubscribe_headers(
    session, settings
):
    survey = get_survey(session=session, key="nps")
    message = invite(settings, survey, message="Your view shapes our roadmap.")

    assert message["From"] == "Acme Cloud <success@acmecloud.example>"
    assert message["To"] == "Ana Lima <ana@acme.example>"
    assert message["Subject"] == "One question from Acme Cloud"
    assert message["Message-ID"].endswith("@acmecloud.example>")
    unsubscribe = unsubscribe_url(settings, "ana@acme.example").rsplit(".", 2)[0]
    assert message["List-Unsubscribe"].startswith(f"<{unsubscribe}")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = text_of(message), html_of(message)
    for part in (text, html):
        assert "Your view shapes our roadmap." in part
        assert "How likely is it that you would recommend Acme Cloud to a friend" in part
    buttons = BUTTON.findall(html)
    assert [label for _, _, label in buttons] == [str(n) for n in range(11)]
    assert buttons[0][1] == "0 Not at all likely"
    assert [url.rsplit("=", 1)[1] for url, _, _ in buttons] == [str(n) for n in range(11)]
    assert "Not at all likely" in html and "Extremely likely" in html


def test_a_ces_invitation_names_every_point_of_agreement(session, settings):
    message = invite(settings, get_survey(session=session, key="ces"))
    text = text_of(message)
    assert "Acme Cloud made it easy for me to handle my issue." in text
    assert "  1 (Strongly disagree): https://" in text
    assert "  7 (Strongly agree): https://" in text
    labels = [label for _, _, label in BUTTON.findall(html_of(message))]
    assert labels == ["1", "2", "3", "4", "5", "6", "7"]


def test_a_good_or_bad_rating_puts_the_words_on_the_buttons(session, settings):
    message = invite(settings, get_survey(session=session, key="csat_good_bad"), ticket_subject="")
    assert [label for _, _, label in BUTTON.findall(html_of(message))] == ["Bad", "Good"]
    assert "How would you rate your recent support request?" in text_of(message)


def test_a_csat_question_after_a_ticket_names_it_and_escapes_it_in_html(session, settings):
    survey = get_survey(session=session, key="csat")
    assert (
        question_text(settings, survey, "Invoices <b>missing</b>")
        == "How satisfied are you with your support request “Invoices <b>missing</b>”?"
    )
    message = invite(settings, survey, ticket_subject="Invoices <b>missing</b>", reminder=True)
    assert message["Subject"] == "Reminder: How did Acme Cloud do with your request?"
    assert "&lt;b&gt;missing&lt;/b&gt;" in html_of(message)
    assert "<b>missing</b>" not in html_of(message)


def test_a_campaign_message_and_a_contact_name_are_escaped_in_html(session, settings):
    message = invite(
        settings,
        get_survey(session=session, key="nps"),
        to_name="<img src=x onerror=alert(1)>",
        message="Hi <script>alert(1)</script>\n\nThanks & regards",
    )
    html = html_of(message)
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Thanks &amp; regards" in html
    assert "Hi <script>alert(1)</script>" in text_of(message)  # plain text is not HTML


def test_a_campaign_subject_replaces_the_default_one(session, settings):
    message = invite(settings, get_survey(session=session, key="nps"), subject="Two minutes?")
    assert message["Subject"] == "Two minutes?"


def test_messages_go_out_over_one_connection_and_a_refused_recipient_does_not_stop_it(
    session, settings, mailbox: Mailbox
):
    survey = get_survey(session=session, key="nps")
    mailbox.refuse.add("gone@acme.example")
    with Mailer(settings).connect() as connection:
        connection.send(invite(settings, survey, to_email="ana@acme.example"))
        with pytest.raises(RecipientRefused, match=re.escape("550 5.1.1 mailbox unavailable")):
            connection.send(invite(settings, survey, to_email="gone@acme.example"))
        connection.send(invite(settings, survey, to_email="ben@acme.example"))
    received = mailbox.wait_for(2)
    assert [str(m["To"]) for m in received] == [
        "Ana Lima <ana@acme.example>",
        "Ana Lima <ben@acme.example>",
    ]
    assert {envelope.mail_from for envelope in mailbox.envelopes} == {"success@acmecloud.example"}


def test_without_a_server_the_mailer_says_which_setting_to_set():
    with pytest.raises(MailNotConfigured, match="set HEADWAY_SMTP_HOST"):
        Mailer(Settings(smtp_host=None))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"smtp_security": "starttls"}, "does not offer STARTTLS; check HEADWAY_SMTP_SECURITY"),
        ({"smtp_username": "mailer", "smtp_password": "x"}, "does not offer a login (AUTH)"),
        ({"smtp_port": "closed"}, "cannot reach the mail server 127.0.0.1:"),
    ],
)
def test_a_server_that_cannot_be_used_as_set_is_a_clear_error(settings, changes, message):
    if changes.get("smtp_port") == "closed":
        changes = {"smtp_port": _closed_port()}
    mailer = Mailer(settings.model_copy(update=changes))
    with pytest.raises(MailServerError, match=re.escape(message)), mailer.connect():
        pass
