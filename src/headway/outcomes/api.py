"""JSON API of outcomes."""

from __future__ import annotations

from fastapi import APIRouter

from headway.web.errors import API_ERROR_RESPONSES

router = APIRouter(tags=["outcomes"], responses=API_ERROR_RESPONSES)
