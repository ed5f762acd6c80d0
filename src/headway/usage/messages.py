"""Segment-shaped messages: checked, read and given an id; pure functions, no database.

The shapes are the Segment HTTP Tracking API's (track, identify, group, page, screen,
alias; batch), which RudderStack and others send too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MESSAGE_TYPES = frozenset({"track", "identify", "group", "page", "screen", "alias"})
# What counts as product activity in rollups; identify, group and alias describe, not act.
ACTIVITY_TYPES = frozenset({"track", "page", "screen"})

MAX_MESSAGE_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
MAX_BATCH_MESSAGES = 2500
MAX_MESSAGE_ID_LENGTH = 200
MAX_KEY_LENGTH = 128
MAX_USER_LENGTH = 255
MAX_EVENT_LENGTH = 200

# Fields a sender sets at send time: a retry of the same message may carry other values.
SEND_TIME_FIELDS = ("sentAt", "receivedAt", "writeKey", "_metadata")


class MessageRefused(ValueError):
    """A message Headway cannot store, and why."""


@dataclass(frozen=True)
class Message:
    """One message, read: the columns of its stored row and what identify/group tell."""

    message_id: str
    type: str
    event: str | None
    user_id: str | None
    anonymous_id: str | None
    account_key: str | None
    session_id: str | None
    timestamp: datetime
    payload: dict[str, Any]
    traits: dict[str, Any] = field(default_factory=dict)

    @property
    def user_key(self) -> str | None:
        """Who acted: the userId, else the anonymousId."""
        return self.user_id or self.anonymous_id

    @property
    def email(self) -> str | None:
        email = self.traits.get("email")
        return email.strip() if isinstance(email, str) and "@" in email else None


def merge_batch_fields(message: dict[str, Any], batch: dict[str, Any]) -> dict[str, Any]:
    """A batch's `context` and `integrations` apply to each message; the message's own win."""
    merged = dict(message)
    for name in ("context", "integrations"):
        shared = batch.get(name)
        if isinstance(shared, dict):
            own = message.get(name)
            merged[name] = {**shared, **(own if isinstance(own, dict) else {})}
    return merged


def derived_message_id(message: dict[str, Any]) -> str:
    """An id from the content alone, so re-sending a message without messageId stores it once."""
    content = {k: v for k, v in message.items() if k not in SEND_TIME_FIELDS and k != "messageId"}
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()
    return f"derived-{digest}"


def read_message(raw: Any, *, received_at: datetime, message_type: str | None = None) -> Message:
    """Check one message and read it; `message_type` is the endpoint's (/v1/track → track)."""
    if not isinstance(raw, dict):
        raise MessageRefused("a message must be a JSON object")
    # The write key is a secret: it authenticates the request and is never stored.
    raw = {name: value for name, value in raw.items() if name != "writeKey"}
    size = _size_of(raw)
    if size > MAX_MESSAGE_BYTES:
        raise MessageRefused(f"the message is {size:,} bytes; at most {MAX_MESSAGE_BYTES:,}")
    kind = raw.get("type", message_type)
    if message_type is not None and kind != message_type:
        raise MessageRefused(f"type {kind!r} sent to the /v1/{message_type} endpoint")
    if not isinstance(kind, str) or kind not in MESSAGE_TYPES:
        expected = ", ".join(sorted(MESSAGE_TYPES))
        raise MessageRefused(f"type must be one of {expected}; got {kind!r}")

    context = _object(raw, "context")
    # context.traits are the user's; a group message's own traits are the account's.
    user_traits = {**_object(context, "traits"), **_object(raw, "traits")}
    traits = _object(raw, "traits") if kind == "group" else user_traits
    properties = _object(raw, "properties")
    user_id = _identifier(raw, "userId", MAX_USER_LENGTH)
    anonymous_id = _identifier(raw, "anonymousId", MAX_USER_LENGTH)
    if kind != "group" and user_id is None and anonymous_id is None:
        raise MessageRefused("userId or anonymousId is required")

    group_id = _identifier(raw, "groupId", MAX_KEY_LENGTH)
    if kind == "group" and group_id is None:
        raise MessageRefused("a group message needs a groupId")
    company = user_traits.get("company")
    account_key = (
        group_id
        or _identifier(context, "groupId", MAX_KEY_LENGTH)
        or (_identifier(company, "id", MAX_KEY_LENGTH) if isinstance(company, dict) else None)
    )

    event = _event_name(raw, kind)
    message_id = _identifier(raw, "messageId", MAX_MESSAGE_ID_LENGTH) or derived_message_id(raw)
    timestamp = (
        _time(raw, "timestamp") or _time(raw, "originalTimestamp") or received_at.astimezone(UTC)
    )
    session_id = _identifier(context, "sessionId", MAX_USER_LENGTH) or _identifier(
        properties, "session_id", MAX_USER_LENGTH
    )
    return Message(
        message_id=message_id,
        type=kind,
        event=event,
        user_id=user_id,
        anonymous_id=anonymous_id,
        account_key=account_key,
        session_id=session_id,
        timestamp=timestamp,
        payload=raw,
        traits=traits if kind in ("identify", "group") else {},
    )


def _size_of(raw: dict[str, Any]) -> int:
    """The message's size as compact UTF-8 JSON; refuse text no database can store."""
    try:
        text = json.dumps(
            raw, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=str
        )
        size = len(text.encode())
    except UnicodeEncodeError:
        raise MessageRefused("a text value is not valid Unicode (a lone surrogate)") from None
    except ValueError:
        raise MessageRefused("a number is NaN or infinite; JSON has no such number") from None
    except RecursionError:
        raise MessageRefused("the message is nested too deeply") from None
    # json.dumps writes NUL as \u0000; look closer only then (the text "\\u0000" is fine).
    if "\\u0000" in text and _holds_nul(raw):
        raise MessageRefused("a text value contains a NUL character (\\u0000)")
    return size


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _object(container: dict[str, Any], name: str) -> dict[str, Any]:
    value = container.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MessageRefused(f"{name} must be a JSON object")
    return value


def _identifier(container: Any, name: str, limit: int) -> str | None:
    """An id as text: strings as given, whole numbers written out (senders use both)."""
    if not isinstance(container, dict):
        return None
    value = container.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MessageRefused(f"{name} must be a string or a whole number")
    text = str(value)
    if len(text) > limit:
        raise MessageRefused(f"{name} is {len(text)} characters long; at most {limit}")
    return text


def _event_name(raw: dict[str, Any], kind: str) -> str | None:
    name = raw.get("event") if kind == "track" else raw.get("name")
    if kind == "track" and (not isinstance(name, str) or not name.strip()):
        raise MessageRefused("a track message needs an event name")
    if name is None or kind not in ACTIVITY_TYPES:
        return None
    if not isinstance(name, str):
        raise MessageRefused("the event name must be a string")
    if len(name) > MAX_EVENT_LENGTH:
        raise MessageRefused(
            f"the event name is {len(name)} characters; at most {MAX_EVENT_LENGTH}"
        )
    return name


def _time(raw: dict[str, Any], name: str) -> datetime | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MessageRefused(f"{name} must be an ISO 8601 date-time string")
    try:
        parsed = datetime.fromisoformat(value.strip())
        # Segment reads a time without an offset as UTC; so does Headway.
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except ValueError:
        raise MessageRefused(f"{name} {value!r} is not an ISO 8601 date-time") from None
    except OverflowError:  # year 1 with a positive offset is before the first UTC date
        raise MessageRefused(f"{name} {value!r} is out of the date-time range") from None
