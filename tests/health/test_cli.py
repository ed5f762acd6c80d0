"""`headway health scorecards|export|import|backtest`: scorecards as code for scripts.

The scorecards and accounts are those of test_scorecards.py (today 2026-03-15; Acme and
Globex at 66.67, yellow, would be 100, green, with `best: 0`) and test_backtest.py.
"""

from __future__ import annotations

import json

import pytest
import time_machine
import yaml
from typer.testing import CliRunner

from headway.cli import app
from headway.health.scorecards import get_scorecard
from tests.health.test_backtest import make_quiet_churners
from tests.health.test_scorecards import TODAY, make_mid_touch_card, make_paying_mid_touch

runner = CliRunner()


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def mid_touch_card(session):
    return make_mid_touch_card(session)


@pytest.fixture
def paying_mid_touch(session, bob):
    return make_paying_mid_touch(session, bob)


def run_json(*args: str) -> dict | list:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_scorecards_lists_each_with_its_segment_and_version(session, mid_touch_card):
    cards = run_json("health", "scorecards", "--json")

    assert [(c["key"], c["segment"], c["current_version"]) for c in cards] == [
        ("default", None, 1),
        ("mid-touch", "mid-touch", 1),
    ]
    table = runner.invoke(app, ["health", "scorecards"]).stdout
    assert "mid-touch" in table and "Mid-touch health" in table


def test_an_exported_file_imports_back_unchanged(session, tmp_path, mid_touch_card):
    file = tmp_path / "scorecards.yaml"

    exported = runner.invoke(app, ["health", "export", "--out", str(file)])
    preview = run_json("health", "import", str(file), "--json")

    assert exported.exit_code == 0, exported.output
    assert yaml.safe_load(file.read_text())["scorecards"][0]["key"] == "default"
    assert [(c["key"], c["action"]) for c in preview["scorecards"]] == [
        ("default", "unchanged"),
        ("mid-touch", "unchanged"),
    ]


def test_a_dry_run_shows_band_changes_then_the_import_saves_them(
    session, tmp_path, mid_touch_card, paying_mid_touch
):
    file = tmp_path / "scorecards.yaml"
    text = runner.invoke(app, ["health", "export"]).stdout
    file.write_text(text.replace("best: 0.1}", "best: 0}"))

    tried = run_json("health", "import", str(file), "--dry-run", "--json")
    shown = runner.invoke(app, ["health", "import", str(file), "--dry-run"]).stdout
    session.expire_all()
    version_after_dry_run = get_scorecard(session=session, key="mid-touch").current_version
    saved = run_json("health", "import", str(file), "--note", "steady is healthy", "--json")

    mid_touch = tried["scorecards"][1]
    assert (mid_touch["action"], mid_touch["band_changes"]) == (
        "new_version",
        {"yellow → green": 2},
    )
    assert (tried["dry_run"], tried["saved"], version_after_dry_run) == (True, False, 1)
    assert "Dry run: nothing saved" in shown and "yellow → green: 2" in shown
    assert saved["saved"] and saved["scorecards"][1]["version_after"] == 2
    session.expire_all()
    assert get_scorecard(session=session, key="mid-touch").current_version == 2


def test_a_bad_file_exits_1_naming_the_scorecard_and_the_field(session, tmp_path, mid_touch_card):
    file = tmp_path / "scorecards.yaml"
    text = runner.invoke(app, ["health", "export"]).stdout
    file.write_text(text.replace("best: 0.1}", "best: high}"))

    result = runner.invoke(app, ["health", "import", str(file), "--dry-run"])

    assert result.exit_code == 1
    assert (
        "scorecard 'mid-touch': scorecards[1].groups[0].measures[0].scoring.best: "
        "Input should be a valid number" in " ".join(result.stderr.split())
    )
    assert "Nothing was imported." in result.stderr


def test_backtest_prints_the_auc_of_each_version(session):
    make_quiet_churners(session)
    result = run_json(
        "health", "backtest", "--scorecard", "tech-touch", "--horizon", "90", "--json"
    )

    assert result["scorecard"] == "tech-touch" and result["horizon_days"] == 90
    assert result["as_of_dates"][0] == "2024-12-31" and len(result["as_of_dates"]) == 12
    (version,) = result["versions"]
    assert version["version"] == 1 and version["auc"] is not None
    assert version["observations"] == version["churned"] + version["retained"]
    wide = {"COLUMNS": "200"}
    table = runner.invoke(app, ["health", "backtest", "--scorecard", "tech-touch"], env=wide).stdout
    assert "Backtest of tech-touch" in table and "1 (current)" in table


def test_backtest_of_an_unknown_scorecard_exits_1_with_the_known_ones(session):
    result = runner.invoke(app, ["health", "backtest", "--scorecard", "nope"])

    assert result.exit_code == 1
    assert "there is no scorecard 'nope'; known scorecards: default" in result.stderr
