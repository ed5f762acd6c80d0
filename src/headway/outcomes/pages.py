"""Pages of outcomes."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from headway.web.auth import verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
