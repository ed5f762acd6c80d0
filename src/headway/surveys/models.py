"""Surveys (NPS, CSAT, CES), the campaigns that send them, invitations, responses, opt-outs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from headway.core.db import Base

SURVEY_TYPES = ("nps", "csat", "ces")
CAMPAIGN_TRIGGERS = ("scheduled", "ticket_solved")
CAMPAIGN_STATUSES = ("draft", "scheduled", "sending", "sent", "active", "cancelled")
RESPONSE_SOURCES = ("link", "api", "import")


class Survey(Base):
    """A question and its scale, stored with how answers are read.

    `positive_min` is the lowest positive answer (promoters 9, satisfied 4, agreeing 5) and
    `negative_max` the highest negative one (detractors 6); `aggregation` says which figure
    the survey reports: "nps" (% positive − % negative), "percent_positive" or "mean".
    `direction` is "higher_better" for all three built-in surveys; a survey asking about
    effort the other way round ("how much effort …", 1 = little) is "lower_better".
    """

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(8))  # nps, csat, ces
    name: Mapped[str] = mapped_column(String(120))
    question: Mapped[str] = mapped_column(Text)
    scale_min: Mapped[int]
    scale_max: Mapped[int]
    # Words for the ends of the scale, and for every point where the scale has few
    # ({"1": "Strongly disagree", …}; good/bad CSAT: {"0": "Bad", "1": "Good"}).
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    direction: Mapped[str] = mapped_column(String(16), default="higher_better")
    positive_min: Mapped[int]
    negative_max: Mapped[int | None]
    aggregation: Mapped[str] = mapped_column(String(20))  # nps, percent_positive, mean
    created_at: Mapped[datetime]


class SurveyCampaign(Base):
    """Who is asked a survey, and when.

    A "scheduled" campaign sends once at `send_at` to the contacts its audience selects; a
    "ticket_solved" campaign stays active and asks the requester of each ticket solved
    after it started. `audience` holds lists of segment keys, personas, stage keys and
    account ids ({"segments": ["high_touch"], "personas": ["champion"], …}); an empty or
    missing list means no restriction.
    """

    __tablename__ = "survey_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    name: Mapped[str] = mapped_column(String(200))
    trigger: Mapped[str] = mapped_column(String(16), default="scheduled")
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    send_at: Mapped[datetime | None]
    # Nobody is asked again within this many days of their last invitation (any campaign).
    throttle_days: Mapped[int] = mapped_column(default=90)
    # One reminder this many days after sending to those who have not answered (None: none).
    reminder_after_days: Mapped[int | None] = mapped_column(default=3)
    expires_after_days: Mapped[int] = mapped_column(default=14)
    subject: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]  # first sending (or activation of a ticket campaign)

    survey: Mapped[Survey] = relationship(lazy="joined")


class SurveyInvitation(Base):
    """One contact asked once: the signed links in their email point here.

    `key` makes asking twice impossible: "<campaign>:<contact>" for a scheduled campaign,
    "<campaign>:<contact>:ticket:<ticket>" after a solved ticket.
    """

    __tablename__ = "survey_invitations"
    __table_args__ = (
        Index("ix_survey_invitations_contact_sent", "contact_id", "sent_at"),
        Index("ix_survey_invitations_campaign", "campaign_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("survey_campaigns.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(String(320))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_reminded_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    # Why it was not sent, when it was not (unsubscribed, no email, SMTP refused …).
    skipped_reason: Mapped[str | None] = mapped_column(String(200))


class SurveyResponse(Base):
    """One answer: a score on the survey's scale and an optional comment.

    `external_id` keeps re-sent and re-imported answers from counting twice: the sender's id,
    else one derived from survey, account, email and time. Answers through an invitation
    link carry the invitation (at most one answer each).
    """

    __tablename__ = "survey_responses"
    __table_args__ = (
        Index("ix_survey_responses_responded", "responded_at"),
        Index("ix_survey_responses_account", "account_id", "responded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_campaigns.id", ondelete="SET NULL")
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_invitations.id", ondelete="SET NULL"), unique=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(8))  # link, api, import
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    survey: Mapped[Survey] = relationship(lazy="joined")


class SurveyOptOut(Base):
    """An email address that asked not to be surveyed again."""

    __tablename__ = "survey_opt_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # lower case
    opted_out_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16), default="link")  # link, api, admin
