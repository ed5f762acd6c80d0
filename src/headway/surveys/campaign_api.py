"""(being written)"""

from __future__ import annotations

from fastapi import APIRouter

from headway.web.errors import API_ERROR_RESPONSES

router = APIRouter(tags=["surveys"], responses=API_ERROR_RESPONSES)
