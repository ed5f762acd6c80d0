"""How a survey campaign went: counts per campaign, and where each of its invitations stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.contacts.models import Contact
from headway.core import clock
from headway.core.pagination import fetch_page
from headway.surveys.models import SurveyCampaign, SurveyInvitation, SurveyResponse


@dataclass(frozen=True)
class CampaignCounts:
    """What came of a campaign's invitations."""

    invitations: int = 0  # made, sent or not
    sent: int = 0
    answered: int = 0
    reminders: int = 0
    skipped: int = 0
    waiting: int = 0  # made, not yet sent

    @property
    def response_rate(self) -> float | None:
        """Answered ÷ sent; None before anything was sent."""
        return self.answered / self.sent if self.sent else None


_ANSWERED = or_(SurveyInvitation.answered_at.is_not(None), SurveyResponse.id.is_not(None))


def campaign_counts(*, session: Session, campaign_ids: list[int]) -> dict[int, CampaignCounts]:
    """Invitations sent, answered, reminded, skipped and waiting, per campaign."""
    if not campaign_ids:
        return {}
    sent = SurveyInvitation.sent_at.is_not(None)
    query = (
        select(
            SurveyInvitation.campaign_id,
            func.count(),
            func.count(case((sent, 1))),
            func.count(case((_ANSWERED, 1))),
            func.coalesce(func.sum(SurveyInvitation.reminders_sent), 0),
            func.count(case((SurveyInvitation.skipped_reason.is_not(None) & ~sent, 1))),
            func.count(case((SurveyInvitation.skipped_reason.is_(None) & ~sent, 1))),
        )
        .outerjoin(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id)
        .where(SurveyInvitation.campaign_id.in_(campaign_ids))
        .group_by(SurveyInvitation.campaign_id)
    )
    counts = {campaign_id: CampaignCounts() for campaign_id in campaign_ids}
    for campaign_id, made, n_sent, answered, reminders, skipped, waiting in session.execute(query):
        counts[campaign_id] = CampaignCounts(
            made, n_sent, answered, int(reminders), skipped, waiting
        )
    return counts


def campaign_read(campaign: SurveyCampaign, counts: CampaignCounts) -> dict[str, Any]:
    """A campaign with its counts as plain data: the API's body and the CLI's JSON."""
    rate = counts.response_rate
    return {
        "id": campaign.id,
        "survey": campaign.survey.key,
        "survey_type": campaign.survey.type,
        "name": campaign.name,
        "trigger": campaign.trigger,
        "audience": campaign.audience or {},
        "status": campaign.status,
        "send_at": campaign.send_at,
        "throttle_days": campaign.throttle_days,
        "reminder_after_days": campaign.reminder_after_days,
        "expires_after_days": campaign.expires_after_days,
        "subject": campaign.subject,
        "message": campaign.message,
        "created_by": campaign.created_by,
        "created_at": campaign.created_at,
        "started_at": campaign.started_at,
        "counts": {
            "invitations": counts.invitations,
            "sent": counts.sent,
            "answered": counts.answered,
            "response_rate": None if rate is None else round(rate, 4),
            "reminders": counts.reminders,
            "skipped": counts.skipped,
            "waiting": counts.waiting,
        },
    }


@dataclass(frozen=True)
class InvitationView:
    """One invitation of a campaign as its page lists it."""

    id: int
    account_id: int
    account_name: str
    contact_name: str
    email: str
    ticket_id: int | None
    state: str  # waiting, skipped, sent, reminded, answered, expired
    sent_at: datetime | None
    last_reminded_at: datetime | None
    answered_at: datetime | None
    expires_at: datetime | None
    score: int | None
    skipped_reason: str | None


def invitation_state(invitation: SurveyInvitation, *, answered: bool, now: datetime) -> str:
    """Where an invitation stands: waiting, skipped, answered, expired, reminded or sent."""
    if invitation.sent_at is None:
        return "skipped" if invitation.skipped_reason else "waiting"
    if answered or invitation.answered_at is not None:
        return "answered"
    if invitation.expires_at is not None and invitation.expires_at <= now:
        return "expired"
    return "reminded" if invitation.reminders_sent else "sent"


def list_invitations(
    *, session: Session, campaign_id: int, page: int = 1, per_page: int = 50
) -> tuple[list[InvitationView], int]:
    """A campaign's invitations by account and contact, and how many there are."""
    query = (
        select(
            SurveyInvitation,
            Account.name,
            Contact.name,
            SurveyResponse.score,
            SurveyResponse.responded_at,
        )
        .join(Account, Account.id == SurveyInvitation.account_id)
        .outerjoin(Contact, Contact.id == SurveyInvitation.contact_id)
        .outerjoin(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id)
        .where(SurveyInvitation.campaign_id == campaign_id)
        .order_by(Account.name, SurveyInvitation.email, SurveyInvitation.id)
    )
    rows, total = fetch_page(session, cast("Select[Any]", query), page=page, per_page=per_page)
    now = clock.now()
    views = [
        InvitationView(
            id=inv.id,
            account_id=inv.account_id,
            account_name=account_name,
            contact_name=contact_name or "",
            email=inv.email,
            ticket_id=inv.ticket_id,
            state=invitation_state(inv, answered=score is not None, now=now),
            sent_at=inv.sent_at,
            last_reminded_at=inv.last_reminded_at,
            answered_at=inv.answered_at or responded_at,
            expires_at=inv.expires_at,
            score=score,
            skipped_reason=inv.skipped_reason,
        )
        for inv, account_name, contact_name, score, responded_at in rows
    ]
    return views, total
