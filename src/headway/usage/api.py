"""JSON API of product usage: adoption measures and daily rollups per account."""

from __future__ import annotations

from fastapi import APIRouter

from headway.web.errors import API_ERROR_RESPONSES

router = APIRouter(tags=["usage"], responses=API_ERROR_RESPONSES)
