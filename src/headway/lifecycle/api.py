"""JSON API of the lifecycle: time to first value, stage rules."""

from __future__ import annotations

from fastapi import APIRouter

from headway.web.errors import API_ERROR_RESPONSES

router = APIRouter(tags=["lifecycle"], responses=API_ERROR_RESPONSES)
