"""Pages of survey campaigns: the list, a new campaign with who it would ask, one campaign."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from headway.accounts.service import get_account_by_external_id, list_segments, list_stages
from headway.config import Settings
from headway.contacts.models import Persona
from headway.core import clock
from headway.core.errors import HeadwayError, InvalidInput
from headway.surveys.audience import Recipient, normalise_audience
from headway.surveys.campaign_results import campaign_counts, list_invitations
from headway.surveys.campaigns import (
    cancel_campaign,
    create_campaign,
    get_campaign,
    list_campaigns,
    may_run_campaigns,
    preview_recipients,
    schedule_campaign,
)
from headway.surveys.mail import question_text
from headway.surveys.models import SurveyCampaign
from headway.surveys.service import list_surveys
from headway.web.auth import PageUser, Principal, SessionDep, settings_of, verify_csrf
from headway.web.forms import form_whole
from headway.web.params import PageNumber, PathId
from headway.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

SHOWN_RECIPIENTS = 100  # on a campaign's page
SHOWN_IN_FORM = 25  # beside the new-campaign form
PER_PAGE = 50
NOTICES = {
    "created": "Campaign saved as a draft. Schedule it when its audience looks right.",
    "scheduled": "Campaign scheduled: the next `headway surveys send` sends what is due.",
    "cancelled": "Campaign cancelled: nothing more of it is sent.",
}
PERSONA_NAMES = {
    "champion": "Champion",
    "decision_maker": "Decision maker",
    "admin": "Admin",
    "end_user": "End user",
}
SKIP_NAMES = {
    "no_email": "no email address",
    "opted_out": "unsubscribed",
    "throttled": "asked recently",
    "duplicate": "same address twice",
}
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class CampaignForm:
    """What the new-campaign form holds, as typed."""

    survey: str = "nps"
    name: str = ""
    trigger: str = "scheduled"
    segments: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    personas: list[str] = field(default_factory=list)
    accounts: str = ""
    send_at: str = ""
    throttle_days: str = "90"
    reminder_after_days: str = "3"
    expires_after_days: str = "14"
    subject: str = ""
    message: str = ""


async def _read_form(request: Request) -> CampaignForm:
    form = await request.form()

    def text(name: str, default: str = "") -> str:
        value = form.get(name, default)
        return value.strip() if isinstance(value, str) else default

    def many(name: str) -> list[str]:
        return [v for v in form.getlist(name) if isinstance(v, str) and v]

    return CampaignForm(
        survey=text("survey", "nps"),
        name=text("name"),
        trigger=text("trigger", "scheduled"),
        segments=many("segments"),
        stages=many("stages"),
        personas=many("personas"),
        accounts=text("accounts"),
        send_at=text("send_at"),
        throttle_days=text("throttle_days"),
        reminder_after_days=text("reminder_after_days"),
        expires_after_days=text("expires_after_days"),
        subject=text("subject"),
        message=text("message"),
    )


def _send_at(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"send at: expected a date and time, not {value!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _days(value: str, field_name: str, default: int) -> int:
    number = form_whole(value, field_name)
    return default if number is None else number


def _audience(session: Session, form: CampaignForm) -> dict[str, Any]:
    account_ids = []
    for external_id in filter(None, _SEPARATORS.split(form.accounts)):
        account = get_account_by_external_id(session=session, external_id=external_id)
        if account is None:
            raise InvalidInput(f"accounts: no account has the external id {external_id!r}")
        account_ids.append(account.id)
    return {
        "segments": form.segments,
        "stages": form.stages,
        "personas": form.personas,
        "account_ids": account_ids,
    }


def _options(session: Session) -> dict[str, Any]:
    return {
        "surveys": list_surveys(session=session),
        "segments": list_segments(session=session),
        "stages": list_stages(session=session),
        "personas": [(p.value, PERSONA_NAMES.get(p.value, p.value)) for p in Persona],
    }


@dataclass(frozen=True)
class Preview:
    """Who a campaign would ask now, and how many are left out for which reason."""

    asked: int
    left_out: Counter[str]
    shown: list[Recipient]
    total: int


def _preview(recipients: list[Recipient], shown: int = SHOWN_RECIPIENTS) -> Preview:
    return Preview(
        asked=sum(1 for r in recipients if r.asked),
        left_out=Counter(r.skip for r in recipients if r.skip),
        shown=recipients[:shown],
        total=len(recipients),
    )


# --- the list ------------------------------------------------------------------------------


@router.get("/surveys/campaigns", response_class=HTMLResponse)
def campaigns_page(request: Request, session: SessionDep, principal: PageUser) -> Response:
    """Every campaign with what came of it."""
    campaigns = list_campaigns(session=session)
    counts = campaign_counts(session=session, campaign_ids=[c.id for c in campaigns])
    context = {
        "campaigns": [(c, counts[c.id]) for c in campaigns],
        "can_run": may_run_campaigns(principal.permissions),
    }
    return render(request, "surveys/campaigns.html", context)


# --- a new campaign --------------------------------------------------------------------------


def _new_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: CampaignForm,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "form": form,
        "error": error,
        "can_run": may_run_campaigns(principal.permissions),
        "skip_names": SKIP_NAMES,
        **_options(session),
    }
    return render(request, "surveys/campaign_new.html", context, status_code)


@router.get("/surveys/campaigns/new", response_class=HTMLResponse)
def new_campaign_page(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    survey: Annotated[str, Query(max_length=64)] = "nps",
) -> Response:
    """The form of a new campaign, with who it would ask."""
    return _new_page(request, session, principal, CampaignForm(survey=survey))


@router.post("/surveys/campaigns/preview", response_class=HTMLResponse)
async def preview_campaign(request: Request, session: SessionDep, principal: PageUser) -> Response:
    """Who the form's campaign would ask now (an HTMX fragment)."""
    form = await _read_form(request)
    context: dict[str, Any] = {"skip_names": SKIP_NAMES, "preview": None, "error": None}
    try:
        draft = SurveyCampaign(
            audience=normalise_audience(session=session, audience=_audience(session, form)),
            throttle_days=_days(form.throttle_days, "throttle days", 90),
            trigger=form.trigger,
        )
        recipients = preview_recipients(session=session, campaign=draft)
        context["preview"] = _preview(recipients, SHOWN_IN_FORM)
    except HeadwayError as error:
        context["error"] = str(error)
    context["trigger"] = form.trigger
    return render(request, "surveys/campaign_preview.html", context)


@router.post("/surveys/campaigns")
async def create_campaign_form(
    request: Request, session: SessionDep, principal: PageUser
) -> Response:
    """Save the form as a draft campaign, or schedule it at once."""
    form = await _read_form(request)
    raw = await request.form()
    try:
        reminder = form_whole(form.reminder_after_days, "reminder after days")
        campaign = create_campaign(
            session=session,
            actor=principal.actor,
            permissions=principal.permissions,
            survey_key=form.survey,
            name=form.name,
            trigger=form.trigger,
            audience=_audience(session, form),
            send_at=_send_at(form.send_at),
            throttle_days=_days(form.throttle_days, "throttle days", 90),
            reminder_after_days=reminder or None,
            expires_after_days=_days(form.expires_after_days, "expires after days", 14),
            subject=form.subject,
            message=form.message,
        )
        if raw.get("then") == "schedule":
            schedule_campaign(
                session=session,
                actor=principal.actor,
                permissions=principal.permissions,
                campaign_id=campaign.id,
            )
    except HeadwayError as error:
        session.rollback()
        status_code = 403 if not may_run_campaigns(principal.permissions) else 422
        return _new_page(request, session, principal, form, str(error), status_code)
    saved = "scheduled" if raw.get("then") == "schedule" else "created"
    return RedirectResponse(f"/surveys/campaigns/{campaign.id}?saved={saved}", status_code=303)


# --- one campaign ----------------------------------------------------------------------------


def _audience_words(campaign: SurveyCampaign, names: dict[str, dict[str, str]]) -> list[str]:
    audience = campaign.audience or {}
    words = []
    for key, label in (("segments", "segment"), ("stages", "stage"), ("personas", "persona")):
        if audience.get(key):
            chosen = ", ".join(names[key].get(v, v) for v in audience[key])
            words.append(f"{label}: {chosen}")
    if audience.get("account_ids"):
        words.append(f"{len(audience['account_ids'])} chosen accounts")
    return words or ["every contact of every account but churned ones"]


def _campaign_context(
    session: Session, settings: Settings, campaign: SurveyCampaign, page: int
) -> dict[str, Any]:
    options = _options(session)
    names = {
        "segments": {s.key: s.name for s in options["segments"]},
        "stages": {s.key: s.name for s in options["stages"]},
        "personas": dict(options["personas"]),
    }
    invitations, total = list_invitations(
        session=session, campaign_id=campaign.id, page=page, per_page=PER_PAGE
    )
    before_sending = campaign.trigger == "scheduled" and campaign.status in ("draft", "scheduled")
    preview = (
        _preview(preview_recipients(session=session, campaign=campaign)) if before_sending else None
    )
    survey = campaign.survey
    return {
        "campaign": campaign,
        "survey": survey,
        "question": question_text(
            settings, survey, "" if campaign.trigger == "ticket_solved" else None
        ),
        "points": list(range(survey.scale_min, survey.scale_max + 1)),
        "counts": campaign_counts(session=session, campaign_ids=[campaign.id])[campaign.id],
        "audience_words": _audience_words(campaign, names),
        "invitations": invitations,
        "invitations_total": total,
        "page": page,
        "pages": max(1, -(-total // PER_PAGE)),
        "preview": preview,
        "skip_names": SKIP_NAMES,
        "now": clock.now(),
    }


@router.get("/surveys/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    campaign_id: PathId,
    page: PageNumber = 1,
    saved: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """One campaign: its counts, settings, and who it asks and how each stands."""
    campaign = get_campaign(session=session, campaign_id=campaign_id)
    context = _campaign_context(session, settings_of(request), campaign, page)
    context |= {"notice": NOTICES.get(saved), "can_run": may_run_campaigns(principal.permissions)}
    return render(request, "surveys/campaign.html", context)


@router.post("/surveys/campaigns/{campaign_id}/schedule")
def schedule_campaign_form(
    request: Request, session: SessionDep, principal: PageUser, campaign_id: PathId
) -> Response:
    """Schedule a draft campaign."""
    schedule_campaign(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        campaign_id=campaign_id,
    )
    return RedirectResponse(f"/surveys/campaigns/{campaign_id}?saved=scheduled", status_code=303)


@router.post("/surveys/campaigns/{campaign_id}/cancel")
def cancel_campaign_form(
    request: Request, session: SessionDep, principal: PageUser, campaign_id: PathId
) -> Response:
    """Cancel a campaign."""
    cancel_campaign(
        session=session,
        actor=principal.actor,
        permissions=principal.permissions,
        campaign_id=campaign_id,
    )
    return RedirectResponse(f"/surveys/campaigns/{campaign_id}?saved=cancelled", status_code=303)
