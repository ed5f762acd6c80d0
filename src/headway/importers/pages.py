"""The imports page: upload a file, see what it did or every reason it did nothing."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from headway.importers.columns import ImportKind
from headway.importers.service import ImportResult, import_file, list_import_runs
from headway.web.auth import PageUser, SessionDep, verify_csrf
from headway.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

# A page lists this many errors; the CLI prints them all.
SHOWN_ERRORS = 500
RECENT_RUNS = 20


def _page(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    result: ImportResult | None = None,
    kind: str = ImportKind.ACCOUNTS.value,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "kinds": [k.value for k in ImportKind],
        "kind": kind,
        "can_import": principal.permissions.can_import,
        "runs": list_import_runs(session=session, limit=RECENT_RUNS),
        "result": result,
        "errors": result.errors[:SHOWN_ERRORS] if result else [],
        "hidden_errors": max(0, len(result.errors) - SHOWN_ERRORS) if result else 0,
    }
    return render(request, "importers/imports.html", context, status_code=status_code)


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, session: SessionDep, principal: PageUser) -> Response:
    return _page(request, session, principal)


@router.post("/imports", response_class=HTMLResponse)
def upload_import(
    request: Request,
    session: SessionDep,
    principal: PageUser,
    kind: Annotated[ImportKind, Form()],
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Form()] = False,
) -> Response:
    # Only the file's own name is shown: a browser may send a whole path.
    name = PurePath((file.filename or "upload").replace("\\", "/")).name or "upload"
    with tempfile.TemporaryDirectory(prefix="headway-import-") as directory:
        path = Path(directory) / "upload"
        with path.open("wb") as target:
            shutil.copyfileobj(file.file, target)
        result = import_file(
            session=session,
            actor=principal.actor,
            permissions=principal.permissions,
            kind=kind,
            path=path,
            display_name=name,
            dry_run=dry_run,
        )
    return _page(request, session, principal, result, kind.value, 200 if result.ok else 422)
