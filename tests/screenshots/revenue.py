"""The demo company's revenue dashboard (docs/revenue-dashboard.png)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from headway.core.audit import Actor
from headway.demo.service import generate_demo
from tests.screenshots.camera import Area, Shot, Values


def seed(session: Session) -> Values:
    """The demo company of the revenue browser test: seed 7, 120 accounts."""
    generate_demo(
        session=session,
        actor=Actor.system("demo"),
        seed=7,
        accounts=120,
        usage=False,
        health_history=False,
    )
    return {}


AREA = Area(
    key="revenue",
    summary="the demo company's revenue dashboard (docs/revenue-dashboard.png)",
    seed=seed,
    user="admin@demo.headway.test",
    password="headway-demo",
    shots=(Shot("dashboard", "/revenue", doc="revenue-dashboard.png"),),
)
