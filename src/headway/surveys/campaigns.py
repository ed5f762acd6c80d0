"""Survey campaigns: make one, schedule or cancel it, see who it would ask.

A campaign starts as a draft. Scheduling a "scheduled" campaign makes it go out at its
`send_at` (now when none is set): the next `send_due` creates one invitation per contact
its audience selects and sends them. Scheduling a "ticket_solved" campaign makes it
active: from then on the requester of each solved ticket is asked. Cancelling stops what
has not gone out yet, reminders included. Sending lives in `headway.surveys.sending`, how a
campaign went in `headway.surveys.campaign_results`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.core import clock
from headway.core.audit import Actor, record_audit, snapshot
from headway.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from headway.surveys.audience import Recipient, audience_recipients, normalise_audience
from headway.surveys.due import DueMessage, preview_due
from headway.surveys.mail import one_line
from headway.surveys.models import (
    CAMPAIGN_STATUSES,
    CAMPAIGN_TRIGGERS,
    SurveyCampaign,
)
from headway.surveys.sending import SendReport, send_due
from headway.surveys.service import get_survey
from headway.users.models import Role
from headway.users.service import Permissions

# Sending and previews, re-exported: the command line and scripts run campaigns from here.
__all__ = [
    "DueMessage",
    "Recipient",
    "SendReport",
    "preview_due",
    "send_due",
]

CAMPAIGN_FIELDS = [
    "name",
    "trigger",
    "audience",
    "status",
    "send_at",
    "throttle_days",
    "reminder_after_days",
    "expires_after_days",
    "subject",
]
TICKET_SURVEY_TYPES = ("csat", "ces")
MAX_DAYS = 3650


def may_run_campaigns(permissions: Permissions | None) -> bool:
    """Admins and managers make, schedule and cancel campaigns (None: Headway itself)."""
    return permissions is None or permissions.role in (Role.ADMIN, Role.MANAGER)


def check_may_run_campaigns(permissions: Permissions | None) -> None:
    """Refuse anyone but admins and managers: a campaign emails customers."""
    if not may_run_campaigns(permissions):
        raise PermissionDenied("only admins and managers make, schedule or cancel survey campaigns")


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _check_days(
    throttle_days: int, reminder_after_days: int | None, expires_after_days: int
) -> None:
    if not 0 <= throttle_days <= MAX_DAYS:
        raise InvalidInput(f"throttle_days: expected 0 to {MAX_DAYS} days, not {throttle_days}")
    if not 1 <= expires_after_days <= MAX_DAYS:
        raise InvalidInput(
            f"expires_after_days: expected 1 to {MAX_DAYS} days, not {expires_after_days}"
        )
    if reminder_after_days is not None and not 1 <= reminder_after_days < expires_after_days:
        raise InvalidInput(
            f"reminder_after_days: expected 1 day or more and less than the "
            f"{expires_after_days} days the links last, not {reminder_after_days}"
        )


def create_campaign(
    *,
    session: Session,
    actor: Actor,
    survey_key: str,
    name: str,
    trigger: str = "scheduled",
    audience: Mapping[str, Any] | None = None,
    send_at: datetime | None = None,
    throttle_days: int = 90,
    reminder_after_days: int | None = 3,
    expires_after_days: int = 14,
    subject: str = "",
    message: str = "",
    permissions: Permissions | None = None,
) -> SurveyCampaign:
    """Make a draft campaign after checking its survey, trigger, audience and days."""
    check_may_run_campaigns(permissions)
    try:
        survey = get_survey(session=session, key=survey_key)
    except NotFound as error:
        raise InvalidInput(str(error)) from None
    # Both are single lines: the subject becomes an email header.
    name, subject = one_line(name), one_line(subject)
    if not name:
        raise InvalidInput("name: a campaign needs a name")
    if len(name) > 200 or len(subject) > 200:
        raise InvalidInput("name and subject: at most 200 characters each")
    if trigger not in CAMPAIGN_TRIGGERS:
        raise InvalidInput(
            f"trigger: unknown trigger {trigger!r}; expected {', '.join(CAMPAIGN_TRIGGERS)}"
        )
    if trigger == "ticket_solved" and survey.type not in TICKET_SURVEY_TYPES:
        raise InvalidInput(
            f"trigger: a campaign after solved tickets asks CSAT or CES, not {survey.type.upper()}"
        )
    _check_days(throttle_days, reminder_after_days, expires_after_days)
    campaign = SurveyCampaign(
        survey_id=survey.id,
        name=name,
        trigger=trigger,
        audience=normalise_audience(session=session, audience=audience),
        status="draft",
        send_at=_aware(send_at),
        throttle_days=throttle_days,
        reminder_after_days=reminder_after_days,
        expires_after_days=expires_after_days,
        subject=subject,
        message=message.strip(),
        created_by=actor.label,
        created_at=clock.now(),
    )
    session.add(campaign)
    session.flush()
    if reminder_after_days is None:
        # The column's default (3) fills a None on insert: "no reminder" is written after.
        campaign.reminder_after_days = None
        session.flush()
    _audit(session, actor, "survey_campaign.create", campaign, None)
    session.commit()
    return campaign


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    campaign: SurveyCampaign,
    before: dict[str, Any] | None,
) -> None:
    record_audit(
        session,
        actor=actor,
        action=action,
        entity_type="survey_campaign",
        entity_id=campaign.id,
        account_id=None,
        before=before,
        after=snapshot(campaign, CAMPAIGN_FIELDS),
    )


def list_campaigns(*, session: Session, status: str | None = None) -> list[SurveyCampaign]:
    """Every campaign, the newest first (optionally of one status)."""
    query = select(SurveyCampaign).order_by(
        SurveyCampaign.created_at.desc(), SurveyCampaign.id.desc()
    )
    if status is not None:
        if status not in CAMPAIGN_STATUSES:
            raise InvalidInput(
                f"status: unknown status {status!r}; expected {', '.join(CAMPAIGN_STATUSES)}"
            )
        query = query.where(SurveyCampaign.status == status)
    return list(session.scalars(query))


def get_campaign(*, session: Session, campaign_id: int) -> SurveyCampaign:
    """The campaign with this id."""
    campaign = session.get(SurveyCampaign, campaign_id)
    if campaign is None:
        raise NotFound(f"survey campaign {campaign_id} does not exist")
    return campaign


def schedule_campaign(
    *,
    session: Session,
    actor: Actor,
    campaign_id: int,
    send_at: datetime | None = None,
    permissions: Permissions | None = None,
) -> SurveyCampaign:
    """Make a draft go out at its send time (now when none), or start a ticket campaign."""
    check_may_run_campaigns(permissions)
    campaign = get_campaign(session=session, campaign_id=campaign_id)
    if campaign.status != "draft":
        raise Conflict(
            f"campaign {campaign.id} is {campaign.status}; only a draft can be scheduled"
        )
    before = snapshot(campaign, CAMPAIGN_FIELDS)
    now = clock.now()
    if campaign.trigger == "ticket_solved":
        campaign.status = "active"
        campaign.started_at = now
    else:
        campaign.status = "scheduled"
        campaign.send_at = _aware(send_at) or campaign.send_at or now
    _audit(session, actor, "survey_campaign.schedule", campaign, before)
    session.commit()
    return campaign


def cancel_campaign(
    *,
    session: Session,
    actor: Actor,
    campaign_id: int,
    permissions: Permissions | None = None,
) -> SurveyCampaign:
    """Stop a campaign: nothing more of it is sent, reminders neither; answers still count."""
    check_may_run_campaigns(permissions)
    campaign = get_campaign(session=session, campaign_id=campaign_id)
    if campaign.status == "cancelled":
        raise Conflict(f"campaign {campaign.id} is cancelled already")
    before = snapshot(campaign, CAMPAIGN_FIELDS)
    campaign.status = "cancelled"
    _audit(session, actor, "survey_campaign.cancel", campaign, before)
    session.commit()
    return campaign


def preview_recipients(
    *, session: Session, campaign: SurveyCampaign, now: datetime | None = None
) -> list[Recipient]:
    """The contacts the campaign's audience selects, with the reason each left out is."""
    return audience_recipients(session=session, campaign=campaign, now=now or clock.now())
