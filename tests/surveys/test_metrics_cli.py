"""`headway metrics surveys`: the report's figures as a table or as JSON for scripts."""

from __future__ import annotations

import json

import pytest
import time_machine
from typer.testing import CliRunner

from headway.cli import app
from tests.helpers import make_account
from tests.surveys.test_metrics import ISSUE_KEYS, NOW, build_voices

runner = CliRunner()


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def voices(session):
    return build_voices(session)


def run_json(*args: str) -> dict:
    result = runner.invoke(app, ["metrics", "surveys", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_has_the_promised_keys_and_figures(session, voices):
    report = run_json("--from", "2026-11", "--to", "2026-11")

    assert set(report) >= ISSUE_KEYS | {"period", "by_survey", "by_segment", "trend"}
    assert report["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert {k: report[k] for k in ("nps", "promoters", "passives", "detractors")} == {
        "nps": 30.0,
        "promoters": 5,
        "passives": 3,
        "detractors": 2,
    }
    assert (report["csat"], report["ces_mean"], report["ces_agree_rate"]) == (0.5714, 5.25, 0.75)


def test_segment_and_account_narrow_the_figures(session, voices):
    high = run_json("--from", "2026-11-01", "--to", "2026-11-30", "--segment", "high-touch")
    globex = run_json("--from", "2026-11-01", "--to", "2026-11-30", "--account", "globex")

    assert (high["nps"], high["responses"]) == (40.0, 11)
    assert (globex["nps"], globex["responses"], globex["response_rate"]) == (20.0, 10, None)


def test_without_answers_json_says_null(session):
    make_account(session, "quiet")
    report = run_json()

    assert [report[k] for k in ("nps", "csat", "ces_mean", "ces_agree_rate", "response_rate")] == [
        None
    ] * 5
    assert report["responses"] == 0


def test_the_table_shows_the_figures_and_undefined_ones_as_dashes(session, voices):
    table = runner.invoke(app, ["metrics", "surveys", "--from", "2026-11", "--to", "2026-11"])
    empty = runner.invoke(app, ["metrics", "surveys", "--from", "2025-01", "--to", "2025-01"])

    assert table.exit_code == 0, table.output
    assert "Surveys 2026-11-01 to 2026-11-30" in table.stdout
    assert "+30.0" in table.stdout and "57.1 %" in table.stdout and "5.25" in table.stdout
    assert "5 · 3 · 2" in table.stdout and "75.0 % (3 answered)" in table.stdout
    assert empty.exit_code == 0 and "—" in empty.stdout


def test_bad_input_is_named(session):
    bad_day = runner.invoke(app, ["metrics", "surveys", "--from", "2026-13"])
    account = runner.invoke(app, ["metrics", "surveys", "--account", "nobody"])
    segment = runner.invoke(app, ["metrics", "surveys", "--segment", "vip"])

    assert bad_day.exit_code == 2 and "2026-13" in bad_day.output
    assert account.exit_code == 1 and "no account has the external id 'nobody'" in account.output
    assert segment.exit_code == 1 and "unknown segment 'vip'" in segment.output
