"""Errors as JSON for the API and as pages for people."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from headway.core.errors import Conflict, HeadwayError, InvalidInput, NotFound, PermissionDenied
from headway.web.auth import LoginRequired
from headway.web.templating import render

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
        return _respond(request, STATUS_OF.get(type(error), 400), str(error))

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, error: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={quote(error.next_url)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        return _respond(request, error.status_code, error.detail, dict(error.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": jsonable_encoder(error.errors())}, status_code=422)
        messages = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        return _respond(request, 422, messages)
