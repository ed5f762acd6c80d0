"""What the lifecycle tests share: usage rollup rows, milestones, health scores, the clock."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.health.models import HealthScore, Scorecard
from headway.outcomes.models import Milestone
from headway.outcomes.schemas import MilestoneCreate, MilestoneUpdate
from headway.outcomes.service import add_milestone, update_milestone
from headway.usage.models import UsageDailyEvent
from tests.helpers import SETUP, make_plan

REPORT = "Report Created"


def used(session: Session, account: Account, event: str, *days: date) -> None:
    """The daily rollup saw the event for the account on these days."""
    for day in days:
        session.add(
            UsageDailyEvent(
                account_key=account.external_id, day=day, event=event, events=1, users=1
            )
        )
    session.commit()


def first_value_milestone(
    session: Session, account: Account, done_on: date | None, name: str = "First report shared"
) -> Milestone:
    """A success plan whose first-value milestone is done on a day (or not yet)."""
    plan = make_plan(session, account)
    from_template = session.scalar(
        select(Milestone).where(Milestone.account_id == account.id, Milestone.first_value)
    )
    if from_template is not None:
        return update_milestone(
            session=session,
            actor=SETUP,
            permissions=None,
            milestone_id=from_template.id,
            changes=MilestoneUpdate(name=name, done_on=done_on),
        )
    return add_milestone(
        session=session,
        actor=SETUP,
        permissions=None,
        plan_id=plan.id,
        data=MilestoneCreate(name=name, done_on=done_on, first_value=True),
    )


def scored(session: Session, account: Account, band: str, last: date, days: int) -> None:
    """Daily health scores in one band for the `days` days up to `last`."""
    scorecard = session.query(Scorecard).filter_by(is_default=True).one()
    value = {"green": 90.0, "yellow": 60.0, "red": 20.0}[band]
    for offset in range(days):
        session.add(
            HealthScore(
                account_id=account.id,
                day=last - timedelta(days=offset),
                scorecard_id=scorecard.id,
                version=1,
                score=value,
                band=band,
                details=[],
            )
        )
    session.commit()
