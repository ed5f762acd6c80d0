"""Public pages behind the links in survey emails: answer in one click, comment, unsubscribe.

Nobody logs in and no session is kept: the signed token in the address is the permission
(`surveys.links`). The pages are plain and standalone (no Headway navigation), never cached,
and send no Referer, so the token stays between the person and Headway. Every refusal is a
short friendly page: 400 a link that is not valid, 404 a survey that no longer exists, 409 a
link already used, 410 an invitation that expired.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from headway.config import Settings
from headway.core.errors import InvalidInput, NotFound
from headway.surveys import links
from headway.surveys.answers import (
    AlreadyAnswered,
    AlreadyCommented,
    Invitation,
    InvitationExpired,
    add_comment,
    answer_invitation,
    open_invitation,
    unsubscribe,
)
from headway.surveys.mail import answer_path, comment_path, company_name, unsubscribe_path
from headway.web.auth import SessionDep, settings_of
from headway.web.templating import render

router = APIRouter(include_in_schema=False)

# The comment form's own token: it names the answer, and lasts a day after the answer.
COMMENT_MAX_AGE = timedelta(days=1)
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
REFUSALS = {
    400: (
        "This link is not valid",
        "It may have been cut short or changed on its way. Open it again from the email, "
        "or copy the whole address into your browser.",
    ),
    404: (
        "This survey is no longer available",
        "The survey this link belonged to has been withdrawn. Thank you for wanting to answer.",
    ),
    409: ("You already answered this survey", "Your answer is recorded. Thank you!"),
    410: (
        "This survey link has expired",
        "The time to answer this survey is over. Thank you for opening it all the same.",
    ),
}
# No length limits here: an over-long comment gets the friendly page the service's message makes.
CommentText = Annotated[str, Form()]
CommentToken = Annotated[str, Form()]


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    settings = settings_of(request)
    shared = {
        "company": company_name(settings),
        "answer_path": answer_path,
        "comment_path": comment_path,
        "unsubscribe_path": unsubscribe_path,
    }
    response: Response = render(request, name, shared | context, status_code)
    response.headers.update(PRIVATE_HEADERS)
    return response


def _refused(
    request: Request, status_code: int, ask: Invitation | None = None, **extra: Any
) -> Response:
    title, detail = REFUSALS[status_code]
    context = {"title": title, "detail": detail, "ask": ask, "status_code": status_code, **extra}
    return _page(request, "surveys/answer_refused.html", context, status_code)


def _invitation_id(token: str, settings: Settings) -> int:
    payload = links.unsign(
        token, secret=settings.secret_key, purpose=links.ANSWER, max_age_seconds=None
    )
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int):
        raise links.InvalidLink("the link names no invitation")
    return int(payload["i"])


def _comment_token(settings: Settings, response_id: int) -> str:
    return links.sign({"r": response_id}, secret=settings.secret_key, purpose=links.COMMENT)


def _open(request: Request, session: SessionDep, invitation_id: int) -> Invitation:
    return open_invitation(
        session=session,
        invitation_id=invitation_id,
        settings=settings_of(request),
    )


def _thanks(
    request: Request,
    token: str,
    ask: Invitation,
    status_code: int = 200,
    error: str | None = None,
    comment: str = "",
) -> Response:
    """The answer and its comment form (none once commented or expired)."""
    response = ask.response
    assert response is not None
    may_comment = not response.comment and not ask.expired
    context = {
        "ask": ask,
        "token": token,
        "chosen": response.score,
        "comment_token": _comment_token(settings_of(request), response.id) if may_comment else "",
        "error": error,
        "comment": comment,
    }
    if status_code == 409:
        context["title"] = REFUSALS[409][0]
    return _page(request, "surveys/answer_thanks.html", context, status_code)


def _question(request: Request, token: str, ask: Invitation, error: str | None = None) -> Response:
    context = {"ask": ask, "token": token, "error": error}
    return _page(request, "surveys/answer_question.html", context, 400 if error else 200)


@router.get("/s/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_form(request: Request, token: str) -> Response:
    """Ask to confirm: a link opened by a mail scanner must not unsubscribe anybody."""
    try:
        email = _unsubscribe_email(token, settings_of(request))
    except links.InvalidLink:
        return _refused(request, 400)
    return _page(request, "surveys/public_unsubscribe.html", {"email": email, "token": token})


@router.post("/s/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_confirmed(request: Request, session: SessionDep, token: str) -> Response:
    """Record the opt-out: the confirm button, or a mail client's RFC 8058 one-click POST."""
    try:
        email = _unsubscribe_email(token, settings_of(request))
        unsubscribe(session=session, email=email)
    except (links.InvalidLink, InvalidInput):
        return _refused(request, 400)
    return _page(request, "surveys/public_unsubscribed.html", {"email": email})


def _unsubscribe_email(token: str, settings: Settings) -> str:
    payload = links.unsign(
        token, secret=settings.secret_key, purpose=links.UNSUBSCRIBE, max_age_seconds=None
    )
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), str):
        raise links.InvalidLink("the link names no email address")
    return str(payload["e"])


@router.get("/s/{token}", response_class=HTMLResponse)
def answer(request: Request, session: SessionDep, token: str, score: str | None = None) -> Response:
    """With a score: record it (one click from the email) and thank; without: ask."""
    try:
        ask = _open(request, session, _invitation_id(token, settings_of(request)))
    except links.InvalidLink:
        return _refused(request, 400)
    except NotFound:
        return _refused(request, 404)
    if ask.response is not None:
        return _thanks(request, token, ask, status_code=409)
    if ask.expired:
        return _refused(request, 410, ask)
    if score is None:
        return _question(request, token, ask)
    values = {str(p.value): p.value for p in ask.points}
    if score.strip() not in values:
        low, high = ask.points[0].value, ask.points[-1].value
        return _question(request, token, ask, error=f"Choose one answer from {low} to {high}.")
    try:
        answer_invitation(session=session, invitation_id=ask.id, score=values[score.strip()])
    except AlreadyAnswered:
        return _thanks(request, token, _open(request, session, ask.id), status_code=409)
    except InvitationExpired:
        return _refused(request, 410, ask)
    return _thanks(request, token, _open(request, session, ask.id))


@router.post("/s/{token}/comment", response_class=HTMLResponse)
def comment(
    request: Request,
    session: SessionDep,
    token: str,
    comment: CommentText = "",
    c: CommentToken = "",
) -> Response:
    """Add the comment to the answer this link gave; the form's own token names the answer."""
    settings = settings_of(request)
    try:
        ask = _open(request, session, _invitation_id(token, settings))
        payload = links.unsign(
            c,
            secret=settings.secret_key,
            purpose=links.COMMENT,
            max_age_seconds=int(COMMENT_MAX_AGE.total_seconds()),
        )
    except links.ExpiredLink:
        return _refused(request, 410)
    except links.InvalidLink:
        return _refused(request, 400)
    except NotFound:
        return _refused(request, 404)
    response = ask.response
    if response is None or not isinstance(payload, dict) or payload.get("r") != response.id:
        return _refused(request, 400)
    try:
        add_comment(session=session, response_id=response.id, comment=comment)
    except AlreadyCommented:
        return _thanks(request, token, ask, status_code=409)
    except InvitationExpired:
        return _refused(request, 410, ask)
    except InvalidInput as error:
        message = str(error)
        return _thanks(request, token, ask, 400, message[:1].upper() + message[1:] + ".", comment)
    return _page(request, "surveys/answer_commented.html", {"ask": _open(request, session, ask.id)})
