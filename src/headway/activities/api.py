"""JSON API of activities."""

from __future__ import annotations

from fastapi import APIRouter

from headway.web.errors import API_ERROR_RESPONSES

router = APIRouter(tags=["activities"], responses=API_ERROR_RESPONSES)
