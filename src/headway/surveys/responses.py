"""Answers and opt-outs sent by a survey tool through the API: write them once, list them.

Writes follow the account, as tickets do: a CSM records answers of the accounts they own, a
manager or an admin of any; every write that stores or changes something has its audit row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.accounts.service import check_may_edit_account
from headway.core import fields
from headway.core.audit import Actor, changed, record_audit, snapshot
from headway.core.errors import InvalidInput, NotFound, PermissionDenied
from headway.core.pagination import fetch_page
from headway.surveys.models import Survey, SurveyOptOut, SurveyResponse
from headway.surveys.schemas import SurveyResponseCreate, read_score, typed_survey
from headway.surveys.service import get_survey, opt_out, record_response, response_key
from headway.users.models import Role
from headway.users.service import Permissions

# What the audit log keeps of an answer (written through the API or imported).
AUDITED_FIELDS = [
    "survey_id",
    "account_id",
    "contact_id",
    "contact_email",
    "score",
    "comment",
    "responded_at",
    "source",
]
# The id of an answer through an emailed link: this prefix and its invitation's id.
LINK_ANSWER_PREFIX = "invitation:"


def check_sender_id(external_id: str | None) -> None:
    """Refuse a sender's id in the form Headway keeps for answers through emailed links."""
    if external_id and external_id.startswith(LINK_ANSWER_PREFIX):
        raise InvalidInput(
            f"external_id {external_id!r}: ids starting with {LINK_ANSWER_PREFIX!r} are kept "
            "for answers through emailed links"
        )


def _survey(session: Session, key: str) -> Survey:
    # A survey named in a body that does not exist is bad input, not a missing resource.
    try:
        return get_survey(session=session, key=key)
    except NotFound as error:
        raise InvalidInput(str(error)) from None


def _score(survey: Survey, score: int | str) -> int:
    """A score as a number: given as one, as digits, or as a word of the survey's labels."""
    if isinstance(score, int):
        return score
    point = read_score(score, survey.labels or {})
    if point is None:
        words = [str(v) for v in (survey.labels or {}).values()]
        every_point = len(words) == survey.scale_max - survey.scale_min + 1
        hint = f", or one of {', '.join(words)}" if every_point else ""
        raise InvalidInput(
            f"score {score!r} is not an answer to {survey.key}: expected a whole number "
            f"{survey.scale_min}–{survey.scale_max}{hint}"
        )
    return point


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return fields.normalise_email(value)
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def submit_response(
    *,
    session: Session,
    actor: Actor,
    permissions: Permissions | None,
    data: SurveyResponseCreate,
) -> tuple[SurveyResponse, bool]:
    """Record an answer sent through the API and commit; return it and whether it is new."""
    account_id = session.scalar(select(Account.id).where(Account.external_id == data.account_id))
    if account_id is None:
        raise InvalidInput(f"there is no account with the external id {data.account_id!r}")
    check_may_edit_account(
        session=session, permissions=permissions, account_id=account_id, what="survey answers"
    )
    check_sender_id(data.external_id)
    if data.survey is not None:
        survey = _survey(session, data.survey)
    else:
        word = data.score if isinstance(data.score, str) else None
        survey = _survey(session, typed_survey(data.survey_type or "", word))
    score = _score(survey, data.score)
    email = _email(data.contact_email)
    key = data.external_id or response_key(
        survey=survey, account_id=account_id, email=email, responded_at=data.responded_at
    )
    stored = session.scalar(select(SurveyResponse).where(SurveyResponse.external_id == key))
    before = snapshot(stored, AUDITED_FIELDS) if stored is not None else None
    response, created = record_response(
        session=session,
        survey=survey,
        account_id=account_id,
        score=score,
        responded_at=data.responded_at,
        source="api",
        comment=data.comment,
        contact_email=email,
        external_id=key,
    )
    after = snapshot(response, AUDITED_FIELDS)
    old, new = changed(before or {}, after)
    if created or new:
        record_audit(
            session,
            actor=actor,
            action=f"survey_response.{'create' if created else 'update'}",
            entity_type="survey_response",
            entity_id=response.id,
            account_id=account_id,
            before=None if created else old,
            after=after if created else new,
        )
    session.commit()
    return response, created


def list_responses(
    *,
    session: Session,
    survey: str | None = None,
    survey_type: str | None = None,
    account_id: int | None = None,
    first: datetime | None = None,
    last: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[SurveyResponse], int]:
    """List answers, newest first: of a survey or type, of an account, given in [first, last)."""
    query: Select[Any] = select(SurveyResponse)
    if survey is not None:
        query = query.where(SurveyResponse.survey_id == _survey(session, survey).id)
    if survey_type is not None:
        query = query.where(
            SurveyResponse.survey_id.in_(select(Survey.id).where(Survey.type == survey_type))
        )
    if account_id is not None:
        query = query.where(SurveyResponse.account_id == account_id)
    if first is not None:
        query = query.where(SurveyResponse.responded_at >= first)
    if last is not None:
        query = query.where(SurveyResponse.responded_at < last)
    rows, total = fetch_page(
        session,
        query.order_by(SurveyResponse.responded_at.desc(), SurveyResponse.id.desc()),
        page=page,
        per_page=per_page,
    )
    return [r[0] for r in rows], total


def submit_opt_out(
    *, session: Session, actor: Actor, permissions: Permissions | None, email: str
) -> tuple[SurveyOptOut, bool]:
    """Stop surveying an address on a person's word and commit; return it and whether it is new."""
    if permissions is not None and permissions.role is Role.VIEWER:
        raise PermissionDenied("viewers read only: a CSM, a manager or an admin records opt-outs")
    address = _email(email) or ""
    known = session.scalar(select(SurveyOptOut.id).where(SurveyOptOut.email == address))
    row = opt_out(session=session, email=address, source="api")
    if known is None:
        record_audit(
            session,
            actor=actor,
            action="survey_opt_out.create",
            entity_type="survey_opt_out",
            entity_id=row.id,
            account_id=None,
            before=None,
            after={"email": row.email, "source": row.source},
        )
    session.commit()
    return row, known is None
