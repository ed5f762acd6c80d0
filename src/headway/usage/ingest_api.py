"""The Segment-compatible tracking API: /v1/track, /v1/identify, /v1/group, /v1/page, /v1/batch."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["ingestion"])
