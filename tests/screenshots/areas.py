"""Every area the screenshots cover, in the order they run."""

from __future__ import annotations

from tests.screenshots import (
    campaigns,
    health,
    lifecycle,
    portfolio,
    reports,
    revenue,
    support,
    surveys,
)
from tests.screenshots.camera import Area

AREAS: dict[str, Area] = {
    area.key: area
    for area in (
        portfolio.AREA,
        revenue.AREA,
        reports.AREA,
        health.AREA,
        lifecycle.AREA,
        support.AREA,
        surveys.AREA,
        campaigns.AREA,
    )
}
