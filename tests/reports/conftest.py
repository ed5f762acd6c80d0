"""The report tests read the company of tests/reports/company.py on 31 March 2026 (the browser
test is tests/e2e/test_reports_in_browser.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.reports.company import NOW, Company, build_company


@pytest.fixture
def frozen_today() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def company(session, bob, erin, frozen_today) -> Company:
    return build_company(session, bob=bob, erin=erin)
