"""Browser tests: a live server on the test database and Chromium; a screenshot when one fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import TEST_SECRET_KEY
from tests.e2e.live import launch_chromium, live_server


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    # Keep each phase's report on the test, so the page fixture knows whether the test failed.
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def base_url(database_url: str) -> Iterator[str]:
    """The URL of Headway served on a free loopback port, against the test database."""
    with live_server(database_url, TEST_SECRET_KEY) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def script_errors() -> list[str]:
    """Uncaught JavaScript errors of the test's page."""
    return []


@pytest.fixture
def page(
    browser: Browser, base_url: str, script_errors: list[str], request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh browser tab at laptop size; saved as test-artifacts/<test>.png if the test fails."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        artifacts = Path(request.config.rootpath) / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / f"{request.node.name}.png"), full_page=True)
    context.close()
