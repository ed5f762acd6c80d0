"""Write the demo company's tickets and surveys into the database, or delete them.

Tickets, campaigns and invitations get their ids reserved before they are written, so
invitations can name their ticket and answers their invitation without reading anything back.
The surveys asked are the seeded ones, found by key; a database without them is refused with
the keys it lacks. Demo campaigns are those created by a demo team member.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from headway.contacts.models import Contact
from headway.demo.bulk import (
    JSONText,
    Progress,
    ids_by_key,
    insert_columns,
    optional,
    reserve_ids,
)
from headway.demo.company import DemoCompany
from headway.demo.database_outcomes import DemoIds
from headway.demo.people import DEMO_EMAIL_DOMAIN
from headway.demo.support_words import TICKET_TYPES
from headway.demo.surveys import DemoSurveys
from headway.demo.tickets import CHANNELS, PRIORITIES, SATISFACTION, STATUSES, SUBJECTS
from headway.support.models import Ticket
from headway.surveys.models import (
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    SurveyOptOut,
    SurveyResponse,
)

SURVEY_KEYS = ("nps", "csat", "ces")
TICKET_SOURCE = "headway"
RESPONSE_SOURCE = "link"


def write_support(session: Session, company: DemoCompany, ids: DemoIds, progress: Progress) -> None:
    """Insert the tickets, then the survey campaigns, invitations, answers and opt-outs."""
    survey_ids = ids_by_key(list(session.scalars(select(Survey))), SURVEY_KEYS, "survey")
    ticket_ids = _write_tickets(session, company, ids, progress)
    _write_surveys(
        session, company, ids, ticket_ids, dict(zip(SURVEY_KEYS, survey_ids, strict=True)), progress
    )


def _latest(*columns: np.ndarray) -> np.ndarray:
    """The latest of several datetime64 columns, row by row, NaT ignored."""
    stacked = np.stack([c.astype("datetime64[s]") for c in columns])
    filled = np.where(np.isnat(stacked), np.datetime64(0, "s"), stacked)
    return filled.max(axis=0)


def _write_tickets(
    session: Session, company: DemoCompany, ids: DemoIds, progress: Progress
) -> np.ndarray:
    tickets = company.tickets
    total = len(tickets)
    ticket_ids = reserve_ids(session, Ticket, total) + np.arange(total, dtype=np.int64)
    subjects = np.array([s[1] for s in SUBJECTS], dtype=object)
    topic_tags = np.array([json.dumps([s[2]]) for s in SUBJECTS], dtype=object)
    vip_tags = np.array([json.dumps([s[2], "vip"]) for s in SUBJECTS], dtype=object)
    tags = np.where(tickets.vip, vip_tags[tickets.subject], topic_tags[tickets.subject])
    rating = tickets.satisfaction.tolist()
    insert_columns(
        session,
        Ticket,
        {
            "id": ticket_ids,
            "external_id": tickets.external_id,
            "source": [TICKET_SOURCE] * total,
            "account_id": ids.accounts[tickets.account],
            "requester_contact_id": ids.contacts[tickets.contact],
            "requester_email": company.contacts.email[tickets.contact],
            "subject": subjects[tickets.subject],
            "channel": np.array(CHANNELS, dtype=object)[tickets.channel],
            "type": np.array(TICKET_TYPES, dtype=object)[tickets.type],
            "priority": np.array(PRIORITIES, dtype=object)[tickets.priority],
            "status": np.array(STATUSES, dtype=object)[tickets.status],
            "created_at": tickets.created_at,
            "first_reply_at": tickets.first_reply_at,
            "solved_at": tickets.solved_at,
            "closed_at": tickets.closed_at,
            "reopens": tickets.reopens,
            "agent_replies": tickets.agent_replies,
            "satisfaction": [SATISFACTION[s] if s >= 0 else None for s in rating],
            "satisfaction_scale": ["good_bad" if s >= 0 else None for s in rating],
            "tags": [JSONText(t) for t in tags.tolist()],
            "updated_at": _latest(
                tickets.created_at, tickets.first_reply_at, tickets.solved_at, tickets.closed_at
            ),
        },
        step="tickets",
        progress=progress,
    )
    return ticket_ids


def _write_surveys(
    session: Session,
    company: DemoCompany,
    ids: DemoIds,
    ticket_ids: np.ndarray,
    survey_ids: dict[str, int],
    progress: Progress,
) -> None:
    surveys: DemoSurveys = company.surveys
    campaigns = surveys.campaigns
    campaign_ids = reserve_ids(session, SurveyCampaign, len(campaigns)) + np.arange(len(campaigns))
    author = next(p.email for p in company.team if p.role == "manager")
    insert_columns(
        session,
        SurveyCampaign,
        {
            "id": campaign_ids,
            "survey_id": [survey_ids[c.survey] for c in campaigns],
            "name": [c.name for c in campaigns],
            "trigger": [c.trigger for c in campaigns],
            "audience": [c.audience for c in campaigns],
            "status": [c.status for c in campaigns],
            "send_at": np.array(
                [np.datetime64("NaT") if c.send_at is None else c.send_at for c in campaigns],
                dtype="datetime64[s]",
            ),
            "throttle_days": [c.throttle_days for c in campaigns],
            "reminder_after_days": [c.reminder_after_days for c in campaigns],
            "expires_after_days": [c.expires_after_days for c in campaigns],
            "subject": [c.subject for c in campaigns],
            "message": [c.message for c in campaigns],
            "created_by": [author] * len(campaigns),
            "created_at": np.array([c.created_at for c in campaigns], dtype="datetime64[s]"),
            "started_at": np.array([c.started_at for c in campaigns], dtype="datetime64[s]"),
        },
    )

    invitations = surveys.invitations
    total = len(invitations)
    invitation_ids = reserve_ids(session, SurveyInvitation, total) + np.arange(
        total, dtype=np.int64
    )
    campaign = campaign_ids[invitations.campaign]
    contact = ids.contacts[invitations.contact]
    has_ticket = invitations.ticket >= 0
    ticket = np.where(has_ticket, ticket_ids[np.maximum(invitations.ticket, 0)], -1)
    keys = [
        f"{c}:{p}:ticket:{t}" if t >= 0 else f"{c}:{p}"
        for c, p, t in zip(campaign.tolist(), contact.tolist(), ticket.tolist(), strict=True)
    ]
    insert_columns(
        session,
        SurveyInvitation,
        {
            "id": invitation_ids,
            "key": keys,
            "campaign_id": campaign,
            "account_id": ids.accounts[invitations.account],
            "contact_id": contact,
            "email": company.contacts.email[invitations.contact],
            "ticket_id": optional(ticket),
            "created_at": invitations.created_at,
            "sent_at": invitations.sent_at,
            "reminders_sent": (~np.isnat(invitations.reminded_at)).astype(np.int64),
            "last_reminded_at": invitations.reminded_at,
            "expires_at": invitations.expires_at,
            "answered_at": invitations.answered_at,
            "skipped_reason": invitations.skipped_reason,
        },
        step="survey invitations",
        progress=progress,
    )

    responses = surveys.responses
    asked = responses.invitation
    survey_of = np.array([survey_ids[c.survey] for c in campaigns], dtype=np.int64)
    insert_columns(
        session,
        SurveyResponse,
        {
            "external_id": responses.external_id,
            "survey_id": survey_of[invitations.campaign[asked]],
            "campaign_id": campaign[asked],
            "invitation_id": invitation_ids[asked],
            "account_id": ids.accounts[invitations.account[asked]],
            "contact_id": contact[asked],
            "contact_email": company.contacts.email[invitations.contact[asked]],
            "ticket_id": optional(ticket[asked]),
            "score": responses.score,
            "comment": responses.comment,
            "responded_at": responses.responded_at,
            "source": [RESPONSE_SOURCE] * len(responses),
            "created_at": responses.responded_at,
            "updated_at": responses.responded_at,
        },
        step="survey responses",
        progress=progress,
    )

    opt_outs = surveys.opt_outs
    insert_columns(
        session,
        SurveyOptOut,
        {
            "email": company.contacts.email[opt_outs.contact],
            "opted_out_at": opt_outs.opted_out_at,
            "source": [RESPONSE_SOURCE] * len(opt_outs),
        },
    )


def delete_demo_support(session: Session, demo_ids: Select[Any]) -> None:
    """Delete the demo accounts' tickets, survey answers and invitations, the demo campaigns
    and the opt-outs of demo contacts (before the contacts themselves go)."""
    demo_campaigns = select(SurveyCampaign.id).where(
        SurveyCampaign.created_by.like(f"%@{DEMO_EMAIL_DOMAIN}")
    )
    for table in (SurveyResponse, SurveyInvitation):
        session.execute(
            delete(table).where(
                or_(table.account_id.in_(demo_ids), table.campaign_id.in_(demo_campaigns))
            )
        )
    session.execute(delete(SurveyCampaign).where(SurveyCampaign.id.in_(demo_campaigns)))
    demo_emails = select(func.lower(Contact.email)).where(Contact.account_id.in_(demo_ids))
    session.execute(delete(SurveyOptOut).where(SurveyOptOut.email.in_(demo_emails)))
    session.execute(delete(Ticket).where(Ticket.account_id.in_(demo_ids)))
