"""Time to first value by segment and cohort, the accounts still waiting and the stage rules,
as of 2 March 2026 (docs/lifecycle.png)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from tests.helpers import make_account, subscribe
from tests.lifecycle.support import REPORT, first_value_milestone, used
from tests.screenshots.camera import Area, Shot, Values, around, create_people

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# The fastest and slowest days to first value of each segment.
SEGMENTS = {"high-touch": (20, 40), "mid-touch": (8, 30), "tech-touch": (2, 20)}


def seed(session: Session) -> Values:
    """The lifecycle browser test's 45 accounts started over six months; some still wait."""
    people = create_people(session, "carol", "bob", "erin")
    rng = random.Random(7)
    for index in range(45):
        segment = list(SEGMENTS)[index % 3]
        fastest, slowest = SEGMENTS[segment]
        start = date(2025, 9, 1) + timedelta(days=rng.randrange(0, 175))
        value = start + timedelta(days=rng.randrange(fastest, slowest) + index // 9)
        account = make_account(
            session,
            f"a{index:02d}",
            f"Account {index:02d}",
            segment=segment,
            owner=people["bob"] if index % 2 else people["erin"],
        )
        subscribe(session, account, f"s{index:02d}", "100", start)
        reached = value <= NOW.date() and index % 7 != 0
        if segment == "high-touch":
            first_value_milestone(session, account, value if reached else None)
        elif reached:
            used(session, account, REPORT, value)
    return {}


AREA = Area(
    key="lifecycle",
    summary="time to first value, accounts waiting, stage rules (docs/lifecycle.png)",
    seed=seed,
    user="carol",
    frozen_at=NOW,
    shots=(
        Shot("page", "/lifecycle", doc="lifecycle.png"),
        Shot("rules", "/lifecycle", viewports=("laptop",), region=around(".lifecycle-rules")),
    ),
)
