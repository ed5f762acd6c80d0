"""Pages of the lifecycle: time to first value by segment and cohort, stage rules."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
