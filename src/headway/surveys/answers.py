"""Answers through the emailed links: one click records a score, then an optional comment.

Nobody logs in: the pages verify the signed token and pass the invitation it names. These
functions then refuse what a link may no longer do — answer a second time (the link was used;
nothing changes), answer or comment after the invitation expired, comment twice — each with
its own error, so the page can say which it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from headway.config import Settings
from headway.core import clock
from headway.core.errors import Conflict, HeadwayError, InvalidInput, NotFound
from headway.support.models import Ticket
from headway.surveys.mail import question_text
from headway.surveys.models import (
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    SurveyOptOut,
    SurveyResponse,
)
from headway.surveys.responses import LINK_ANSWER_PREFIX
from headway.surveys.scoring import scale_words
from headway.surveys.service import opt_out, record_response

COMMENT_MAX_LENGTH = 5000


class AlreadyAnswered(Conflict):
    """The invitation has its answer: its link was used and cannot answer again."""


class AlreadyCommented(Conflict):
    """The answer has its comment already."""


class InvitationExpired(HeadwayError):
    """The invitation's time to answer is over."""


@dataclass(frozen=True)
class ScalePoint:
    """One answer a person can give, with its words when the survey has words for it."""

    value: int
    label: str


@dataclass(frozen=True)
class Invitation:
    """What an answer page shows: the question as the person reads it, the scale, the answer."""

    id: int
    email: str
    survey: Survey
    question: str
    points: list[ScalePoint]
    low_label: str
    high_label: str
    expires_at: datetime | None
    expired: bool
    response: SurveyResponse | None

    @property
    def every_point_labelled(self) -> bool:
        """Whether each answer has its own words (CSAT, CES), not just the ends (NPS)."""
        return all(p.label for p in self.points)

    @property
    def shows_values(self) -> bool:
        """Whether the numbers mean something to the person (not on a good/bad scale)."""
        return not (len(self.points) == 2 and self.every_point_labelled)


def _invitation(session: Session, invitation_id: int) -> SurveyInvitation:
    invitation = session.get(SurveyInvitation, invitation_id)
    if invitation is None:
        raise NotFound(f"there is no survey invitation {invitation_id}")
    return invitation


def _survey_of(session: Session, invitation: SurveyInvitation) -> Survey:
    campaign = session.get(SurveyCampaign, invitation.campaign_id)
    if campaign is None:  # the foreign key cascades; only a broken database gets here
        raise NotFound(f"the campaign of invitation {invitation.id} no longer exists")
    return campaign.survey


def _answer_key(invitation_id: int) -> str:
    return f"{LINK_ANSWER_PREFIX}{invitation_id}"


def _answer_of(session: Session, invitation_id: int) -> SurveyResponse | None:
    query = select(SurveyResponse).where(SurveyResponse.invitation_id == invitation_id)
    return session.scalar(query)


def _has_expired(invitation: SurveyInvitation, now: datetime) -> bool:
    return invitation.expires_at is not None and now >= invitation.expires_at


def _scale_points(survey: Survey) -> list[ScalePoint]:
    return [ScalePoint(value, label) for value, label in scale_words(survey)]


def open_invitation(
    *, session: Session, invitation_id: int, settings: Settings, now: datetime | None = None
) -> Invitation:
    """Read an invitation as its answer page shows it, with its answer if it has one.

    The question reads as in the email (`mail.question_text`): {company} is the sender,
    {subject} the solved ticket when the survey follows one.
    """
    now = now or clock.now()
    invitation = _invitation(session, invitation_id)
    survey = _survey_of(session, invitation)
    ticket = None if invitation.ticket_id is None else session.get(Ticket, invitation.ticket_id)
    points = _scale_points(survey)
    return Invitation(
        id=invitation.id,
        email=invitation.email,
        survey=survey,
        question=question_text(settings, survey, ticket.subject if ticket else None),
        points=points,
        low_label=points[0].label,
        high_label=points[-1].label,
        expires_at=invitation.expires_at,
        expired=_has_expired(invitation, now),
        response=_answer_of(session, invitation.id),
    )


def answer_invitation(
    *, session: Session, invitation_id: int, score: int, now: datetime | None = None
) -> SurveyResponse:
    """Record the score a person chose through their link, once; commits.

    Refused: a used link (the invitation has its answer: nothing changes), an expired
    invitation, a score off the survey's scale.
    """
    now = now or clock.now()
    invitation = _invitation(session, invitation_id)
    if invitation.answered_at is not None or _answer_of(session, invitation.id) is not None:
        raise AlreadyAnswered("this survey was already answered through this link")
    if _has_expired(invitation, now):
        raise InvitationExpired(f"this survey closed on {invitation.expires_at:%Y-%m-%d}")
    try:
        response, _ = record_response(
            session=session,
            survey=_survey_of(session, invitation),
            account_id=invitation.account_id,
            score=score,
            responded_at=now,
            source="link",
            contact_id=invitation.contact_id,
            contact_email=invitation.email,
            external_id=_answer_key(invitation.id),
            campaign_id=invitation.campaign_id,
            invitation_id=invitation.id,
            ticket_id=invitation.ticket_id,
        )
        invitation.answered_at = now
        session.commit()
    except IntegrityError:
        # Two clicks at once: the unique invitation on the answer lets only the first through.
        session.rollback()
        raise AlreadyAnswered("this survey was already answered through this link") from None
    except Exception:
        session.rollback()
        raise
    return response


def add_comment(
    *, session: Session, response_id: int, comment: str, now: datetime | None = None
) -> SurveyResponse:
    """Add the comment to an answer given through a link: once, until the invitation expires."""
    now = now or clock.now()
    text = comment.strip()
    if not text:
        raise InvalidInput("the comment is empty: write a few words before sending it")
    if len(text) > COMMENT_MAX_LENGTH:
        raise InvalidInput(
            f"the comment has {len(text)} characters; at most {COMMENT_MAX_LENGTH} are kept"
        )
    response = session.get(SurveyResponse, response_id)
    if response is None:
        raise NotFound(f"there is no survey answer {response_id}")
    if response.invitation_id is None:
        raise InvalidInput("only an answer given through an emailed link takes a comment here")
    if response.comment.strip():
        raise AlreadyCommented("this answer already has its comment")
    if _has_expired(_invitation(session, response.invitation_id), now):
        raise InvitationExpired("this survey has closed: comments are no longer taken")
    # Written only while still empty, so two sends at once keep the first comment.
    written = session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.id == response_id, SurveyResponse.comment == "")
        .values(comment=text, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(written, "rowcount", 0) != 1:
        session.rollback()
        raise AlreadyCommented("this answer already has its comment")
    session.commit()
    session.refresh(response)
    return response


def unsubscribe(*, session: Session, email: str) -> SurveyOptOut:
    """Stop surveying an email address from its unsubscribe link (again is harmless); commits."""
    if not email.strip():
        raise InvalidInput("the unsubscribe link names no email address")
    row = opt_out(session=session, email=email, source="link")
    session.commit()
    return row
