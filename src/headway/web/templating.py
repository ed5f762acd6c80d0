"""Jinja2 templates of every domain, with the helpers each page needs."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from headway.core import clock
from headway.core.money import format_money
from headway.users.service import permissions_of

PACKAGE_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _template_dirs() -> list[str]:
    # Each domain keeps its templates in <domain>/templates/<domain>/…; web holds the layout.
    return [str(p) for p in sorted(PACKAGE_DIR.glob("*/templates"))]


def money(minor: float | int | None, currency: str = "USD", decimals: int = 0) -> str:
    """Format minor units for a page; None shows as an em dash."""
    if minor is None:
        return "—"
    return format_money(minor, currency, decimals=decimals)


def ago(value: datetime | date | None) -> str:
    """Say how long ago a moment was, in days."""
    if value is None:
        return "—"
    today = clock.today()
    day = value.date() if isinstance(value, datetime) else value
    days = (today - day).days
    if days <= 0:
        return "today"
    if days == 1:
        return "1 day ago"
    return f"{days} days ago"


def number(value: float | int | None, decimals: int = 0) -> str:
    """Format a number with thousands separators; None shows as an em dash."""
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


templates = Jinja2Templates(directory=_template_dirs())
templates.env.loader = ChoiceLoader([FileSystemLoader(_template_dirs())])
templates.env.globals.update(money=money, ago=ago, number=number)
templates.env.filters.update(money=money, ago=ago, number=number)


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Any:
    """Render a page with the current user and CSRF token available to the layout."""
    user = getattr(request.state, "user", None)
    context = {
        "user": user,
        "permissions": permissions_of(user) if user is not None else None,
        "csrf_token": request.session.get("csrf_token", "") if "session" in request.scope else "",
        **context,
    }
    return templates.TemplateResponse(request, name, context, status_code=status_code)
