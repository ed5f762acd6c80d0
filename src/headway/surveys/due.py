"""What is due to be sent: campaigns whose time has come, invitations waiting to go out,
unanswered invitations whose reminder is due; and a dry run of all of it.

The queries take a lock on what a run works on (`FOR UPDATE SKIP LOCKED`), so two runs at
once on PostgreSQL share the work instead of both sending it. SQLite has one writer at a
time and ignores the lock: run one `headway surveys send` at once there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.core import clock
from headway.core.chunks import chunked
from headway.surveys.audience import Recipient, audience_recipients, ticket_recipients
from headway.surveys.models import SurveyCampaign, SurveyInvitation, SurveyResponse
from headway.surveys.service import opted_out

BATCH_SIZE = 50
# Campaigns whose invitations may still go out, and whose unanswered ones are reminded.
SENDING = ("sending", "active")
REMINDING = ("sending", "sent", "active")

Rows = list[tuple[SurveyInvitation, SurveyCampaign]]


@dataclass(frozen=True)
class DueMessage:
    """A message a run would send (or leave out, with the reason): for a dry run."""

    campaign_id: int
    campaign_name: str
    survey_key: str
    kind: str  # invitation, reminder
    email: str
    account_name: str
    skip: str | None = None
    reason: str | None = None


def due_campaigns(now: datetime, after_id: int = 0, lock: bool = False) -> Select[SurveyCampaign]:
    """Scheduled campaigns whose time has come and active ticket campaigns, by id."""
    query = (
        select(SurveyCampaign)
        .where(
            or_(
                and_(SurveyCampaign.status == "scheduled", SurveyCampaign.send_at <= now),
                and_(SurveyCampaign.status == "active", SurveyCampaign.trigger == "ticket_solved"),
            ),
            SurveyCampaign.id > after_id,
        )
        .order_by(SurveyCampaign.id)
    )
    # Another run at the same time skips a campaign this one holds (PostgreSQL; SQLite
    # runs one writer at a time and ignores FOR UPDATE).
    return query.limit(1).with_for_update(of=SurveyCampaign, skip_locked=True) if lock else query


def waiting_invitations() -> Select[SurveyInvitation, SurveyCampaign]:
    """Invitations made and not yet sent, of campaigns still sending."""
    return (
        select(SurveyInvitation, SurveyCampaign)
        .join(SurveyCampaign, SurveyCampaign.id == SurveyInvitation.campaign_id)
        .where(
            SurveyCampaign.status.in_(SENDING),
            SurveyInvitation.sent_at.is_(None),
            SurveyInvitation.skipped_reason.is_(None),
        )
    )


def reminder_candidates(now: datetime) -> Select[SurveyInvitation, SurveyCampaign]:
    """Sent a day ago or more, unanswered, not reminded, not expired (see `reminder_due`)."""
    answered = exists().where(SurveyResponse.invitation_id == SurveyInvitation.id)
    return (
        select(SurveyInvitation, SurveyCampaign)
        .join(SurveyCampaign, SurveyCampaign.id == SurveyInvitation.campaign_id)
        .where(
            SurveyCampaign.status.in_(REMINDING),
            SurveyCampaign.reminder_after_days.is_not(None),
            SurveyInvitation.sent_at <= now - timedelta(days=1),
            SurveyInvitation.answered_at.is_(None),
            SurveyInvitation.reminders_sent == 0,
            SurveyInvitation.last_reminded_at.is_(None),
            SurveyInvitation.expires_at > now,
            ~answered,
        )
    )


def reminder_due(invitation: SurveyInvitation, campaign: SurveyCampaign, now: datetime) -> bool:
    """Whether `reminder_after_days` have passed since sending."""
    if invitation.sent_at is None or campaign.reminder_after_days is None:
        return False
    return invitation.sent_at + timedelta(days=campaign.reminder_after_days) <= now


def invitation_rows(session: Session, query: Select[SurveyInvitation, SurveyCampaign]) -> Rows:
    """Invitations with their campaigns, as a list."""
    return [(inv, campaign) for inv, campaign in session.execute(query)]


def next_batch(
    session: Session, query: Select[SurveyInvitation, SurveyCampaign], after_id: int
) -> Rows:
    """The next invitations after an id, locked so that a run at the same time skips them."""
    batch = (
        query.where(SurveyInvitation.id > after_id)
        .order_by(SurveyInvitation.id)
        .limit(BATCH_SIZE)
        .with_for_update(of=SurveyInvitation, skip_locked=True)
    )
    return invitation_rows(session, batch)


def count_rows(session: Session, query: Select[SurveyInvitation, SurveyCampaign]) -> int:
    """How many rows a query gives."""
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def preview_due(*, session: Session, now: datetime | None = None) -> list[DueMessage]:
    """What `send_due` would send now, and whom it would leave out; writes nothing."""
    now = now or clock.now()
    due: list[DueMessage] = []

    def add(campaign: SurveyCampaign, kind: str, recipients: list[Recipient]) -> None:
        due.extend(
            DueMessage(
                campaign.id,
                campaign.name,
                campaign.survey.key,
                kind,
                r.email,
                r.account_name,
                r.skip,
                r.reason,
            )
            for r in recipients
        )

    for campaign in session.scalars(due_campaigns(now)):
        if campaign.trigger == "ticket_solved":
            found = ticket_recipients(session=session, campaign=campaign, now=now)
        else:
            found = audience_recipients(session=session, campaign=campaign, now=now)
        add(campaign, "invitation", found)
    waiting = invitation_rows(session, waiting_invitations().order_by(SurveyInvitation.id))
    candidates = invitation_rows(session, reminder_candidates(now).order_by(SurveyInvitation.id))
    outgoing = [(inv, campaign, "invitation") for inv, campaign in waiting]
    outgoing += [
        (inv, campaign, "reminder")
        for inv, campaign in candidates
        if reminder_due(inv, campaign, now)
    ]
    opted = opted_out(session=session, emails=[inv.email for inv, _, _ in outgoing])
    accounts = account_names(session, {inv.account_id for inv, _, _ in outgoing})
    for inv, campaign, kind in outgoing:
        left_out = inv.email.lower() in opted
        due.append(
            DueMessage(
                campaign.id,
                campaign.name,
                campaign.survey.key,
                kind,
                inv.email,
                accounts.get(inv.account_id, ""),
                "opted_out" if left_out else None,
                "unsubscribed from surveys" if left_out else None,
            )
        )
    return due


def pairs(session: Session, query: Select[int, str]) -> dict[int, str]:
    """The rows of a two-column query as a dict of the first column to the second."""
    return {key: value for key, value in session.execute(query)}


def account_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Account names by id."""
    names: dict[int, str] = {}
    for chunk in chunked(sorted(ids), 1000):
        names.update(pairs(session, select(Account.id, Account.name).where(Account.id.in_(chunk))))
    return names
