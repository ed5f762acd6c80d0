"""Errors as JSON for the API and as pages for people."""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from headway.core.errors import Conflict, HeadwayError, InvalidInput, NotFound, PermissionDenied
from headway.web.auth import LoginRequired
from headway.web.templating import render


class ErrorRead(BaseModel):
    """What the API answers when it refuses a request."""

    detail: str


# Declared on every API router, so the OpenAPI document tells clients what each refusal looks like.
API_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorRead, "description": "The body cannot be read (not UTF-8 JSON)"},
    401: {"model": ErrorRead, "description": "No API key, or an unknown or revoked one"},
    403: {"model": ErrorRead, "description": "The key lacks the scope, or the person the role"},
    404: {"model": ErrorRead, "description": "Not found"},
    409: {"model": ErrorRead, "description": "Conflicts with existing data (a duplicate id)"},
}

STATUS_OF: dict[type[HeadwayError], int] = {
    NotFound: 404,
    PermissionDenied: 403,
    Conflict: 409,
    InvalidInput: 422,
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/v1/")


def _respond(
    request: Request, status_code: int, detail: object, headers: dict[str, str] | None = None
) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status_code, headers=headers)
    title = HTTPStatus(status_code).phrase
    return render(
        request,
        "web/error.html",
        {"status_code": status_code, "title": title, "detail": detail},
        status_code=status_code,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map service errors and HTTP errors to JSON (API) or an error page (pages)."""

    @app.exception_handler(HeadwayError)
    async def _service_error(request: Request, error: HeadwayError) -> Response:
        status_code = STATUS_OF.get(type(error), 400)
        if status_code == 422 and _wants_json(request):
            # The same shape as FastAPI's own validation errors, so clients parse one kind.
            detail = [{"type": "invalid_input", "loc": [], "msg": str(error)}]
            return JSONResponse({"detail": detail}, status_code=422)
        return _respond(request, status_code, str(error))

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, error: DataError) -> Response:
        # PostgreSQL refuses some text SQLite takes (a NUL character): say so, not a 500.
        message = "a value the database cannot store (a NUL character, or a number out of range)"
        if _wants_json(request):
            detail = [{"type": "invalid_input", "loc": [], "msg": message}]
            return JSONResponse({"detail": detail}, status_code=422)
        return _respond(request, 422, message)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, error: IntegrityError) -> Response:
        # Services check uniqueness first; this catches the race two writers can still run.
        return _respond(request, 409, "conflicts with existing data (a duplicate or a reference)")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, error: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={quote(error.next_url)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return _respond(request, error.status_code, error.detail, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if _wants_json(request):
            detail = _json_safe(jsonable_encoder(error.errors()))
            return JSONResponse({"detail": detail}, status_code=422)
        messages = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        return _respond(request, 422, messages)


def _json_safe(value: Any) -> Any:
    # A body may send NaN or Infinity (Python's JSON reader takes them); JSON cannot echo them.
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


def _allowed_methods(request: Request) -> list[str]:
    # Starlette names only the first route of a path in Allow; HTTP wants every method it has.
    methods: set[str] = set()
    path = request.url.path
    for prefix, router in getattr(request.app.state, "mounted_routers", []):
        if not path.startswith(prefix):
            continue
        for route in router.routes:
            if (
                isinstance(route, Route)
                and route.methods
                and route.path_regex.fullmatch(path[len(prefix) :])
            ):
                methods |= set(route.methods)
    return sorted(methods)
