"""JSON API of customer health: scores, history, scorecards, backtests."""

from __future__ import annotations

from fastapi import APIRouter

from headway.web.errors import API_ERROR_RESPONSES

router = APIRouter(tags=["health"], responses=API_ERROR_RESPONSES)
