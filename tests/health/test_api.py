"""The health API: scores, distribution, movers, scorecards and their versions, backtests.

Today is frozen at 2026-03-15. Every account pays 100 USD a month since 2025-01-01 and sits
in a segment whose scorecard reads one measure, MRR change over 90 days, linear from −20 %
(0) to +10 % (100). On 2026-03-01 Globex added 10 USD (+10 %: 100, green) and Initech moved
to 80 USD (−20 %: 0, red); Acme stayed (0 %: 66.67, yellow). Scored on 2026-02-13 too, when
all three stood at 66.67. The accounts were created on 2024-12-01, before every backtest day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from headway.health.scorecards import create_scorecard
from headway.health.scores import score_accounts
from headway.revenue.schemas import SubscriptionUpdate
from headway.revenue.service import update_subscription
from headway.users.models import Scope
from tests.health.test_scorecards import revenue_only
from tests.helpers import SETUP, bearer, make_account, subscribe

TODAY = datetime(2026, 3, 15, 9, 0, tzinfo=UTC)
YELLOW = pytest.approx(200 / 3)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def portfolio(session, bob, erin):
    with time_machine.travel(datetime(2024, 12, 1, 9, 0, tzinfo=UTC), tick=False):
        return _portfolio(session, bob, erin)


def _portfolio(session, bob, erin):
    for segment in ("mid-touch", "tech-touch"):
        create_scorecard(
            session=session,
            actor=SETUP,
            permissions=None,
            key=segment,
            name=f"{segment.title()} health",
            segment_key=segment,
            definition=revenue_only(),
        )
    acme = make_account(session, "acme", "Acme", owner=bob, segment="mid-touch")
    globex = make_account(session, "globex", "Globex", owner=erin, segment="mid-touch")
    initech = make_account(session, "initech", "Initech", owner=bob, segment="tech-touch")
    subscribe(session, acme, "acme-1", "100", date(2025, 1, 1))
    subscribe(session, globex, "globex-1", "100", date(2025, 1, 1))
    subscribe(session, globex, "globex-2", "10", date(2026, 3, 1))
    first = subscribe(session, initech, "initech-1", "100", date(2025, 1, 1))
    update_subscription(
        session=session,
        actor=SETUP,
        permissions=None,
        subscription_id=first.id,
        changes=SubscriptionUpdate(end_date=date(2026, 3, 1)),
        reporting_currency="USD",
    )
    subscribe(session, initech, "initech-2", "80", date(2026, 3, 1))
    score_accounts(session=session, as_of=date(2026, 2, 13))
    score_accounts(session=session, as_of=date(2026, 3, 15))
    return {"acme": acme, "globex": globex, "initech": initech}


@pytest.fixture
def carol_reads(session, carol):
    return bearer(session, carol, Scope.READ)


def test_an_accounts_health_explains_its_score_trend_and_history(client, portfolio, carol_reads):
    initech = portfolio["initech"]

    body = client.get(f"/api/v1/accounts/{initech.id}/health", headers=carol_reads).json()

    assert {k: body[k] for k in ("day", "score", "band", "trend", "scorecard", "version")} == {
        "day": "2026-03-15",
        "score": 0.0,
        "band": "red",
        "trend": "down",
        "scorecard": "tech-touch",
        "version": 1,
    }
    (measure,) = body["measures"]
    assert measure["key"] == "mrr_change" and measure["value"] == pytest.approx(-0.2)
    assert (measure["score"], measure["share"], measure["lost"]) == (0.0, 1.0, 100.0)
    assert body["pulled_down"] == ["mrr_change"]
    assert [(p["day"], p["score"]) for p in body["history"]] == [
        ("2026-02-13", YELLOW),
        ("2026-03-15", 0.0),
    ]


def test_scores_list_lowest_first_and_filter_by_segment_band_and_day(
    client, portfolio, carol_reads
):
    def names(**params):
        body = client.get("/api/v1/health/scores", params=params, headers=carol_reads).json()
        return body["total"], [(i["account_name"], i["band"]) for i in body["items"]]

    assert names() == (3, [("Initech", "red"), ("Acme", "yellow"), ("Globex", "green")])
    assert names(band="red") == (1, [("Initech", "red")])
    assert names(segment="mid-touch") == (2, [("Acme", "yellow"), ("Globex", "green")])
    assert names(per_page=1, page=2) == (3, [("Acme", "yellow")])
    assert names(as_of="2026-02-13") == (
        3,
        [("Acme", "yellow"), ("Globex", "yellow"), ("Initech", "yellow")],
    )


def test_the_distribution_counts_customers_per_band_by_segment_and_by_csm(
    client, portfolio, carol_reads
):
    def rows(by):
        body = client.get(
            "/api/v1/health/distribution", params={"by": by}, headers=carol_reads
        ).json()
        return [(r["key"], r["counts"], r["no_score"]) for r in body["rows"]]

    assert rows("segment") == [
        ("mid-touch", {"red": 0, "yellow": 1, "green": 1}, 0),
        ("tech-touch", {"red": 1, "yellow": 0, "green": 0}, 0),
    ]
    assert rows("csm") == [
        ("bob@example.com", {"red": 1, "yellow": 1, "green": 0}, 0),
        ("erin@example.com", {"red": 0, "yellow": 0, "green": 1}, 0),
    ]


def test_movers_are_the_customers_whose_score_dropped(client, portfolio, carol_reads):
    body = client.get("/api/v1/health/movers", headers=carol_reads).json()

    assert [(m["name"], m["band_before"], m["band_after"]) for m in body] == [
        ("Initech", "yellow", "red")
    ]
    assert body[0]["change"] == pytest.approx(-200 / 3)


def test_scorecards_list_with_their_segments_and_accounts(client, portfolio, carol_reads):
    body = client.get("/api/v1/scorecards", headers=carol_reads).json()

    assert [(s["key"], s["segment"], s["accounts"], s["current_version"]) for s in body] == [
        ("default", None, 0, 1),
        ("mid-touch", "mid-touch", 2, 1),
        ("tech-touch", "tech-touch", 1, 1),
    ]
    scoring = body[1]["definition"]["groups"][0]["measures"][0]["scoring"]
    assert scoring == {"type": "linear", "worst": -0.2, "best": 0.1}


def test_a_manager_saves_a_new_version_and_everyone_reads_it(
    client, session, dave, portfolio, carol_reads
):
    dave_writes = bearer(session, dave, Scope.READ, Scope.WRITE)
    definition = revenue_only(best=0.0).model_dump(mode="json", by_alias=True)

    saved = client.put(
        "/api/v1/scorecards/mid-touch",
        json={"definition": definition, "note": "steady is healthy"},
        headers=dave_writes,
    )
    again = client.put(
        "/api/v1/scorecards/mid-touch", json={"definition": definition}, headers=dave_writes
    )

    assert saved.status_code == 200, saved.text
    assert again.json()["current_version"] == 2
    body = client.get("/api/v1/scorecards/mid-touch", headers=carol_reads).json()
    assert [(v["version"], v["note"], v["created_by"]) for v in body["versions"]] == [
        (1, "", "test setup"),
        (2, "steady is healthy", "dave@example.com (key test)"),
    ]
    assert body["definition"]["groups"][0]["measures"][0]["scoring"]["best"] == 0.0


def test_a_csm_or_a_read_only_key_cannot_save_a_scorecard(client, session, bob, dave, portfolio):
    definition = revenue_only(best=0.0).model_dump(mode="json", by_alias=True)
    bob_writes = bearer(session, bob, Scope.READ, Scope.WRITE)
    dave_reads = bearer(session, dave, Scope.READ)

    as_csm = client.put(
        "/api/v1/scorecards/mid-touch", json={"definition": definition}, headers=bob_writes
    )
    read_only = client.put(
        "/api/v1/scorecards/mid-touch", json={"definition": definition}, headers=dave_reads
    )

    assert as_csm.status_code == 403
    assert as_csm.json()["detail"] == "only admins and managers edit health scorecards"
    assert read_only.status_code == 403


def test_a_version_reading_an_unknown_source_is_refused(client, session, alice, portfolio):
    definition = revenue_only().model_dump(mode="json", by_alias=True)
    definition["groups"][0]["measures"][0]["source"] = "crm.mood"

    response = client.put(
        "/api/v1/scorecards/mid-touch",
        json={"definition": definition},
        headers=bearer(session, alice, Scope.READ, Scope.WRITE),
    )

    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert message.startswith("groups[0].measures[0].source: unknown measure source 'crm.mood'")


def test_an_unknown_scorecard_is_not_found_with_the_known_ones(client, portfolio, carol_reads):
    response = client.get("/api/v1/scorecards/nope", headers=carol_reads)

    assert response.status_code == 404
    assert response.json()["detail"] == (
        "there is no scorecard 'nope'; known scorecards: default, mid-touch, tech-touch"
    )


def test_the_backtest_counts_each_scored_month_end(client, portfolio, carol_reads):
    # Month ends 2024-12-31 … 2025-11-30 (90 days before today is 2025-12-15). Initech paid
    # from 2025-01-31 on; MRR change over 90 days has data from 2025-04-30 on.
    body = client.get(
        "/api/v1/scorecards/tech-touch/backtest", params={"horizon": 90}, headers=carol_reads
    ).json()

    assert body["as_of_dates"][0] == "2024-12-31" and body["as_of_dates"][-1] == "2025-11-30"
    (version,) = body["versions"]
    assert {k: version[k] for k in ("version", "auc", "observations", "churned", "unscored")} == {
        "version": 1,
        "auc": None,
        "observations": 8,
        "churned": 0,
        "unscored": 3,
    }
    assert version["bands"]["yellow"] == {"observations": 8, "churned": 0, "churn_rate": 0.0}


def test_measure_sources_list_their_parameters(client, session, carol_reads):
    body = client.get("/api/v1/measure-sources", headers=carol_reads).json()

    mrr_change = next(s for s in body if s["key"] == "revenue.mrr_change")
    assert mrr_change["unit"] == "ratio" and set(mrr_change["params"]) == {"days"}


def test_health_needs_an_api_key(client):
    assert client.get("/api/v1/health/scores").status_code == 401
