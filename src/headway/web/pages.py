"""Log in, log out, health check."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from headway.core.db import check_database
from headway.users.service import authenticate
from headway.web.auth import (
    Reader,
    SessionDep,
    ensure_csrf_token,
    log_in,
    log_out,
    verify_csrf,
)
from headway.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)])


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never redirect a login to another host.
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or urlparse(target).netloc
    ):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, next: str = "/") -> Response:
    ensure_csrf_token(request)
    return render(request, "web/login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    user = authenticate(session=session, email=email, password=password)
    if user is None:
        return render(
            request,
            "web/login.html",
            {"next": _safe_next(next), "error": "Wrong email or password.", "email": email},
            status_code=401,
        )
    log_in(request, user)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    log_out(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/docs", include_in_schema=False)
def api_reference(reader: Reader) -> Response:
    """The interactive API reference, from vendored Swagger UI (works offline)."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Headway API",
        swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )


@router.get("/openapi.json", include_in_schema=False)
def openapi_document(request: Request, reader: Reader) -> Response:
    """The OpenAPI document of /api/v1."""
    return JSONResponse(request.app.openapi())


@router.get("/healthz", include_in_schema=False)
def healthz(session: SessionDep) -> Response:
    check_database(session)
    return JSONResponse({"status": "ok"})
