"""Pages of customer health: the portfolio, the scorecard editor with its backtest."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
