"""Survey emails: the links they carry, how an invitation reads, and sending it over SMTP.

An invitation holds one link per point of the survey's scale, so answering is one click
without a login: `{public_url}/s/{token}?score={n}`, the token naming the invitation,
signed with the secret key. The unsubscribe link, `{public_url}/s/unsubscribe/{token}`, is
also in the `List-Unsubscribe` header, with the one-click POST mail clients offer.

`Mailer` opens one SMTP connection per batch of messages. A recipient the server refuses
for good (5xx) raises `RecipientRefused` and the connection goes on with the next one; a
refusal for now (4xx) raises `TemporaryRefusal`, so the message is tried again on the next
run; a server that cannot be reached, or refuses the login or the sender, raises
`MailServerError`, which stops the sending.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from headway.config import Settings
from headway.core.errors import HeadwayError, InvalidInput
from headway.surveys import links
from headway.surveys.models import Survey
from headway.surveys.scoring import scale_words

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SMTP_TIMEOUT_SECONDS = 30
NO_SMTP = (
    "no SMTP server is set, so no email can be sent: set HEADWAY_SMTP_HOST (and "
    "HEADWAY_SMTP_PORT, HEADWAY_SMTP_SECURITY, HEADWAY_SMTP_USERNAME and "
    "HEADWAY_SMTP_PASSWORD as the server needs); see docs/surveys.md"
)

_email_templates = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


class MailNotConfigured(InvalidInput):
    """The mail settings cannot send: no SMTP server, or a From that is not one address."""


class MailServerError(HeadwayError):
    """The SMTP server cannot be reached, or refused the login, the sender or the session."""


class RecipientRefused(Exception):
    """The server refused this recipient or message for good (a 5xx reply)."""


class TemporaryRefusal(Exception):
    """The server refused this message for now (a 4xx reply): try again on the next run."""


# --- links ---------------------------------------------------------------------------------


def _base(settings: Settings) -> str:
    return settings.public_url.rstrip("/")


def answer_token(settings: Settings, invitation_id: int) -> str:
    """The signed token of an invitation's answer links."""
    return links.sign({"i": invitation_id}, secret=settings.secret_key, purpose=links.ANSWER)


def answer_path(token: str, score: int | None = None) -> str:
    """The path of an invitation's question; with a score, the one-click answer."""
    return f"/s/{token}" if score is None else f"/s/{token}?score={score}"


def comment_path(token: str) -> str:
    """The path the comment form of an answered invitation posts to."""
    return f"/s/{token}/comment"


def unsubscribe_path(token: str) -> str:
    """The path that asks to confirm, and records, an unsubscribe."""
    return f"/s/unsubscribe/{token}"


def answer_url(settings: Settings, invitation_id: int, score: int, token: str | None = None) -> str:
    """The one-click link that answers an invitation with a score."""
    token = token or answer_token(settings, invitation_id)
    return _base(settings) + answer_path(token, score)


def unsubscribe_url(settings: Settings, email: str) -> str:
    """The link that stops surveys to an email address."""
    token = links.sign(
        {"e": email.strip().lower()}, secret=settings.secret_key, purpose=links.UNSUBSCRIBE
    )
    return _base(settings) + unsubscribe_path(token)


# --- what the email says ---------------------------------------------------------------------


def one_line(text: str) -> str:
    """Text for a header: line breaks and runs of white space become one space."""
    return " ".join(text.split())


def company_name(settings: Settings) -> str:
    """Who asks: the name in HEADWAY_MAIL_FROM, else the host of the public URL."""
    name = parseaddr(settings.mail_from)[0].strip()
    return name or urlsplit(settings.public_url).hostname or "us"


def subject_of(settings: Settings, ticket_subject: str | None = None) -> str:
    """What a CSAT question asks about: the solved ticket, else the company."""
    if ticket_subject is None:
        return company_name(settings)
    cleaned = " ".join(ticket_subject.split())
    return f"your support request “{cleaned}”" if cleaned else "your recent support request"


def question_text(settings: Settings, survey: Survey, ticket_subject: str | None = None) -> str:
    """The survey's question with {company} and {subject} filled in."""
    return survey.question.replace("{company}", company_name(settings)).replace(
        "{subject}", subject_of(settings, ticket_subject)
    )


def default_subject(settings: Settings, survey: Survey, *, after_ticket: bool) -> str:
    """The subject line of an invitation when its campaign sets none."""
    company = company_name(settings)
    if after_ticket:
        return f"How did {company} do with your request?"
    if survey.type == "nps":
        return f"One question from {company}"
    return f"How are we doing? A question from {company}"


@dataclass(frozen=True)
class ScalePoint:
    """One answer button: the score, its link and its words (if the survey has any)."""

    score: int
    url: str
    label: str


def scale_points(settings: Settings, survey: Survey, invitation_id: int) -> list[ScalePoint]:
    """Every point of the survey's scale, lowest first, with its link."""
    token = answer_token(settings, invitation_id)
    return [
        ScalePoint(score, answer_url(settings, invitation_id, score, token), label)
        for score, label in scale_words(survey)
    ]


def compose_invitation(
    *,
    settings: Settings,
    survey: Survey,
    invitation_id: int,
    to_email: str,
    to_name: str = "",
    subject: str = "",
    message: str = "",
    ticket_subject: str | None = None,
    expires_at: datetime | None = None,
    reminder: bool = False,
) -> EmailMessage:
    """The invitation (or its reminder) to one contact: text and HTML, one link per score.

    Headers hold one line each: line breaks in the subject or the name become spaces. An
    address that cannot stand in the To header alone raises ValueError.
    """
    after_ticket = ticket_subject is not None
    to_name = one_line(to_name)
    title = one_line(subject) or default_subject(settings, survey, after_ticket=after_ticket)
    if reminder:
        title = f"Reminder: {title}"
    points = scale_points(settings, survey, invitation_id)
    few_points = len(points) <= 7
    unsubscribe = unsubscribe_url(settings, to_email)
    context = {
        "company": company_name(settings),
        "greeting": f"Hello {to_name.split()[0]}," if to_name else "Hello,",
        "question": question_text(settings, survey, ticket_subject),
        "message": message.strip(),
        "points": points,
        "few_points": few_points,
        # Good/bad: the words are the answers, so they go on the buttons.
        "words_on_buttons": len(points) == 2 and all(p.label for p in points),
        "low_label": points[0].label,
        "high_label": points[-1].label,
        "expires_on": (
            f"{expires_at.day} {expires_at.strftime('%B %Y')}" if expires_at is not None else ""
        ),
        "reminder": reminder,
        "unsubscribe_url": unsubscribe,
        "title": title,
    }
    email = EmailMessage()
    sender = parseaddr(settings.mail_from)
    email["From"] = settings.mail_from
    email["To"] = Address(display_name=to_name, addr_spec=to_email)
    email["Subject"] = title
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=sender[1].rpartition("@")[2] or "localhost")
    email["List-Unsubscribe"] = f"<{unsubscribe}>"
    email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(_email_templates.get_template("surveys/email/invitation.txt").render(context))
    email.add_alternative(
        _email_templates.get_template("surveys/email/invitation.html").render(context),
        subtype="html",
    )
    return email


# --- sending -------------------------------------------------------------------------------


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()


class MailConnection:
    """One open SMTP session: send messages through it one after another."""

    def __init__(self, smtp: smtplib.SMTP, settings: Settings) -> None:
        self._smtp = smtp
        self._settings = settings

    def send(self, message: EmailMessage) -> None:
        """Send one message; a refusal of its recipient raises, the session stays usable."""
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            if 400 <= code < 500:
                raise TemporaryRefusal(_reply(code, text)) from None
            raise RecipientRefused(_reply(code, text)) from None
        except smtplib.SMTPDataError as error:
            if 400 <= error.smtp_code < 500:
                raise TemporaryRefusal(_reply(error.smtp_code, error.smtp_error)) from None
            raise RecipientRefused(_reply(error.smtp_code, error.smtp_error)) from None
        except smtplib.SMTPSenderRefused as error:
            raise MailServerError(
                f"the mail server refused the sender {self._settings.mail_from!r}: "
                f"{_reply(error.smtp_code, error.smtp_error)}; check HEADWAY_MAIL_FROM"
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            raise MailServerError(f"the mail server stopped answering: {error}") from None


class Mailer:
    """Sends email with the SMTP settings; refuses at once when no server is set."""

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise MailNotConfigured(NO_SMTP)
        sender = settings.mail_from
        if "\n" in sender or "\r" in sender or "@" not in parseaddr(sender)[1]:
            raise MailNotConfigured(
                f"HEADWAY_MAIL_FROM {sender!r} is not one address on one line: expected "
                "e.g. 'Acme Cloud <success@acmecloud.example>'"
            )
        self.settings = settings
        # Building a TLS context costs tens of milliseconds: once per mailer, and only for TLS.
        self._tls = None if settings.smtp_security == "none" else ssl.create_default_context()

    @property
    def address(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.smtp_port}"

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        assert s.smtp_host is not None
        context = self._tls
        smtp: smtplib.SMTP
        if s.smtp_security == "tls":
            smtp = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS, context=context
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            smtp.ehlo()
            if s.smtp_security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password or "")
        except smtplib.SMTPNotSupportedError as error:
            smtp.close()
            what = "STARTTLS" if "STARTTLS" in str(error).upper() else "a login (AUTH)"
            raise MailServerError(
                f"the mail server {self.address} does not offer {what}; check "
                "HEADWAY_SMTP_SECURITY and HEADWAY_SMTP_USERNAME"
            ) from None
        except smtplib.SMTPAuthenticationError as error:
            smtp.close()
            raise MailServerError(
                f"the mail server {self.address} refused the login of "
                f"{s.smtp_username!r}: {_reply(error.smtp_code, error.smtp_error)}"
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            smtp.close()
            raise MailServerError(
                f"cannot talk to the mail server {self.address}: {error}"
            ) from None
        return smtp

    @contextmanager
    def connect(self) -> Iterator[MailConnection]:
        """One SMTP session for a batch of messages, closed after it."""
        try:
            smtp = self._open()
        except (OSError, smtplib.SMTPException) as error:
            raise MailServerError(f"cannot reach the mail server {self.address}: {error}") from None
        try:
            yield MailConnection(smtp, self.settings)
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
