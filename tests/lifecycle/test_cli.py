"""`headway lifecycle ttfv|apply|rules` and the daily job `headway daily`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from typer.testing import CliRunner

from headway.accounts.service import get_account, list_stage_changes
from headway.cli import app
from headway.contacts.models import Contact
from headway.health.models import HealthScore
from headway.usage.messages import read_message
from headway.usage.service import store_messages
from tests.helpers import make_account, subscribe

runner = CliRunner()


def run(*args: str) -> dict:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ttfv_json_by_segment_has_hand_computed_percentiles(book):
    data = run("lifecycle", "ttfv", "--json")
    mid = next(g for g in data["groups"] if g["key"] == "mid-touch")
    assert (mid["count"], mid["median"], mid["p75"], mid["p90"], mid["waiting"]) == (
        7,
        6.0,
        8.0,
        15.2,
        1,
    )
    assert data["as_of"] == "2026-03-02"


def test_ttfv_json_by_quarterly_cohort_as_of_a_day(book):
    # On Jan 31: 2, 4, 6 and 30 days reached, one waiting, one churned first.
    data = run(
        "lifecycle",
        "ttfv",
        "--by",
        "cohort",
        "--grain",
        "quarter",
        "--as-of",
        "2026-01-31",
        "--json",
    )
    assert [(g["key"], g["count"], g["reached"], g["median"]) for g in data["groups"]] == [
        ("2026-Q1", 6, 4, 5.0)
    ]


def test_ttfv_table_for_people_names_each_segment_and_the_total(book):
    result = runner.invoke(app, ["lifecycle", "ttfv"])
    assert result.exit_code == 0, result.output
    for text in ("Mid-touch", "High-touch", "15.2", "All", "Churned"):
        assert text in result.stdout


def test_an_unknown_grouping_is_refused_by_the_command_line(session):
    result = runner.invoke(app, ["lifecycle", "ttfv", "--by", "csm"])
    assert result.exit_code == 2
    assert "csm" in result.output


def test_apply_dry_run_lists_the_moves_then_apply_makes_them_once(book, session):
    dry = run("lifecycle", "apply", "--dry-run", "--json")
    assert (dry["dry_run"], dry["moved"]) == (True, 6)
    assert {m["account_name"] for m in dry["moves"]} == {"M1", "M2", "M3", "M4", "M5", "H1"}
    h1 = next(m for m in dry["moves"] if m["account_name"] == "H1")
    assert h1["reason"] == "First value reached on 2026-01-31 (first-value milestone)"
    assert get_account(session=session, account_id=book["m1"].id).stage.key == "onboarding"
    applied = run("lifecycle", "apply", "--json")
    assert (applied["dry_run"], applied["moved"]) == (False, 6)
    session.expire_all()
    assert get_account(session=session, account_id=book["m1"].id).stage.key == "adoption"
    assert run("lifecycle", "apply", "--json")["moved"] == 0


def test_apply_for_people_says_how_many_moved(book):
    result = runner.invoke(app, ["lifecycle", "apply", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "6 accounts would move" in result.stdout


def test_rules_json_lists_ttfv_and_stage_rules(session):
    data = run("lifecycle", "rules", "--json")
    assert [(r["segment_key"], r["value_event"]) for r in data["ttfv_rules"]] == [
        (None, "usage:Report Created"),
        ("high-touch", "milestone"),
    ]
    assert [(r["from_stage"], r["to_stage"], r["description"]) for r in data["stage_rules"]] == [
        ("onboarding", "adoption", "first value reached"),
        ("adoption", "loyal", "green every day of the last 90 days"),
    ]


# --- the daily job -------------------------------------------------------------------------

RECEIVED = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)


def send(session, *raw):
    messages = [read_message(message, received_at=RECEIVED) for message in raw]
    store_messages(session=session, messages=messages, received_at=RECEIVED)
    session.commit()


def test_the_daily_job_rolls_up_attaches_scores_and_moves_and_a_second_run_adds_nothing(session):
    acme = make_account(session, "acme", segment="mid-touch")
    subscribe(session, acme, "a-1", "50", date(2026, 1, 1))
    send(
        session,
        {
            "type": "identify",
            "userId": "u-1",
            "traits": {"email": "ada@acme.test", "name": "Ada Lovelace"},
            "context": {"groupId": "acme"},
            "timestamp": "2026-02-20T09:00:00Z",
        },
        {
            "type": "track",
            "userId": "u-1",
            "event": "Report Created",
            "context": {"groupId": "acme"},
            "timestamp": "2026-02-20T10:00:00Z",
        },
    )
    session.query(Contact).delete()  # as if the user was identified before the account existed
    session.commit()
    data = run("daily", "--json")
    assert data["as_of"] == "2026-03-02"
    assert data["rollup"]["events_read"] >= 1
    assert data["rollup"]["days_written"] >= 1
    assert data["contacts"] == {"attached": 1}
    assert data["health"] == {"scored": 1}
    assert data["stages"] == {"moved": 1, "by_step": {"onboarding → adoption": 1}}
    assert data["moves"][0]["reason"] == "First value reached on 2026-02-20 (Report Created)"
    assert set(data["seconds"]) == {"rollup", "contacts", "health", "stages"}
    session.expire_all()
    assert session.query(HealthScore).filter_by(account_id=acme.id).count() == 1
    assert list_stage_changes(session=session, account_id=acme.id)[-1].changed_by == "stage rule"
    again = run("lifecycle", "daily", "--json")
    assert (again["rollup"]["events_read"], again["contacts"]["attached"]) == (0, 0)
    assert (again["health"]["scored"], again["stages"]["moved"]) == (1, 0)
    assert session.query(HealthScore).filter_by(account_id=acme.id).count() == 1


def test_the_daily_job_for_people_shows_each_step(session):
    result = runner.invoke(app, ["daily", "--as-of", "2026-03-01"])
    assert result.exit_code == 0, result.output
    for text in ("Daily job for 2026-03-01", "Rolling usage up", "Scoring health", "moved"):
        assert text in result.stdout
