"""Sending what is due: invitations of campaigns whose time has come, after solved tickets,
and one reminder to those who have not answered.

`send_due` is safe to run as often as cron likes. Invitations are made first, one per
person and campaign (or per ticket), under a unique key, and committed; then each is sent
and its `sent_at` written at once, committed every `BATCH_SIZE` messages, one SMTP
connection per batch (`headway.surveys.due` says how overlapping runs share the work).
A run that stops half way leaves the rest waiting for the next run; nothing is sent
twice. A recipient the server refuses for good is recorded as skipped and the others go on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from headway.config import Settings
from headway.contacts.models import Contact
from headway.core import clock
from headway.support.models import Ticket
from headway.surveys.audience import Recipient, audience_recipients, ticket_recipients
from headway.surveys.due import (
    count_rows,
    due_campaigns,
    next_batch,
    pairs,
    reminder_candidates,
    reminder_due,
    waiting_invitations,
)
from headway.surveys.mail import (
    Mailer,
    MailServerError,
    RecipientRefused,
    TemporaryRefusal,
    compose_invitation,
)
from headway.surveys.models import SurveyCampaign, SurveyInvitation
from headway.surveys.service import opted_out

Progress = Callable[[int, int], None]


@dataclass
class CampaignRun:
    """What one run did for one campaign."""

    id: int
    name: str
    invitations_sent: int = 0
    reminders_sent: int = 0
    skipped: int = 0


@dataclass
class SendReport:
    """What one run sent, and how many it left out by reason."""

    invitations_sent: int = 0
    reminders_sent: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    # Refused for now (4xx) and left for the next run.
    deferred: int = 0
    campaigns: dict[int, CampaignRun] = field(default_factory=dict)

    def of(self, campaign: SurveyCampaign) -> CampaignRun:
        if campaign.id not in self.campaigns:
            self.campaigns[campaign.id] = CampaignRun(campaign.id, campaign.name)
        return self.campaigns[campaign.id]

    def skip(self, campaign: SurveyCampaign, kind: str) -> None:
        self.skipped[kind] += 1
        self.of(campaign).skipped += 1

    def as_dict(self) -> dict[str, Any]:
        """The report as `headway surveys send --json` prints it."""
        return {
            "invitations_sent": self.invitations_sent,
            "reminders_sent": self.reminders_sent,
            "skipped": dict(sorted(self.skipped.items())),
            "deferred": self.deferred,
            "campaigns": [vars(run) for run in self.campaigns.values()],
        }


def _invitation_key(campaign: SurveyCampaign, recipient: Recipient) -> str:
    if recipient.ticket_id is not None:
        return f"{campaign.id}:{recipient.contact_id or 0}:ticket:{recipient.ticket_id}"
    return f"{campaign.id}:{recipient.contact_id}"


def _make_invitations(
    session: Session,
    campaign: SurveyCampaign,
    recipients: list[Recipient],
    now: datetime,
    report: SendReport,
) -> None:
    """One invitation per recipient; those left out are kept with their reason."""
    for recipient in recipients:
        session.add(
            SurveyInvitation(
                key=_invitation_key(campaign, recipient),
                campaign_id=campaign.id,
                account_id=recipient.account_id,
                contact_id=recipient.contact_id,
                email=recipient.email,
                ticket_id=recipient.ticket_id,
                created_at=now,
                skipped_reason=recipient.reason,
            )
        )
        if recipient.skip is not None:
            report.skip(campaign, recipient.skip)
    session.flush()


# --- sending --------------------------------------------------------------------------------


def _no_progress(done: int, total: int) -> None:
    return None


def send_due(
    *,
    session: Session,
    settings: Settings,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> SendReport:
    """Send every invitation and reminder that is due; return what was sent and left out.

    Without an SMTP server set it refuses before writing anything (`MailNotConfigured`).
    A server that fails half way (`MailServerError`) keeps what was sent and stops.
    """
    mailer = Mailer(settings)
    now = now or clock.now()
    report = SendReport()
    tell = progress or _no_progress

    last = 0
    while (campaign := session.scalar(due_campaigns(now, last, lock=True))) is not None:
        last = campaign.id
        if campaign.trigger == "ticket_solved":
            recipients = ticket_recipients(session=session, campaign=campaign, now=now)
        else:
            recipients = audience_recipients(session=session, campaign=campaign, now=now)
            campaign.status = "sending"
            campaign.started_at = now
            report.of(campaign)
        _make_invitations(session, campaign, recipients, now, report)
        session.commit()

    reminders = reminder_candidates(now)
    total = count_rows(session, waiting_invitations()) + count_rows(session, reminders)
    done = 0
    tell(0, total)
    try:
        for query, reminder in ((waiting_invitations(), False), (reminders, True)):
            last = 0
            while rows := next_batch(session, query, last):
                last = rows[-1][0].id
                batch = [
                    (inv, campaign, reminder)
                    for inv, campaign in rows
                    if not reminder or reminder_due(inv, campaign, now)
                ]
                if batch:
                    _send_batch(session, settings, mailer, batch, now, report)
                session.commit()
                done += len(rows)
                tell(min(done, total), max(total, done))
    except MailServerError:
        session.commit()  # what went out stays sent
        raise

    _finish_sent_campaigns(session)
    session.commit()
    return report


def _send_batch(
    session: Session,
    settings: Settings,
    mailer: Mailer,
    batch: list[tuple[SurveyInvitation, SurveyCampaign, bool]],
    now: datetime,
    report: SendReport,
) -> None:
    """Send one batch over one connection, writing each message's outcome as it goes."""
    opted = opted_out(session=session, emails=[inv.email for inv, _, _ in batch])
    contact_ids = {inv.contact_id for inv, _, _ in batch if inv.contact_id}
    names = pairs(session, select(Contact.id, Contact.name).where(Contact.id.in_(contact_ids)))
    ticket_ids = {inv.ticket_id for inv, _, _ in batch if inv.ticket_id}
    subjects = pairs(session, select(Ticket.id, Ticket.subject).where(Ticket.id.in_(ticket_ids)))
    with mailer.connect() as connection:
        for inv, campaign, reminder in batch:
            if inv.email.lower() in opted:
                if not reminder:
                    inv.skipped_reason = "unsubscribed from surveys"
                    report.skip(campaign, "opted_out")
                continue
            expires_at = (
                inv.expires_at if reminder else now + timedelta(days=campaign.expires_after_days)
            )
            try:
                message = compose_invitation(
                    settings=settings,
                    survey=campaign.survey,
                    invitation_id=inv.id,
                    to_email=inv.email,
                    to_name=names.get(inv.contact_id, "") if inv.contact_id else "",
                    subject=campaign.subject,
                    message=campaign.message,
                    ticket_subject=_ticket_subject(campaign, inv, subjects),
                    expires_at=expires_at,
                    reminder=reminder,
                )
            except ValueError as error:
                _refused(inv, reminder, f"not an address an email can go to: {error}", now)
                report.skip(campaign, "refused")
                continue
            try:
                connection.send(message)
            except TemporaryRefusal:
                report.deferred += 1
                continue
            except RecipientRefused as refusal:
                _refused(inv, reminder, f"refused by the mail server: {refusal}", now)
                report.skip(campaign, "refused")
                continue
            if reminder:
                inv.reminders_sent += 1
                inv.last_reminded_at = now
                report.reminders_sent += 1
                report.of(campaign).reminders_sent += 1
            else:
                inv.sent_at = now
                inv.expires_at = expires_at
                report.invitations_sent += 1
                report.of(campaign).invitations_sent += 1


def _refused(invitation: SurveyInvitation, reminder: bool, reason: str, now: datetime) -> None:
    """Keep why a message could not go; a refused reminder is not tried again."""
    if reminder:
        invitation.last_reminded_at = now
    else:
        invitation.skipped_reason = reason[:200]


def _ticket_subject(
    campaign: SurveyCampaign, invitation: SurveyInvitation, subjects: dict[int, str]
) -> str | None:
    """What a ticket campaign's question is about (None: not about a ticket)."""
    if campaign.trigger != "ticket_solved":
        return None
    return subjects.get(invitation.ticket_id, "") if invitation.ticket_id else ""


def _finish_sent_campaigns(session: Session) -> None:
    """A scheduled campaign with nothing left to send is sent."""
    waiting = exists().where(
        SurveyInvitation.campaign_id == SurveyCampaign.id,
        SurveyInvitation.sent_at.is_(None),
        SurveyInvitation.skipped_reason.is_(None),
    )
    for campaign in session.scalars(
        select(SurveyCampaign).where(SurveyCampaign.status == "sending", ~waiting)
    ):
        campaign.status = "sent"
