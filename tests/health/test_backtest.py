"""Backtests: ROC AUC by hand, and a tiny portfolio whose churners had gone quiet first."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from headway.core.errors import InvalidInput
from headway.health.backtest import backtest, default_as_of_dates, roc_auc
from headway.health.definition import ScorecardDefinition
from headway.health.scorecards import create_scorecard, save_version
from headway.revenue.schemas import SubscriptionUpdate
from headway.revenue.service import update_subscription
from headway.usage.models import UsageDaily
from tests.helpers import SETUP, make_account, subscribe

TODAY = datetime(2026, 3, 15, 9, 0, tzinfo=UTC)


# --- ROC AUC -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "churned", "auc"),
    [
        # Every churner below every retained account: perfect.
        ([10, 20, 80, 90], [True, True, False, False], 1.0),
        # Every churner above: upside down.
        ([80, 90, 10, 20], [True, True, False, False], 0.0),
        # One pair, tied: half.
        ([50, 50], [True, False], 0.5),
        # All tied: half, whatever the classes.
        ([70, 70, 70, 70], [True, False, False, True], 0.5),
        # Churned {30, 60}, retained {50, 70, 60}: pairs (retained, churned) won
        # 50>30, 70>30, 70>60, 60>30 = 4, tied 60=60 = ½, lost 50<60: 4.5 of 6.
        ([30, 60, 50, 70, 60], [True, True, False, False, False], 0.75),
        # Churned {40}, retained {10, 20, 90}: only 90 wins, 1 of 3.
        ([10, 40, 20, 90], [False, True, False, False], 1 / 3),
    ],
)
def test_roc_auc_is_the_chance_a_retained_account_outscores_a_churned_one(scores, churned, auc):
    assert roc_auc(scores, churned) == pytest.approx(auc)


@pytest.mark.parametrize("churned", [[True, True], [False, False], []])
def test_roc_auc_is_undefined_without_both_classes(churned):
    assert roc_auc([50.0] * len(churned), churned) is None


def test_the_default_days_are_the_12_month_ends_the_horizon_has_passed():
    # 90 days before 2026-03-15 is 2025-12-15: the last month end on or before it is 11-30.
    days = default_as_of_dates(date(2026, 3, 15), 90)

    assert days[0] == date(2024, 12, 31) and days[-1] == date(2025, 11, 30)
    assert len(days) == 12
    assert default_as_of_dates(date(2026, 3, 31), 0)[-1] == date(2026, 3, 31)


# --- a tiny portfolio ----------------------------------------------------------------------
#
# Four tech-touch accounts, created 2024-12-01, paying 100 USD a month from 2025-01-01. The
# scorecard reads one measure, days since last seen, by the default scorecard's bands
# (< 3: 100, 3–7: 80, 7–14: 60, 14–30: 30, ≥ 30: 0). Backtested on 2025-06-30 and 2025-09-30:
#
#   account  last seen before 06-30 / 09-30   stops paying   06-30        09-30
#   Alpha    06-29 / 09-29                    never          100 stays    100 stays
#   Bravo    06-25 / 09-25                    never          80 stays     80 stays
#   Charlie  05-01 / 05-01                    2025-08-15     0 churns     not paying
#   Delta    06-28 / 08-01                    2025-11-15     100 stays    0 churns
#
# Version 1 ranks both churners lowest: AUC 1.0. Version 2 reads it upside down (linear from
# 0 days = 0 to 60 days = 100): the churners score highest, AUC 0.0.

LAST_SEEN = {
    "alpha": [date(2025, 6, 29), date(2025, 9, 29)],
    "bravo": [date(2025, 6, 25), date(2025, 9, 25)],
    "charlie": [date(2025, 5, 1)],
    "delta": [date(2025, 6, 28), date(2025, 8, 1)],
}
STOPS = {"charlie": date(2025, 8, 15), "delta": date(2025, 11, 15)}
DAYS = [date(2025, 6, 30), date(2025, 9, 30)]


def last_seen_card(scoring: dict) -> ScorecardDefinition:
    return ScorecardDefinition.model_validate(
        {
            "groups": [
                {
                    "name": "Adoption",
                    "weight": 1,
                    "measures": [
                        {
                            "key": "last_seen",
                            "name": "Days since last seen",
                            "source": "usage.days_since_last_seen",
                            "weight": 1,
                            "scoring": scoring,
                        }
                    ],
                }
            ]
        }
    )


DEFAULT_BANDS = {
    "type": "bands",
    "bands": [
        {"to": 3, "score": 100},
        {"from": 3, "to": 7, "score": 80},
        {"from": 7, "to": 14, "score": 60},
        {"from": 14, "to": 30, "score": 30},
        {"from": 30, "score": 0},
    ],
}


@pytest.fixture
def portfolio(session):
    make_quiet_churners(session)
    with time_machine.travel(TODAY, tick=False):
        yield


def make_quiet_churners(session):
    """The four tech-touch accounts above, their scorecard, subscriptions and usage."""
    with time_machine.travel(datetime(2024, 12, 1, 9, 0, tzinfo=UTC), tick=False):
        create_scorecard(
            session=session,
            actor=SETUP,
            permissions=None,
            key="tech-touch",
            name="Tech-touch health",
            segment_key="tech-touch",
            definition=last_seen_card(DEFAULT_BANDS),
        )
        for name, days in LAST_SEEN.items():
            account = make_account(session, name, segment="tech-touch")
            subscription = subscribe(session, account, f"{name}-1", "100", date(2025, 1, 1))
            if name in STOPS:
                update_subscription(
                    session=session,
                    actor=SETUP,
                    permissions=None,
                    subscription_id=subscription.id,
                    changes=SubscriptionUpdate(end_date=STOPS[name]),
                    reporting_currency="USD",
                )
            for day in days:
                session.add(
                    UsageDaily(
                        account_key=name,
                        day=day,
                        events=5,
                        active_users=1,
                        sessions=1,
                        last_seen_at=datetime.combine(day, time(12), tzinfo=UTC),
                    )
                )
        session.commit()


def test_a_scorecard_that_saw_the_churners_go_quiet_ranks_them_lowest(session, portfolio):
    save_version(
        session=session,
        actor=SETUP,
        permissions=None,
        scorecard_key="tech-touch",
        definition=last_seen_card({"type": "linear", "worst": 0, "best": 60}),
        note="upside down",
    )

    result = backtest(session=session, scorecard_key="tech-touch", as_of_dates=DAYS)

    first, second = result["versions"]
    assert (result["scorecard"], result["horizon_days"]) == ("tech-touch", 90)
    assert {k: first[k] for k in ("version", "auc", "observations", "churned", "retained")} == {
        "version": 1,
        "auc": 1.0,
        "observations": 7,
        "churned": 2,
        "retained": 5,
    }
    assert [(d["as_of"], d["observations"], d["churned"], d["auc"]) for d in first["dates"]] == [
        ("2025-06-30", 4, 1, 1.0),
        ("2025-09-30", 3, 1, 1.0),
    ]
    assert first["bands"] == {
        "red": {"observations": 2, "churned": 2, "churn_rate": 1.0},
        "yellow": {"observations": 0, "churned": 0, "churn_rate": None},
        "green": {"observations": 5, "churned": 0, "churn_rate": 0.0},
    }
    assert (second["version"], second["note"], second["auc"]) == (2, "upside down", 0.0)


def test_a_backtest_of_chosen_versions_only(session, portfolio):
    result = backtest(session=session, scorecard_key="tech-touch", versions=[1], as_of_dates=DAYS)

    assert [v["version"] for v in result["versions"]] == [1]
    with pytest.raises(InvalidInput, match="scorecard 'tech-touch' has no version 7; versions: 1"):
        backtest(session=session, scorecard_key="tech-touch", versions=[7], as_of_dates=DAYS)


def test_a_backtest_day_after_today_is_refused(session, portfolio):
    with pytest.raises(InvalidInput, match="2026-04-30 is after today"):
        backtest(session=session, scorecard_key="tech-touch", as_of_dates=[date(2026, 4, 30)])
