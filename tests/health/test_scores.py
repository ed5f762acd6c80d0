"""Daily health scores through the real sources: computed, kept per day, explained, summed up.

Today is 1 April 2026; the scores are of 31 March unless said otherwise.

Acme (tech-touch by its ARR, which has no scorecard of its own: the default one, weighted
average) is loyal, so no touches are required of it; it has 10 seats at 50 USD since
1 December and the usage of tests/health/support.py. As of 31 March:
- Adoption (weight 50): seat utilisation 3 ÷ 10 = 0.3 on 0.1 → 0.8 scores 200/7 = 28.57
  (weight 40); last seen 0 days scores 100 (30); 6 reports in 28 days = 1.5 a week on 0 → 3
  scores 50 (30). Adoption = 0.4 × 200/7 + 0.3 × 100 + 0.3 × 50 = 395/7 = 56.43.
- Outcomes: no goals and no touches required: no data, left out.
- Revenue (weight 20): MRR 500 now and 90 days before: change 0 on −0.2 → 0.1 scores 200/3.
Score = 5/7 × 395/7 + 2/7 × 200/3 = 8725/147 = 59.35, yellow.

Initech is high-touch, with a scorecard of its own (worst of: coverage 0 → 1, MRR change):
one check-in overdue of two required touches, coverage 0.5 scores 50; MRR steady scores
66.67; the worst is 50: yellow, exactly on the threshold.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from headway.accounts.service import change_stage
from headway.cli import app
from headway.core.errors import InvalidInput, NotFound
from headway.health import sources
from headway.health.builtin_sources import shared_reads
from headway.health.definition import ScorecardDefinition
from headway.health.models import HealthScore, Scorecard
from headway.health.scorecards import create_scorecard, current_definition, default_scorecard
from headway.health.scores import (
    account_health,
    compute_scores,
    health_distribution,
    latest_scores,
    movers,
    score_accounts,
    score_history,
)
from headway.health.scoring import Band
from tests.health.support import rolled_up_usage
from tests.helpers import SETUP, log_touch, make_account, subscribe

TODAY = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
MAR_31 = date(2026, 3, 31)
ACME_SCORE = 8725 / 147
runner = CliRunner()


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def worst_of_coverage_and_mrr() -> ScorecardDefinition:
    return ScorecardDefinition.model_validate(
        {
            "aggregation": "worst_of",
            "groups": [
                {
                    "name": "Care",
                    "weight": 1,
                    "measures": [
                        {
                            "key": "coverage",
                            "name": "Required touches met",
                            "source": "activities.coverage",
                            "weight": 1,
                            "scoring": {"type": "linear", "worst": 0, "best": 1},
                        },
                        {
                            "key": "mrr",
                            "name": "MRR change",
                            "source": "revenue.mrr_change",
                            "params": {"days": 90},
                            "weight": 1,
                            "scoring": {"type": "linear", "worst": -0.2, "best": 0.1},
                        },
                    ],
                }
            ],
        }
    )


@pytest.fixture
def accounts(session: Session, bob, erin) -> dict[str, Any]:
    acme = make_account(session, "acme", "Acme", owner=bob, stage="loyal")
    subscribe(session, acme, "a-1", "50", date(2025, 12, 1), quantity=10)
    rolled_up_usage(session, "acme")
    create_scorecard(
        session=session,
        actor=SETUP,
        permissions=None,
        key="high-touch",
        name="High-touch health",
        segment_key="high-touch",
        definition=worst_of_coverage_and_mrr(),
    )
    initech = make_account(
        session, "initech", "Initech", owner=erin, segment="high-touch", stage="adoption"
    )
    subscribe(session, initech, "i-1", "5000", date(2025, 10, 1))
    log_touch(session, initech, "business_review", datetime(2026, 1, 10, 15, tzinfo=UTC))
    empty = make_account(session, "empty", "Empty")  # nothing to score it by
    with time_machine.travel(datetime(2026, 1, 5, tzinfo=UTC), tick=False):
        gone = make_account(session, "gone", "Gone", stage="churned")
    return {"acme": acme, "initech": initech, "empty": empty, "gone": gone}


def test_scores_come_from_the_real_sources_by_each_accounts_scorecard(
    session: Session, accounts
) -> None:
    scores = compute_scores(session=session, as_of=MAR_31)
    acme, initech, empty = (scores[accounts[k].id] for k in ("acme", "initech", "empty"))
    assert accounts["gone"].id not in scores  # churned: not scored
    assert (acme.scorecard_key, acme.version) == ("default", 1)
    assert acme.score == pytest.approx(ACME_SCORE)
    assert acme.band is Band.YELLOW
    by_key = {m.key: m for m in acme.measures}
    assert by_key["seat_utilisation"].value == pytest.approx(0.3)
    assert by_key["seat_utilisation"].score == pytest.approx(200 / 7)
    assert by_key["seat_utilisation"].share == pytest.approx(5 / 7 * 0.4)
    assert (by_key["last_seen"].value, by_key["last_seen"].score) == (0, 100)
    assert (by_key["key_events"].value, by_key["key_events"].score) == (1.5, 50)
    assert by_key["mrr_change"].share == pytest.approx(2 / 7)
    assert by_key["goals_on_track"].no_data and by_key["coverage"].no_data
    assert (initech.scorecard_key, initech.score, initech.band) == ("high-touch", 50, Band.YELLOW)
    assert [m.share for m in initech.measures] == [1.0, 0.0]
    assert (empty.score, empty.band) == (None, None)


def test_definitions_to_try_replace_the_current_version_without_writing(
    session: Session, accounts
) -> None:
    card = default_scorecard(session=session)
    trial = current_definition(session=session, scorecard=card).model_copy(
        update={"aggregation": "worst_of"}
    )
    scores = compute_scores(
        session=session,
        as_of=MAR_31,
        account_ids=[accounts["acme"].id],
        definitions={card.id: (2, trial)},
    )
    acme = scores[accounts["acme"].id]
    assert (acme.version, acme.score, acme.band) == (2, pytest.approx(200 / 7), Band.RED)
    assert list(scores) == [accounts["acme"].id]
    assert session.scalar(select(HealthScore.id)) is None


def test_each_source_is_read_once_per_distinct_parameters(
    session: Session, accounts, monkeypatch
) -> None:
    calls: list[tuple[list[int], dict]] = []

    def counting(session, account_ids, as_of, params):
        calls.append((list(account_ids), dict(params)))
        return dict.fromkeys(account_ids, 1.0)

    sources.measure_sources()  # the built-in sources are loaded first
    monkeypatch.setitem(
        sources._SOURCES,
        "test.counting",
        sources.MeasureSource("test.counting", "Counting", "n", "Counts reads.", counting),
    )
    linear = {"type": "linear", "worst": 0, "best": 2}
    definition = ScorecardDefinition.model_validate(
        {
            "groups": [
                {
                    "name": "G",
                    "weight": 1,
                    "measures": [
                        {"key": k, "name": k, "source": "test.counting", "params": p,
                         "weight": 1, "scoring": linear}
                        for k, p in [("a", {"n": 1}), ("b", {"n": 1}), ("c", {"n": 2})]
                    ],
                }
            ]
        }
    )  # fmt: skip
    card = default_scorecard(session=session)
    scores = compute_scores(session=session, as_of=MAR_31, definitions={card.id: (9, definition)})
    default_ids = sorted([accounts["acme"].id, accounts["empty"].id])
    assert sorted(calls, key=lambda c: c[1]["n"]) == [
        (default_ids, {"n": 1}),
        (default_ids, {"n": 2}),
    ]
    assert scores[accounts["empty"].id].score == 50
    # Trying two versions on the same day inside one shared block reads each source once.
    calls.clear()
    with shared_reads(session):
        for version in (9, 10):
            compute_scores(
                session=session, as_of=MAR_31, definitions={card.id: (version, definition)}
            )
    assert len(calls) == 2


def test_an_account_is_scored_while_a_customer_on_the_day(session: Session) -> None:
    with time_machine.travel(datetime(2026, 1, 10, tzinfo=UTC), tick=False):
        left = make_account(session, "left")
        subscribe(session, left, "l-1", "100", date(2025, 10, 1))
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        change_stage(
            session=session, actor=SETUP, permissions=None, account_id=left.id, stage="churned"
        )
    assert list(compute_scores(session=session, as_of=date(2026, 2, 28))) == [left.id]
    assert compute_scores(session=session, as_of=date(2026, 3, 1)) == {}
    # Before its first recorded stage (an account entered with its past) it is a customer.
    assert list(compute_scores(session=session, as_of=date(2026, 1, 9))) == [left.id]
    # Churned since it was entered: not a customer on any day before either.
    with time_machine.travel(datetime(2026, 3, 5, tzinfo=UTC), tick=False):
        make_account(session, "lost", stage="churned")
    assert list(compute_scores(session=session, as_of=date(2026, 3, 6))) == []


def test_scoring_a_day_writes_the_scores_and_rescoring_replaces_them(
    session: Session, accounts
) -> None:
    assert score_accounts(session=session, as_of=MAR_31) == 2  # Empty has no data
    stored = session.scalars(select(HealthScore).order_by(HealthScore.account_id)).all()
    assert [(s.account_id, s.day, s.band) for s in stored] == [
        (accounts["acme"].id, MAR_31, "yellow"),
        (accounts["initech"].id, MAR_31, "yellow"),
    ]
    assert stored[0].score == pytest.approx(ACME_SCORE)
    assert stored[0].details[0]["key"] == "seat_utilisation"
    # A check-in on 30 March closes Initech's gap: coverage 1 scores 100, MRR 66.67 is worst.
    log_touch(session, accounts["initech"], "check_in", datetime(2026, 3, 30, tzinfo=UTC))
    assert score_accounts(session=session, as_of=MAR_31) == 2
    session.expire_all()
    rows = session.execute(select(HealthScore.account_id, HealthScore.score)).all()
    assert len(rows) == 2
    assert dict(rows)[accounts["initech"].id] == pytest.approx(200 / 3)
    # Rescoring only one account leaves the other's score of the day alone.
    assert score_accounts(session=session, as_of=MAR_31, account_ids=[accounts["acme"].id]) == 1
    assert session.query(HealthScore).count() == 2


def test_history_trend_and_what_pulled_the_score_down(session: Session, accounts) -> None:
    # As of 1 March Acme was last seen 15 February (14 days: 30), had 1 user of 10 seats (0)
    # and no reports (0): Adoption 9; 5/7 × 9 + 2/7 × 200/3 = 25.48, red.
    score_accounts(session=session, as_of=date(2026, 3, 1))
    score_accounts(session=session, as_of=MAR_31)
    acme = accounts["acme"]
    history = score_history(session=session, account_id=acme.id)
    assert history == [
        (date(2026, 3, 1), pytest.approx(5 / 7 * 9 + 2 / 7 * 200 / 3)),
        (MAR_31, pytest.approx(ACME_SCORE)),
    ]
    assert score_history(session=session, account_id=acme.id, days=30) == [history[1]]
    health = account_health(session=session, account_id=acme.id)
    assert (health.day, health.band, health.trend, health.version) == (
        MAR_31,
        "yellow",
        "up",
        1,
    )
    assert (health.scorecard_key, health.bands.yellow, health.bands.green) == ("default", 50, 75)
    # Lost: seats 2/7 × (100 − 200/7) = 20.4, reports 3/14 × 50 = 10.7, MRR 2/7 × 100/3 = 9.5.
    assert [m.key for m in health.pulled_down] == ["seat_utilisation", "key_events", "mrr_change"]
    assert health.pulled_down[0].lost == pytest.approx(2 / 7 * (100 - 200 / 7))
    assert len(health.measures) == 6
    # As of 1 March there is no earlier score to compare with.
    earlier = account_health(session=session, account_id=acme.id, as_of=date(2026, 3, 1))
    assert (earlier.band, earlier.trend) == ("red", None)
    latest = latest_scores(session=session, account_ids=[acme.id, accounts["empty"].id])
    assert {k: v.day for k, v in latest.items()} == {acme.id: MAR_31}


def test_an_account_without_scores_has_an_empty_health(session: Session, accounts) -> None:
    health = account_health(session=session, account_id=accounts["empty"].id)
    assert (health.score, health.band, health.trend, health.measures) == (None, None, None, [])
    with pytest.raises(NotFound):
        account_health(session=session, account_id=999_999)


def test_the_distribution_counts_customers_per_band_by_segment_and_csm(
    session: Session, accounts, bob, erin
) -> None:
    score_accounts(session=session, as_of=MAR_31)
    by_segment = health_distribution(session=session, as_of=MAR_31, by="segment")
    assert [(r.key, r.name, r.counts, r.no_score) for r in by_segment] == [
        ("high-touch", "High-touch", {"red": 0, "yellow": 1, "green": 0}, 0),
        ("tech-touch", "Tech-touch", {"red": 0, "yellow": 1, "green": 0}, 0),
        (None, "No segment", {"red": 0, "yellow": 0, "green": 0}, 1),  # Empty: no score
    ]
    by_csm = health_distribution(session=session, as_of=MAR_31, by="csm")
    assert [(r.key, r.counts["yellow"], r.no_score, r.total) for r in by_csm] == [
        ("bob@example.com", 1, 0, 1),
        ("erin@example.com", 1, 0, 1),
        (None, 0, 1, 1),
    ]
    narrowed = health_distribution(session=session, as_of=MAR_31, by="csm", owner_id=erin.id)
    assert [(r.key, r.scored) for r in narrowed] == [("erin@example.com", 1)]
    # Before any score was kept every customer is unscored.
    before = health_distribution(session=session, as_of=date(2026, 3, 30))
    assert sum(r.no_score for r in before) == 3
    with pytest.raises(InvalidInput, match="'segment' or 'csm'"):
        health_distribution(session=session, as_of=MAR_31, by="stage")


def _kept(session: Session, account_id: int, day: date, score: float, band: str) -> None:
    card_id = session.scalar(select(Scorecard.id).where(Scorecard.is_default))
    session.add(
        HealthScore(
            account_id=account_id,
            day=day,
            scorecard_id=card_id,
            version=1,
            score=score,
            band=band,
            details=[],
        )
    )
    session.commit()


def test_movers_are_the_biggest_drops_over_the_window(session: Session, bob) -> None:
    a, b, c, d, e = (make_account(session, k, owner=bob) for k in "abcde")
    make_account(session, "f", stage="churned")
    for account, then, now in [(a, 80, 40), (b, 90, 85), (c, 60, 70), (d, 70, 30)]:
        _kept(session, account.id, date(2026, 2, 25), then, "green")  # latest by 1 March
        _kept(session, account.id, MAR_31, now, "yellow")
    _kept(session, e.id, date(2026, 3, 10), 20, "red")  # no score by 1 March
    found = movers(session=session, as_of=MAR_31, window_days=30, limit=2)
    assert [(m.name, m.before, m.after, m.change) for m in found] == [
        ("A", 80, 40, -40),
        ("D", 70, 30, -40),
    ]
    assert (found[0].band_before, found[0].band_after, found[0].owner_id) == (
        "green",
        "yellow",
        bob.id,
    )
    assert [m.name for m in movers(session=session, as_of=MAR_31)] == ["A", "D", "B"]
    assert movers(session=session, as_of=MAR_31, segment="high-touch") == []


def test_the_score_command_scores_every_customer_of_the_day(session: Session, accounts) -> None:
    result = runner.invoke(app, ["health", "score", "--as-of", "2026-03-31", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "as_of": "2026-03-31",
        "customers": 3,
        "scored": 2,
        "no_score": 1,
        "bands": {"red": 0, "yellow": 2, "green": 0},
    }
    assert session.query(HealthScore).count() == 2
    again = runner.invoke(app, ["health", "score"])  # today, 1 April, in words
    assert again.exit_code == 0, again.output
    assert "Scored 2 of 3 customers on 2026-04-01: 0 green, 2 yellow, 0 red" in again.stdout
