"""create_app(): the web app with every domain's API and pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

import headway.tables  # noqa: F401  (every table known before the first write)
from headway import __version__
from headway.accounts import api as accounts_api
from headway.accounts import pages as accounts_pages
from headway.activities import api as activities_api
from headway.activities import pages as activities_pages
from headway.config import Settings, get_settings
from headway.contacts import api as contacts_api
from headway.core.db import ensure_schema
from headway.health import api as health_api
from headway.health import pages as health_pages
from headway.importers import pages as importers_pages
from headway.lifecycle import api as lifecycle_api
from headway.lifecycle import pages as lifecycle_pages
from headway.outcomes import api as outcomes_api
from headway.outcomes import pages as outcomes_pages
from headway.reports import api as reports_api
from headway.reports import pages as reports_pages
from headway.revenue import api as revenue_api
from headway.revenue import metrics_api
from headway.revenue import pages as revenue_pages
from headway.support import api as support_api
from headway.support import metrics_api as support_metrics_api
from headway.surveys import answer_pages as survey_answer_pages
from headway.surveys import api as surveys_api
from headway.surveys import campaign_api as survey_campaign_api
from headway.surveys import campaign_pages as survey_campaign_pages
from headway.surveys import metrics_api as survey_metrics_api
from headway.surveys import pages as surveys_pages
from headway.usage import api as usage_api
from headway.usage import ingest_api
from headway.usage import pages as usage_pages
from headway.web import pages as web_pages
from headway.web.errors import install_error_handlers
from headway.web.templating import STATIC_DIR

API_ROUTERS = [
    accounts_api.router,
    contacts_api.router,
    revenue_api.router,
    metrics_api.router,
    outcomes_api.router,
    activities_api.router,
    reports_api.router,
    usage_api.router,
    health_api.router,
    lifecycle_api.router,
    support_api.router,
    support_metrics_api.router,
    surveys_api.router,
    survey_campaign_api.router,
    survey_metrics_api.router,
]
PAGE_ROUTERS = [
    web_pages.router,
    accounts_pages.router,
    revenue_pages.router,
    importers_pages.router,
    outcomes_pages.router,
    activities_pages.router,
    reports_pages.router,
    usage_pages.router,
    health_pages.router,
    lifecycle_pages.router,
    surveys_pages.router,
    survey_campaign_pages.router,
    survey_answer_pages.router,
]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for a database; the schema is created or upgraded first."""
    settings = settings or get_settings()
    ensure_schema(settings.database_url)
    app = FastAPI(
        title="Headway",
        version=__version__,
        description="Customer success platform API. Send `Authorization: Bearer <key>`.",
        # Served by headway.web.pages behind a login, with Swagger UI from our own static files.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="headway_session",
        max_age=settings.session_max_age_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    mounted = (
        [("/api/v1", router) for router in API_ROUTERS]
        # Senders of Segment-shaped messages post to <host>/v1/...: the paths are theirs.
        + [("", ingest_api.router)]
        + [("", r) for r in PAGE_ROUTERS]
    )
    for prefix, router in mounted:
        app.include_router(router, prefix=prefix)
    # Kept for what needs every route: the Allow header of a 405, the test that walks them all.
    app.state.mounted_routers = mounted
    install_error_handlers(app)
    return app
