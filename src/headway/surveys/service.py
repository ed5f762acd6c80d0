"""Surveys and their answers: find a survey, record an answer once, keep opt-outs.

`record_response` stores an answer that comes through an emailed link or the API. It flushes
but does not commit: an answer through a link marks its invitation answered in the same
transaction. The import (`importers/survey_responses.py`) writes thousands of rows at once by
the same rules: the scale check, no future dates, the same `response_key`, the contact found by
email, and an answer never moves to another survey or account.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.contacts.models import Contact
from headway.core import clock
from headway.core.chunks import chunked
from headway.core.errors import InvalidInput, NotFound
from headway.surveys.models import SURVEY_TYPES, Survey, SurveyOptOut, SurveyResponse
from headway.surveys.scoring import scale_of

MAX_KEY_LENGTH = 200  # survey_responses.external_id
# What makes two answers the same answer, and what a re-sent answer may change.
RESPONSE_FIELDS = ("score", "comment", "responded_at", "contact_id", "contact_email", "ticket_id")


def list_surveys(*, session: Session) -> list[Survey]:
    """Every survey, NPS first, then CSAT and CES."""
    surveys = session.scalars(select(Survey).order_by(Survey.id))
    return sorted(surveys, key=lambda s: (SURVEY_TYPES.index(s.type), s.id))


def get_survey(*, session: Session, key: str) -> Survey:
    """The survey with this key, or an error listing the keys there are."""
    survey = session.scalar(select(Survey).where(Survey.key == key))
    if survey is None:
        known = ", ".join(s.key for s in list_surveys(session=session))
        raise NotFound(f"there is no survey {key!r}; surveys: {known}")
    return survey


def response_key(
    *, survey: Survey, account_id: int, email: str | None, responded_at: datetime
) -> str:
    """The identity of an answer sent without one: survey, account, who and when."""
    key = f"{survey.key}:{account_id}:{email or ''}:{responded_at.isoformat()}"
    if len(key) <= MAX_KEY_LENGTH:
        return key
    # A long email would overflow the column: keep the start readable, the rest as a digest.
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: MAX_KEY_LENGTH - len(digest) - 1]}~{digest}"


def contact_by_email(*, session: Session, account_id: int, email: str | None) -> int | None:
    """The account's contact with this email (any case), if there is one."""
    if not email:
        return None
    return session.scalar(
        select(Contact.id)
        .where(Contact.account_id == account_id, func.lower(Contact.email) == email.lower())
        .order_by(Contact.id)
        .limit(1)
    )


def record_response(
    *,
    session: Session,
    survey: Survey,
    account_id: int,
    score: int,
    responded_at: datetime,
    source: str,
    comment: str = "",
    contact_id: int | None = None,
    contact_email: str | None = None,
    external_id: str | None = None,
    campaign_id: int | None = None,
    invitation_id: int | None = None,
    ticket_id: int | None = None,
) -> tuple[SurveyResponse, bool]:
    """Store an answer, or find it again when it was sent before; return it and whether it is new.

    A score off the survey's scale and an answer dated in the future are refused. An answer
    sent again with the same external id and different content replaces the stored one (a
    corrected export); sent again unchanged, it writes nothing.
    """
    try:
        scale_of(survey).check(score)
    except ValueError as error:
        raise InvalidInput(f"{survey.key}: {error}") from None
    if responded_at > clock.now():
        raise InvalidInput(f"the answer is dated {responded_at.isoformat()}, in the future")
    email = contact_email.strip().lower() if contact_email else None
    if contact_id is None:
        contact_id = contact_by_email(session=session, account_id=account_id, email=email)
    key = external_id or response_key(
        survey=survey, account_id=account_id, email=email, responded_at=responded_at
    )
    values = {
        "score": score,
        "comment": comment.strip(),
        "responded_at": responded_at,
        "contact_id": contact_id,
        "contact_email": email,
        "ticket_id": ticket_id,
    }
    now = clock.now()
    found = session.scalar(select(SurveyResponse).where(SurveyResponse.external_id == key))
    if found is None:
        response = SurveyResponse(
            external_id=key,
            survey_id=survey.id,
            account_id=account_id,
            campaign_id=campaign_id,
            invitation_id=invitation_id,
            source=source,
            created_at=now,
            updated_at=now,
            **values,
        )
        session.add(response)
        session.flush()
        return response, True
    if found.survey_id != survey.id or found.account_id != account_id:
        raise InvalidInput(
            f"the answer {key!r} was recorded for another survey or account; an answer cannot move"
        )
    if any(getattr(found, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(found, name, value)
        found.updated_at = now
        session.flush()
    return found, False


def opt_out(*, session: Session, email: str, source: str = "link") -> SurveyOptOut:
    """Stop surveying an email address (again is harmless); flushes, the caller commits."""
    address = email.strip().lower()
    found = session.scalar(select(SurveyOptOut).where(SurveyOptOut.email == address))
    if found is not None:
        return found
    row = SurveyOptOut(email=address, opted_out_at=clock.now(), source=source)
    session.add(row)
    session.flush()
    return row


def opted_out(*, session: Session, emails: list[str]) -> set[str]:
    """Those of these email addresses (lower case) that asked not to be surveyed."""
    lowered = sorted({e.strip().lower() for e in emails})
    found: set[str] = set()
    for chunk in chunked(lowered, 1000):
        query = select(SurveyOptOut.email).where(SurveyOptOut.email.in_(chunk))
        found.update(session.scalars(query))
    return found
