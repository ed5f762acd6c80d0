"""The shapes of the tracking API, for its OpenAPI document: Segment's message fields.

The endpoints read their bodies themselves (gzip, limits, one refused message in a batch
does not refuse the others), so these models document; `usage.messages` checks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from headway.usage.messages import MAX_EVENT_LENGTH, MAX_MESSAGE_ID_LENGTH

UserId = str | int


class _Message(BaseModel):
    """Fields every message may carry."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    message_id: str | None = Field(
        None,
        alias="messageId",
        max_length=MAX_MESSAGE_ID_LENGTH,
        description="Unique per message: a re-sent message with the same id is stored once. "
        "Without one, an id is derived from the content.",
    )
    user_id: UserId | None = Field(None, alias="userId", description="userId or anonymousId")
    anonymous_id: UserId | None = Field(None, alias="anonymousId")
    timestamp: datetime | None = Field(None, description="When it happened (ISO 8601)")
    context: dict[str, Any] | None = Field(
        None,
        description="context.groupId names the account; context.traits are the user's traits "
        "(traits.company.id names the account too)",
    )
    integrations: dict[str, Any] | None = None
    write_key: str | None = Field(
        None, alias="writeKey", description="The write key, when not sent in Authorization"
    )


class TrackMessage(_Message):
    """A user did something."""

    type: Literal["track"] | None = None
    event: str = Field(min_length=1, max_length=MAX_EVENT_LENGTH)
    properties: dict[str, Any] | None = None


class IdentifyMessage(_Message):
    """Who a user is: traits (email, name, title, company) become a contact's."""

    type: Literal["identify"] | None = None
    traits: dict[str, Any] | None = None


class GroupMessage(_Message):
    """A user belongs to an account (groupId = the account's external id); its traits."""

    type: Literal["group"] | None = None
    group_id: UserId = Field(alias="groupId", description="The account's external id")
    traits: dict[str, Any] | None = None


class PageMessage(_Message):
    """A user viewed a page of a web product."""

    type: Literal["page"] | None = None
    name: str | None = Field(None, max_length=MAX_EVENT_LENGTH)
    properties: dict[str, Any] | None = None


class ScreenMessage(_Message):
    """A user viewed a screen of a mobile product."""

    type: Literal["screen"] | None = None
    name: str | None = Field(None, max_length=MAX_EVENT_LENGTH)
    properties: dict[str, Any] | None = None


class AliasMessage(_Message):
    """Two ids are one user (stored, not merged)."""

    type: Literal["alias"] | None = None
    previous_id: UserId | None = Field(None, alias="previousId")


class BatchMessage(_Message):
    """One message of a batch: its type says which."""

    type: Literal["track", "identify", "group", "page", "screen", "alias"]
    event: str | None = Field(None, max_length=MAX_EVENT_LENGTH)
    name: str | None = Field(None, max_length=MAX_EVENT_LENGTH)
    group_id: UserId | None = Field(None, alias="groupId")
    traits: dict[str, Any] | None = None
    properties: dict[str, Any] | None = None


class Batch(BaseModel):
    """Up to 2,500 messages and 500 KB; `context` and `integrations` apply to each message."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    batch: list[BatchMessage]
    context: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    write_key: str | None = Field(None, alias="writeKey")
    sent_at: datetime | None = Field(None, alias="sentAt")


MESSAGE_MODELS: dict[str, type[BaseModel]] = {
    "track": TrackMessage,
    "identify": IdentifyMessage,
    "group": GroupMessage,
    "page": PageMessage,
    "screen": ScreenMessage,
    "alias": AliasMessage,
    "batch": Batch,
}


class Accepted(BaseModel):
    """Every message stored (or stored before: a duplicate)."""

    success: Literal[True]
    stored: int = Field(description="Messages stored now")
    duplicates: int = Field(description="Messages stored before (same messageId): skipped")


class RefusedMessageRead(BaseModel):
    """A message that was not stored: its place in the request, its messageId, why."""

    model_config = ConfigDict(populate_by_name=True)

    index: int
    message_id: str | None = Field(alias="messageId")
    reason: str


class Refused(BaseModel):
    """The request, or some of its messages, refused; `code` and `message` say why."""

    success: Literal[False]
    code: str
    message: str
    stored: int | None = Field(
        None, description="In a batch: the valid messages, stored even though others were refused"
    )
    duplicates: int | None = None
    refused: list[RefusedMessageRead] | None = Field(
        None, description="In a batch: each refused message"
    )
    errors: list[RefusedMessageRead] | None = Field(
        None, description="A single message (not a batch): why it was refused"
    )


INGEST_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "model": Refused,
        "description": "The body cannot be read (JSON, gzip, over 500 KB or 2,500 messages), or "
        "messages were refused (over 32 KB, a field missing or wrong); the valid messages of "
        "a batch are stored all the same",
    },
    401: {"model": Refused, "description": "No write key, or an unknown or revoked one"},
    403: {"model": Refused, "description": "The key lacks the 'ingest' scope"},
    413: {"model": Refused, "description": "The body as sent is over 1 MB: it is not read"},
}


def request_body_of(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI requestBody of an endpoint that reads its body itself."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inlined(model)}},
        }
    }


def _inlined(model: type[BaseModel]) -> dict[str, Any]:
    # Pydantic refers to nested models through "$defs" inside the schema; in an OpenAPI
    # document such a reference would point at the document's root, so write them in place.
    schema = model.model_json_schema(by_alias=True)
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/$defs/"):
                return inline(definitions[reference.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined
