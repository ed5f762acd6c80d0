"""The Segment-compatible tracking API: /v1/track, /v1/identify, /v1/group, /v1/page, /v1/batch.

Also /v1/screen and /v1/alias. Thin: the body is read here (never more than the limit kept in
memory) and everything else is `usage.ingest`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from headway.usage.ingest import BATCH, ENDPOINT_TYPES, MAX_WIRE_BYTES, ingest_request
from headway.usage.ingest_schemas import (
    INGEST_RESPONSES,
    MESSAGE_MODELS,
    Accepted,
    request_body_of,
)
from headway.web.auth import SessionDep

router = APIRouter(tags=["ingestion"])


async def read_body(request: Request) -> bytes:
    """The body as sent, kept up to one byte past the largest allowed; the rest is drained.

    Draining (not keeping) the rest lets the sender read the refusal instead of a reset socket.
    """
    kept = bytearray()
    async for chunk in request.stream():
        if len(kept) <= MAX_WIRE_BYTES:
            kept += chunk[: MAX_WIRE_BYTES + 1 - len(kept)]
    return bytes(kept)


RawBody = Annotated[bytes, Depends(read_body)]

SUMMARIES = {
    "track": "Record what a user did",
    "identify": "Say who a user is (traits; an email makes a contact)",
    "group": "Put a user in an account and give the account traits",
    "page": "Record a page view",
    "screen": "Record a screen view",
    "alias": "Say that two user ids are one user",
    BATCH: "Send up to 2,500 messages of any type at once",
}


def _endpoint(endpoint: str) -> Callable[[Request, SessionDep, RawBody], JSONResponse]:
    def post_messages(request: Request, session: SessionDep, body: RawBody) -> JSONResponse:
        result = ingest_request(
            session=session,
            endpoint=endpoint,
            body=body,
            content_encoding=request.headers.get("content-encoding"),
            authorization=request.headers.get("authorization"),
        )
        return JSONResponse(result.body, status_code=result.status, headers=result.headers)

    post_messages.__doc__ = (
        f"{SUMMARIES[endpoint]}. Write key: HTTP Basic user (empty password), Bearer, or "
        "`writeKey` in the body; gzip bodies with `Content-Encoding: gzip`. A message "
        "re-sent with the same messageId is stored once (counted in `duplicates`)."
    )
    return post_messages


for _name in (*ENDPOINT_TYPES, BATCH):
    router.add_api_route(
        f"/v1/{_name}",
        _endpoint(_name),
        methods=["POST"],
        name=f"ingest_{_name}",
        summary=SUMMARIES[_name],
        response_model=Accepted,
        responses=INGEST_RESPONSES,
        openapi_extra=request_body_of(MESSAGE_MODELS[_name]),
    )
