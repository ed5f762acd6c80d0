"""What the ingestion tests share: write keys, a live server, and reading what was stored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.usage.models import UsageEvent
from headway.users.models import Scope, User
from headway.users.service import create_api_key
from tests.conftest import TEST_SECRET_KEY
from tests.e2e.live import live_server
from tests.helpers import SETUP


def write_key_of(session: Session, user: User, *scopes: Scope) -> str:
    """A new API key of the user (the ingest scope unless others are named); its secret."""
    _, secret = create_api_key(
        session=session,
        actor=SETUP,
        user=user,
        name="product",
        scopes=list(scopes or [Scope.INGEST]),
    )
    return secret


@contextmanager
def live_headway(database_url: str) -> Iterator[str]:
    """Headway served by uvicorn on a loopback port, on the test database: its base URL."""
    with live_server(database_url, TEST_SECRET_KEY) as url:
        yield url


def stored_events(session: Session) -> list[UsageEvent]:
    """Every stored event, in message id order, read afresh."""
    session.expire_all()
    return list(session.scalars(select(UsageEvent).order_by(UsageEvent.message_id)))


def track(
    user: str, message_id: str, event: str = "Report Created", **fields: Any
) -> dict[str, Any]:
    return {"type": "track", "userId": user, "event": event, "messageId": message_id, **fields}
