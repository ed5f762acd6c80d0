"""Adoption measures from the daily rollups: hand-computed, as of today and as of the past."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from sqlalchemy.orm import Session

from headway.core.errors import InvalidInput, NotFound
from headway.usage.adoption import (
    Adoption,
    DailyUsage,
    EventCount,
    account_usage,
    adoption_of,
    daily_series,
    first_occurrence,
    top_events,
)
from headway.usage.models import UsageActiveUser, UsageDaily, UsageDailyEvent
from headway.usage.rollup import rollup_usage
from tests.helpers import bearer, make_account, subscribe
from tests.usage.rollup_support import RUN_AT, send, track

MAR = {n: date(2026, 3, n) for n in range(1, 32)}


def used_on(session: Session, key: str, day: date, users: dict[str, dict[str, int]]) -> None:
    """The rollup rows of a day on which each user did these events this often."""
    per_event: dict[str, tuple[int, int]] = {}
    for done in users.values():
        for event, count in done.items():
            events, people = per_event.get(event, (0, 0))
            per_event[event] = (events + count, people + 1)
    session.add_all(
        UsageActiveUser(account_key=key, day=day, user_key=user, events=sum(done.values()))
        for user, done in users.items()
    )
    session.add_all(
        UsageDailyEvent(account_key=key, day=day, event=event, events=events, users=people)
        for event, (events, people) in per_event.items()
    )
    session.add(
        UsageDaily(
            account_key=key,
            day=day,
            events=sum(events for events, _ in per_event.values()),
            active_users=len(users),
            sessions=0,
            last_seen_at=datetime.combine(day, time(12), tzinfo=UTC),
        )
    )
    session.commit()


@pytest.fixture
def acme(session):
    """Acme, 10 seats from March 1st, and a month of usage around the 31st."""
    account = make_account(session, "acme")
    subscribe(session, account, "sub-acme", "500", date(2026, 3, 1), quantity=10)
    used_on(session, "acme", date(2026, 2, 20), {"u4": {"Export": 3}})
    used_on(session, "acme", MAR[1], {"u4": {"Export": 1}})
    used_on(session, "acme", MAR[3], {"u3": {"Report Created": 5}})
    used_on(session, "acme", MAR[10], {"u3": {"Report Created": 2}})
    used_on(session, "acme", MAR[20], {"u1": {"Login": 3}})
    used_on(session, "acme", MAR[27], {"u2": {"Login": 1}})
    used_on(session, "acme", MAR[30], {"u1": {"Login": 1}})
    used_on(session, "acme", MAR[31], {"u1": {"Report Created": 2}})
    used_on(session, "acme", date(2026, 4, 1), {"u5": {"Share": 10}})  # after every as-of
    return account


def test_adoption_counts_users_seats_key_events_and_breadth_as_of_a_day(session, acme):
    found = adoption_of(
        session=session, account_ids=[acme.id], as_of=MAR[31], key_event="Report Created"
    )

    # DAU: u1 on the 31st. WAU (25th–31st): u1, u2. MAU (2nd–31st): u1, u2, u3.
    # Report Created in the 28 days from the 4th: 2 + 2 = 4, one a week. Events in 30 days:
    # 5 + 2 + 3 + 1 + 1 + 2 = 14; in the 30 days before: 3 + 1 = 4.
    assert found == {
        acme.id: Adoption(
            dau=1,
            wau=2,
            mau=3,
            stickiness=pytest.approx(1 / 3),
            seats=10,
            seat_utilisation=pytest.approx(0.3),
            key_event_per_week=pytest.approx(1.0),
            breadth=2,
            days_since_last_seen=0,
            events_30d=14,
            events_trend=pytest.approx(14 / 4 - 1),
        )
    }


def test_a_licensed_account_never_seen_has_zero_usage_for_health_once_others_are_seen(
    session, acme
):
    globex = make_account(session, "globex")
    subscribe(session, globex, "sub-globex", "100", MAR[1], quantity=4)
    prospect = make_account(session, "initech")  # no seats: nobody is expected to use it

    seen = adoption_of(session=session, account_ids=[globex.id, prospect.id], as_of=MAR[31])
    for_health = adoption_of(
        session=session,
        account_ids=[globex.id, prospect.id],
        as_of=MAR[31],
        key_event="Report Created",
        include_unseen=True,
    )
    # Before anyone was seen, nobody's usage is known.
    too_early = adoption_of(
        session=session, account_ids=[globex.id], as_of=date(2026, 2, 1), include_unseen=True
    )

    assert seen == {} and too_early == {}
    assert for_health == {
        globex.id: Adoption(
            dau=0,
            wau=0,
            mau=0,
            stickiness=None,
            seats=4,
            seat_utilisation=0.0,
            key_event_per_week=0.0,
            breadth=0,
            days_since_last_seen=None,
            events_30d=0,
            events_trend=None,
        )
    }


def test_adoption_as_of_a_past_day_reads_nothing_after_it(session, acme):
    found = adoption_of(
        session=session, account_ids=[acme.id], as_of=MAR[15], key_event="Report Created"
    )

    # WAU (9th–15th): u3. MAU (Feb 14th–Mar 15th): u3, u4. Report Created from Feb 16th:
    # 5 + 2 = 7 in four weeks. Nothing in the 30 days before Feb 14th: no trend.
    assert found[acme.id] == Adoption(
        dau=0,
        wau=1,
        mau=2,
        stickiness=0.0,
        seats=10,
        seat_utilisation=pytest.approx(0.2),
        key_event_per_week=pytest.approx(1.75),
        breadth=2,
        days_since_last_seen=5,
        events_30d=11,
        events_trend=None,
    )


def test_an_account_quiet_for_months_has_zeros_and_undefined_ratios(session):
    globex = make_account(session, "globex")
    used_on(session, "globex", date(2025, 12, 1), {"g1": {"Login": 2}})

    found = adoption_of(session=session, account_ids=[globex.id], as_of=MAR[31])

    assert found[globex.id] == Adoption(
        dau=0,
        wau=0,
        mau=0,
        stickiness=None,
        seats=None,
        seat_utilisation=None,
        key_event_per_week=None,
        breadth=0,
        days_since_last_seen=120,
        events_30d=0,
        events_trend=None,
    )


def test_accounts_without_usage_up_to_the_day_are_left_out(session, acme):
    initech = make_account(session, "initech")

    found = adoption_of(
        session=session, account_ids=[acme.id, initech.id, 999_999], as_of=date(2026, 2, 1)
    )

    assert found == {}


def test_the_key_event_window_must_be_a_day_or_more(session, acme):
    with pytest.raises(InvalidInput, match="key_event_days must be 1 or more"):
        adoption_of(session=session, account_ids=[acme.id], as_of=MAR[31], key_event_days=0)


def test_daily_series_has_every_day_zeros_included(session, acme):
    series = daily_series(session=session, account_id=acme.id, first=MAR[29], last=MAR[31])

    assert series == [
        DailyUsage(MAR[29], 0, 0),
        DailyUsage(MAR[30], 1, 1),
        DailyUsage(MAR[31], 2, 1),
    ]


def test_first_occurrence_is_the_first_day_of_the_event_per_account(session, acme):
    globex = make_account(session, "globex")
    used_on(session, "globex", MAR[5], {"g1": {"Login": 1}})

    assert first_occurrence(
        session=session, event="Report Created", account_ids=[acme.id, globex.id]
    ) == {acme.id: MAR[3]}
    assert first_occurrence(session=session, event="Login", account_ids=[acme.id, globex.id]) == {
        acme.id: MAR[20],
        globex.id: MAR[5],
    }


def test_top_events_are_the_most_frequent_of_the_period(session, acme):
    found = top_events(session=session, account_id=acme.id, first=MAR[1], last=MAR[31], limit=2)

    assert found == [EventCount("Report Created", 9, 3), EventCount("Login", 5, 3)]


def test_measures_of_events_rolled_up_from_the_app_database(session):
    acme = make_account(session, "acme")
    subscribe(session, acme, "sub-acme", "500", date(2026, 3, 1), quantity=4)
    send(
        session,
        track("acme", "alice", "Report Created", "2026-03-09T09:00:00Z"),
        track("acme", "alice", "Report Created", "2026-03-09T10:00:00Z"),
        track("acme", "bob", "Login", "2026-03-03T10:00:00Z"),
    )
    with time_machine.travel(RUN_AT, tick=False):
        rollup_usage(session=session)

    found = adoption_of(
        session=session, account_ids=[acme.id], as_of=MAR[9], key_event="Report Created"
    )[acme.id]

    assert (found.dau, found.wau, found.mau, found.seat_utilisation) == (1, 2, 2, 0.5)
    assert found.key_event_per_week == pytest.approx(2 / 4)
    assert (found.breadth, found.events_30d, found.days_since_last_seen) == (2, 3, 0)


def test_account_usage_of_an_unknown_account_is_not_found(session):
    with pytest.raises(NotFound):
        account_usage(session=session, account_id=999_999, as_of=MAR[31])


# --- the API --------------------------------------------------------------------------------


def test_the_usage_api_gives_measures_and_ninety_days_as_of_a_day(session, client, carol, acme):
    response = client.get(
        f"/api/v1/accounts/{acme.id}/usage",
        params={"as_of": "2026-03-31", "key_event": "Report Created"},
        headers=bearer(session, carol),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["as_of"] == "2026-03-31"
    assert body["adoption"] == {
        "dau": 1,
        "wau": 2,
        "mau": 3,
        "stickiness": pytest.approx(1 / 3),
        "seats": 10,
        "seat_utilisation": pytest.approx(0.3),
        "key_event_per_week": 1.0,
        "breadth": 2,
        "days_since_last_seen": 0,
        "events_30d": 14,
        "events_trend": 2.5,
    }
    assert len(body["series"]) == 90
    assert body["series"][0]["day"] == "2026-01-01"
    assert body["series"][-1] == {"day": "2026-03-31", "events": 2, "active_users": 1}
    assert body["top_events"][0] == {"event": "Report Created", "events": 9, "active_days": 3}


def test_the_usage_api_answers_null_measures_for_an_account_never_seen(session, client, carol):
    initech = make_account(session, "initech")

    response = client.get(
        f"/api/v1/accounts/{initech.id}/usage",
        params={"as_of": "2026-03-31"},
        headers=bearer(session, carol),
    )

    assert response.status_code == 200, response.text
    assert response.json()["adoption"] is None
    assert response.json()["top_events"] == []


def test_the_usage_api_refuses_unknown_accounts_and_requests_without_a_key(session, client, carol):
    missing = client.get("/api/v1/accounts/999999/usage", headers=bearer(session, carol))
    anonymous = client.get("/api/v1/accounts/1/usage")

    assert missing.status_code == 404
    assert missing.json() == {"detail": "account 999999 does not exist"}
    assert anonymous.status_code == 401


def test_the_usage_api_refuses_a_day_too_early_to_count_back_from(session, client, carol):
    initech = make_account(session, "initech")

    response = client.get(
        f"/api/v1/accounts/{initech.id}/usage",
        params={"as_of": "0001-01-02"},
        headers=bearer(session, carol),
    )

    assert response.status_code == 422, response.text
    assert "as_of: expected a day from 1970-01-01" in response.text
