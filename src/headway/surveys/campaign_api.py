"""JSON API of survey campaigns: list, make, read with counts, schedule, cancel, invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from headway.contacts.models import Persona
from headway.core.fields import DbId
from headway.core.pagination import Page
from headway.support.schemas import UtcTime
from headway.surveys.campaign_results import campaign_counts, campaign_read, list_invitations
from headway.surveys.campaigns import (
    cancel_campaign,
    create_campaign,
    get_campaign,
    list_campaigns,
    schedule_campaign,
)
from headway.surveys.models import SurveyCampaign
from headway.web.auth import ApiPrincipal, SessionDep
from headway.web.errors import API_ERROR_RESPONSES
from headway.web.params import PageNumber, PathId, PerPage

router = APIRouter(tags=["surveys"], responses=API_ERROR_RESPONSES)

CampaignStatus = Literal["draft", "scheduled", "sending", "sent", "active", "cancelled"]
Key = Annotated[str, Field(min_length=1, max_length=64)]


class AudienceBody(BaseModel):
    """Whom a campaign asks; an empty list does not restrict."""

    model_config = ConfigDict(extra="forbid")

    segments: list[Key] = Field(default_factory=list, max_length=50)
    stages: list[Key] = Field(default_factory=list, max_length=50)
    personas: list[Persona] = Field(default_factory=list, max_length=10)
    account_ids: list[DbId] = Field(default_factory=list, max_length=5000)


class CampaignCreate(BaseModel):
    """A new campaign (a draft until scheduled)."""

    model_config = ConfigDict(extra="forbid")

    survey: Key = Field(description="Survey key: nps, csat, csat_good_bad or ces.")
    name: str = Field(min_length=1, max_length=200)
    trigger: Literal["scheduled", "ticket_solved"] = "scheduled"
    audience: AudienceBody = Field(default_factory=AudienceBody)
    send_at: UtcTime | None = Field(None, description="When to send (default: when scheduled).")
    throttle_days: int = Field(90, ge=0, le=3650, description="Skip anyone asked this recently.")
    reminder_after_days: int | None = Field(
        3, ge=1, le=3650, description="One reminder after this many days; null: none."
    )
    expires_after_days: int = Field(14, ge=1, le=3650, description="How long links work.")
    subject: str = Field("", max_length=200)
    message: str = Field("", max_length=5000)


class ScheduleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    send_at: UtcTime | None = Field(None, description="When to send (default: the campaign's).")


class CampaignCountsRead(BaseModel):
    invitations: int
    sent: int
    answered: int
    response_rate: float | None = Field(description="Answered ÷ sent; null before sending.")
    reminders: int
    skipped: int
    waiting: int


class CampaignRead(BaseModel):
    id: int
    survey: str
    survey_type: str
    name: str
    trigger: str
    audience: dict[str, list[str | int]]
    status: str
    send_at: datetime | None
    throttle_days: int
    reminder_after_days: int | None
    expires_after_days: int
    subject: str
    message: str
    created_by: str
    created_at: datetime
    started_at: datetime | None
    counts: CampaignCountsRead


class InvitationRead(BaseModel):
    id: int
    account_id: int
    account_name: str
    contact_name: str
    email: str
    ticket_id: int | None
    state: str = Field(description="waiting, skipped, sent, reminded, answered or expired.")
    sent_at: datetime | None
    last_reminded_at: datetime | None
    answered_at: datetime | None
    expires_at: datetime | None
    score: int | None
    skipped_reason: str | None


def _read(session: SessionDep, campaign: SurveyCampaign) -> CampaignRead:
    counts = campaign_counts(session=session, campaign_ids=[campaign.id])[campaign.id]
    return CampaignRead.model_validate(campaign_read(campaign, counts))


@router.get("/survey-campaigns", response_model=Page[CampaignRead])
def get_survey_campaigns(
    session: SessionDep,
    principal: ApiPrincipal,
    status: Annotated[CampaignStatus | None, Query()] = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> Page[CampaignRead]:
    """List survey campaigns, newest first, with what came of each."""
    campaigns = list_campaigns(session=session, status=status)
    shown = campaigns[(page - 1) * per_page : page * per_page]
    counts = campaign_counts(session=session, campaign_ids=[c.id for c in shown])
    items = [CampaignRead.model_validate(campaign_read(c, counts[c.id])) for c in shown]
    return Page[CampaignRead](items=items, total=len(campaigns), page=page, per_page=per_page)


@router.post("/survey-campaigns", response_model=CampaignRead, status_code=201)
def post_survey_campaign(
    session: SessionDep, principal: ApiPrincipal, data: CampaignCreate
) -> CampaignRead:
    """Make a draft campaign (admins and managers)."""
    campaign = create_campaign(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        survey_key=data.survey,
        name=data.name,
        trigger=data.trigger,
        audience=data.audience.model_dump(mode="json"),
        send_at=data.send_at,
        throttle_days=data.throttle_days,
        reminder_after_days=data.reminder_after_days,
        expires_after_days=data.expires_after_days,
        subject=data.subject,
        message=data.message,
    )
    return _read(session, campaign)


@router.get("/survey-campaigns/{campaign_id}", response_model=CampaignRead)
def get_survey_campaign(
    session: SessionDep, principal: ApiPrincipal, campaign_id: PathId
) -> CampaignRead:
    """Read a campaign with its counts: sent, answered, response rate, reminders."""
    return _read(session, get_campaign(session=session, campaign_id=campaign_id))


@router.post("/survey-campaigns/{campaign_id}/schedule", response_model=CampaignRead)
def post_schedule_survey_campaign(
    session: SessionDep,
    principal: ApiPrincipal,
    campaign_id: PathId,
    data: ScheduleBody | None = None,
) -> CampaignRead:
    """Schedule a draft (a ticket campaign starts asking at once)."""
    campaign = schedule_campaign(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        campaign_id=campaign_id,
        send_at=data.send_at if data else None,
    )
    return _read(session, campaign)


@router.post("/survey-campaigns/{campaign_id}/cancel", response_model=CampaignRead)
def post_cancel_survey_campaign(
    session: SessionDep, principal: ApiPrincipal, campaign_id: PathId
) -> CampaignRead:
    """Cancel a campaign: nothing more of it is sent, reminders neither."""
    campaign = cancel_campaign(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        campaign_id=campaign_id,
    )
    return _read(session, campaign)


@router.get("/survey-campaigns/{campaign_id}/invitations", response_model=Page[InvitationRead])
def get_survey_campaign_invitations(
    session: SessionDep,
    principal: ApiPrincipal,
    campaign_id: PathId,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> Page[InvitationRead]:
    """A campaign's invitations: who, and where each stands."""
    get_campaign(session=session, campaign_id=campaign_id)
    views, total = list_invitations(
        session=session, campaign_id=campaign_id, page=page, per_page=per_page
    )
    items = [InvitationRead.model_validate(view, from_attributes=True) for view in views]
    return Page[InvitationRead](items=items, total=total, page=page, per_page=per_page)
