"""Requests to the tracking API: the write key, the body (gzip too), batches, limits, storing.

What /v1/track, /v1/identify, /v1/group, /v1/page, /v1/screen, /v1/alias and /v1/batch do,
without the web framework: the router hands over the body and two headers and sends back the
status and JSON this module decides. Segment's own libraries, RudderStack's and curl are the
senders it is written for.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DataError, SQLAlchemyError
from sqlalchemy.orm import Session

from headway.core import clock
from headway.usage.messages import (
    MAX_BATCH_BYTES,
    MAX_BATCH_MESSAGES,
    Message,
    MessageRefused,
    merge_batch_fields,
    read_message,
)
from headway.usage.service import attach_identified_contacts, store_messages
from headway.users.models import ApiKey, Scope
from headway.users.service import find_api_key

log = logging.getLogger(__name__)

ENDPOINT_TYPES = ("track", "identify", "group", "page", "screen", "alias")
BATCH = "batch"
# A body larger than this as sent is not even kept: no gzip of at most MAX_BATCH_BYTES is.
MAX_WIRE_BYTES = 2 * MAX_BATCH_BYTES
GZIP_MAGIC = b"\x1f\x8b"
WRITE_KEY_HELP = (
    "send a write key (an API key with the 'ingest' scope) as the HTTP Basic user with an "
    "empty password, as 'Authorization: Bearer <key>', or as writeKey in the body"
)


class IngestRefused(Exception):
    """A request refused as a whole: the HTTP status, a short code and what was wrong."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        """The JSON answer; Segment's and RudderStack's clients log its `code` and `message`."""
        return {"success": False, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class RefusedMessage:
    """A message of a request that was not stored: its place, its messageId and why."""

    index: int
    message_id: str | None
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "messageId": self.message_id, "reason": self.reason}


@dataclass(frozen=True)
class IngestResult:
    """The HTTP status and JSON body of an answered request."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def ingest_request(
    *,
    session: Session,
    endpoint: str,
    body: bytes,
    content_encoding: str | None = None,
    authorization: str | None = None,
    received_at: datetime | None = None,
) -> IngestResult:
    """Authenticate, read and store one request to /v1/<endpoint>; commit before answering.

    A refused request answers 400, 401, 403 or 413 with `{"success": false, "code",
    "message"}`. In a batch the valid messages are stored even when others are refused
    (then 400, naming each refused message); a message stored before counts as a duplicate.
    """
    received_at = received_at or clock.now()
    try:
        # A key in the header is checked before the body is read; one in the body, after.
        key = authenticate_write_key(session=session, secret=write_key_of(authorization))
        try:
            payload = parse_body(decode_body(body, content_encoding=content_encoding))
        except IngestRefused:
            if key is None:  # no key anywhere: say that, not what is wrong with the body
                raise IngestRefused(401, "missing_write_key", WRITE_KEY_HELP) from None
            raise
        if key is None:
            key = authenticate_write_key(session=session, secret=payload.get("writeKey"))
            if key is None:
                raise IngestRefused(401, "missing_write_key", WRITE_KEY_HELP)
        raws = batch_messages(payload) if endpoint == BATCH else [payload]
    except IngestRefused as refused:
        headers = {"WWW-Authenticate": 'Basic realm="headway"'} if refused.status == 401 else {}
        return IngestResult(refused.status, refused.body(), headers)

    messages, refusals = read_messages(
        raws, received_at=received_at, message_type=None if endpoint == BATCH else endpoint
    )
    try:
        stored = store_messages(session=session, messages=messages, received_at=received_at)
        session.commit()  # answered 2xx means stored: commit first
    except DataError:
        # What read_message lets through every database stores; should one still refuse a
        # value, say so as a refusal (4xx: not retried) rather than a server error.
        session.rollback()
        unstorable = IngestRefused(
            400, "unstorable_value", "a value the database cannot store; nothing was stored"
        )
        return IngestResult(unstorable.status, unstorable.body())
    _attach_contacts(session, messages, received_at)

    if not refusals:
        return IngestResult(
            200, {"success": True, "stored": stored.stored, "duplicates": stored.duplicates}
        )
    if endpoint != BATCH:
        reason = refusals[0].reason
        return IngestResult(
            400,
            {
                "success": False,
                "code": "message_refused",
                "message": reason,
                "errors": [r.as_json() for r in refusals],
            },
        )
    return IngestResult(
        400,
        {
            "success": False,
            "code": "messages_refused",
            # Senders' libraries log only code and message: name the first refusal in it.
            "message": (
                f"{len(refusals)} of {len(raws)} messages refused, the first (index "
                f"{refusals[0].index}) because {refusals[0].reason}; the other "
                f"{len(messages)} are stored, and re-sending them stores nothing twice"
            ),
            "stored": stored.stored,
            "duplicates": stored.duplicates,
            "refused": [r.as_json() for r in refusals],
        },
    )


def write_key_of(authorization: str | None) -> str | None:
    """The write key an Authorization header carries: Basic user (empty password) or Bearer."""
    if not authorization or not authorization.strip():
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and credentials:
        return credentials
    if scheme.lower() == "basic" and credentials:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        user, _, password = decoded.partition(":")
        if user or password:
            return user or password
    raise IngestRefused(
        401,
        "invalid_authorization",
        "the Authorization header is neither 'Basic <base64 of key:>' nor 'Bearer <key>'",
    )


def authenticate_write_key(*, session: Session, secret: object) -> ApiKey | None:
    """The live API key of a write key (None when none was sent); it needs the ingest scope."""
    if secret is None or secret == "":
        return None
    key = find_api_key(session=session, secret=secret) if isinstance(secret, str) else None
    if key is None:
        raise IngestRefused(401, "invalid_write_key", "the write key is unknown or revoked")
    if Scope.INGEST.value not in key.scopes:
        raise IngestRefused(
            403,
            "missing_scope",
            "this key lacks the 'ingest' scope: create a write key with "
            "`headway keys create --name NAME --scope ingest`",
        )
    return key


def decode_body(body: bytes, *, content_encoding: str | None = None) -> bytes:
    """The body as sent, decompressed when gzip (by header, or by its first bytes)."""
    if len(body) > MAX_WIRE_BYTES:
        raise IngestRefused(
            413,
            "body_too_large",
            f"the body is over {MAX_WIRE_BYTES:,} bytes as sent; a batch may hold at most "
            f"{MAX_BATCH_BYTES:,} bytes (500 KB): send smaller batches",
        )
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    unknown = [c for c in codings if c not in ("gzip", "x-gzip", "identity")]
    if unknown:
        raise IngestRefused(
            400,
            "unsupported_encoding",
            f"Content-Encoding {unknown[0]!r} is not supported; send gzip or no encoding",
        )
    if "gzip" in codings or "x-gzip" in codings or body.startswith(GZIP_MAGIC):
        data = _gunzip(body, limit=MAX_BATCH_BYTES)
    else:
        data = body
    if len(data) > MAX_BATCH_BYTES:
        raise IngestRefused(400, "body_too_large", _too_large(len(data)))
    return data


def _too_large(size: int) -> str:
    return (
        f"the body is {size:,} bytes or more (after decompression); at most "
        f"{MAX_BATCH_BYTES:,} bytes (500 KB): send smaller batches"
    )


def _gunzip(body: bytes, *, limit: int) -> bytes:
    """Decompress gzip, stopping one byte past `limit`: a small bomb never grows large."""
    out = bytearray()
    data = body
    try:
        while data:
            stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += stream.decompress(data, limit + 1 - len(out))
            if len(out) > limit:
                raise IngestRefused(400, "body_too_large", _too_large(len(out)))
            if not stream.eof:
                raise IngestRefused(400, "invalid_gzip", "the gzip body ends before its end")
            data = stream.unused_data  # the next member of a multi-member gzip, if any
    except zlib.error as error:
        raise IngestRefused(400, "invalid_gzip", f"the body is not valid gzip ({error})")
    return bytes(out)


def parse_body(data: bytes) -> dict[str, Any]:
    """The JSON object a body holds; NaN, Infinity and numbers out of range are refused."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise IngestRefused(400, "invalid_json", f"the body is not UTF-8 ({error.reason})")
    try:
        payload = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except ValueError as error:
        raise IngestRefused(400, "invalid_json", f"the body is not JSON: {error}")
    except RecursionError:
        raise IngestRefused(400, "invalid_json", "the body is nested too deeply")
    if not isinstance(payload, dict):
        raise IngestRefused(400, "invalid_json", "the body must be a JSON object")
    return payload


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of the range of a number")
    return number


def batch_messages(payload: dict[str, Any]) -> list[Any]:
    """The messages of a batch body, with the batch's context and integrations merged in."""
    batch = payload.get("batch")
    if not isinstance(batch, list):
        raise IngestRefused(400, "invalid_batch", 'a batch body needs "batch": a list of messages')
    if len(batch) > MAX_BATCH_MESSAGES:
        raise IngestRefused(
            400,
            "too_many_messages",
            f"the batch holds {len(batch):,} messages; at most {MAX_BATCH_MESSAGES:,}",
        )
    return [merge_batch_fields(m, payload) if isinstance(m, dict) else m for m in batch]


def read_messages(
    raws: Sequence[Any], *, received_at: datetime, message_type: str | None = None
) -> tuple[list[Message], list[RefusedMessage]]:
    """Read each message; those that cannot be stored are set apart with the reason."""
    messages: list[Message] = []
    refusals: list[RefusedMessage] = []
    for index, raw in enumerate(raws):
        try:
            messages.append(read_message(raw, received_at=received_at, message_type=message_type))
        except MessageRefused as refused:
            refusals.append(RefusedMessage(index, _message_id_of(raw), str(refused)))
    return messages, refusals


def _message_id_of(raw: Any) -> str | None:
    value = raw.get("messageId") if isinstance(raw, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value)[:200]


def _attach_contacts(session: Session, messages: list[Message], now: datetime) -> None:
    """Identified users become contacts; the daily job catches up on any missed here."""
    user_keys = {m.user_key for m in messages if m.user_key and m.type in ("identify", "group")}
    user_keys |= {m.user_key for m in messages if m.user_key and m.account_key}
    if not user_keys:
        return
    try:
        attach_identified_contacts(session=session, now=now, user_keys=user_keys)
        session.commit()
    except SQLAlchemyError:
        # The messages are stored already: a failure here must not make the sender retry.
        session.rollback()
        log.exception("adding identified users as contacts failed; the daily job will retry")
