"""The demo company's usage in the database: rollups, raw events, identities, health history."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from headway.contacts.models import Contact
from headway.core.audit import Actor
from headway.demo.company import generate_company
from headway.demo.service import DemoReport, generate_demo
from headway.demo.usage import draw_usage
from headway.demo.usage_rollups import daily_event_rollup, daily_rollup
from headway.health.backtest import backtest, default_as_of_dates
from headway.health.models import HealthScore
from headway.usage.messages import ACTIVITY_TYPES, read_message
from headway.usage.models import (
    RollupWatermark,
    UsageActiveUser,
    UsageDaily,
    UsageDailyEvent,
    UsageEvent,
    UsageGroup,
    UsageIdentity,
)
from headway.usage.rollup import rollup_usage

AS_OF = date(2026, 6, 30)
DEMO = Actor.system("demo")
ACCOUNTS = 40


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def generate(
    session: Session,
    seed: int = 3,
    accounts: int = ACCOUNTS,
    *,
    replace: bool = False,
    health_history: bool = False,
) -> DemoReport:
    return generate_demo(
        session=session,
        actor=DEMO,
        seed=seed,
        accounts=accounts,
        as_of=AS_OF,
        replace=replace,
        health_history=health_history,
    )


def rollup_rows(session: Session) -> dict[str, set[tuple[Any, ...]]]:
    """Every rollup row, without its id."""
    return {
        model.__tablename__: {
            tuple(row)
            for row in session.execute(
                select(*(c for c in model.__table__.columns if c.name != "id"))
            )
        }
        for model in (UsageDaily, UsageDailyEvent, UsageActiveUser)
    }


def test_the_whole_history_is_rolled_up_and_its_last_30_days_kept_as_raw_events(
    session: Session,
) -> None:
    report = generate(session)
    usage = draw_usage(generate_company(seed=3, as_of=AS_OF, accounts=ACCOUNTS))
    assert count(session, UsageDaily) == len(daily_rollup(usage.active).account)
    assert count(session, UsageDailyEvent) == len(daily_event_rollup(usage.active).account)
    assert count(session, UsageActiveUser) == len(usage.active)
    first, last = session.execute(select(func.min(UsageDaily.day), func.max(UsageDaily.day))).one()
    assert first < date(2023, 10, 1) and last == AS_OF - timedelta(days=1)

    assert report.usage_events == count(session, UsageEvent) > 0
    first_raw, last_raw = session.execute(
        select(func.min(UsageEvent.timestamp), func.max(UsageEvent.timestamp))
    ).one()
    assert first_raw.date() == AS_OF - timedelta(days=30)
    assert last_raw.date() == AS_OF - timedelta(days=1)
    types: dict[str, int] = dict(
        session.execute(select(UsageEvent.type, func.count()).group_by(UsageEvent.type)).all()
    )
    assert set(types) == {"track", "identify", "group"} and types["track"] > types["identify"]
    # Each message reads back as the one stored: Segment's shape, with the same columns.
    for event in session.scalars(select(UsageEvent).limit(200)):
        message = read_message(event.payload, received_at=event.received_at)
        assert (message.message_id, message.type, message.event) == (
            event.message_id,
            event.type,
            event.event,
        )
        assert (message.user_key, message.account_key, message.session_id) == (
            event.user_key,
            event.account_key,
            event.session_id,
        )
        assert message.timestamp == event.timestamp <= event.received_at
    watermark = session.scalars(select(RollupWatermark)).one()
    assert watermark.source == "app"
    assert watermark.last_id == session.scalar(select(func.max(UsageEvent.id)))


def test_rolling_the_raw_events_up_again_changes_no_rollup_row(session: Session) -> None:
    generate(session)
    before = rollup_rows(session)
    session.execute(delete(RollupWatermark))
    session.commit()
    run = rollup_usage(session=session, source="app")
    activity = session.scalar(
        select(func.count()).where(UsageEvent.type.in_(sorted(ACTIVITY_TYPES)))
    )
    assert run.events_read == count(session, UsageEvent) and activity
    session.expire_all()
    assert rollup_rows(session) == before


def test_users_are_identified_at_their_accounts_domain_and_are_its_contacts(
    session: Session,
) -> None:
    report = generate(session)
    assert count(session, UsageIdentity) == report.product_users > ACCOUNTS
    for identity in session.scalars(select(UsageIdentity).limit(300)):
        assert identity.email and identity.email == identity.traits["email"]
        assert identity.account_key and identity.account_key.startswith("DEMO-")
        assert identity.first_seen_at <= identity.last_seen_at
    known = session.scalar(
        select(func.count())
        .select_from(UsageIdentity)
        .join(Contact, Contact.email == UsageIdentity.email)
    )
    # Identified users become contacts, as the daily job makes them; some were contacts already.
    assert known == report.product_users
    assert report.contacts < count(session, Contact) < report.contacts + report.product_users
    groups = session.scalars(select(UsageGroup)).all()
    assert 0 < len(groups) <= ACCOUNTS
    assert all(g.traits["name"] and g.traits["website"] for g in groups)


def test_health_is_scored_weekly_over_the_last_90_days(session: Session) -> None:
    report = generate(session, health_history=True)
    days = list(session.scalars(select(HealthScore.day).distinct().order_by(HealthScore.day)))
    assert days == [AS_OF - timedelta(days=7 * k) for k in range(12, -1, -1)]
    assert report.health_scores == count(session, HealthScore) > 0


def test_replace_swaps_the_earlier_usage_and_health(session: Session) -> None:
    generate(session, seed=3, health_history=True)
    report = generate(session, seed=4, replace=True, health_history=True)
    usage = draw_usage(generate_company(seed=4, as_of=AS_OF, accounts=ACCOUNTS))
    assert count(session, UsageActiveUser) == len(usage.active)
    assert count(session, UsageIdentity) == report.product_users
    prefixes = {m.split("-")[1] for m in session.scalars(select(UsageEvent.message_id))}
    assert prefixes == {"4"}
    assert count(session, HealthScore) == report.health_scores


def test_the_default_scorecard_ranks_the_demos_churners_below_the_rest(session: Session) -> None:
    # Seeds 1, 2, 3, 7 and 11 at 150 accounts gave AUCs of 0.80 to 0.90.
    generate(session, seed=3, accounts=150)
    result = backtest(session=session, as_of_dates=default_as_of_dates(AS_OF, 90))
    version = result["versions"][0]
    assert version["churned"] >= 20
    assert version["auc"] > 0.6
