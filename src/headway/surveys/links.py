"""Signed links in survey emails: they need no login, so the signature is the permission.

A link carries a small payload signed with the secret key and a purpose (the salt): an
answer link names its invitation, a comment link its response, an unsubscribe link an
email address. Changing a character of the token breaks the signature; the time it was
signed is inside, so a link can be refused once older than it may be.
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

ANSWER = "survey-answer"
COMMENT = "survey-comment"
UNSUBSCRIBE = "survey-unsubscribe"


class InvalidLink(Exception):
    """The link was not signed by this Headway for this purpose (tampered or mistyped)."""


class ExpiredLink(InvalidLink):
    """The link was genuine but is older than it may be."""


def sign(payload: dict[str, Any], *, secret: str, purpose: str) -> str:
    """A URL-safe token holding `payload`, valid only for `purpose`."""
    return URLSafeTimedSerializer(secret, salt=purpose).dumps(payload)


def unsign(token: str, *, secret: str, purpose: str, max_age_seconds: int | None) -> Any:
    """The payload of a token signed for `purpose`; refused when tampered or too old."""
    serializer = URLSafeTimedSerializer(secret, salt=purpose)
    try:
        return serializer.loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise ExpiredLink("this link has expired") from None
    except BadSignature:
        raise InvalidLink("this link is not valid") from None
