"""Path and query parameters every API shares, bounded so no value can overflow the database."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from headway.core.fields import MAX_DB_INT, MAX_PAGE, IsoDate

PathId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_DB_INT)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PerPage = Annotated[int, Query(ge=1, le=500)]
QueryDate = Annotated[IsoDate | None, Query()]
